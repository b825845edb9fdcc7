import { DescribeRouteTablesCommand, DescribeVpcPeeringConnectionsCommand, EC2Client, type RouteTable, type VpcPeeringConnection } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { checkPeering } from './peering';

const ec2 = mockClient(EC2Client);
const client = ec2 as unknown as EC2Client;
const PCX = 'pcx-0a1b2c3d4e5f60718';
const VPC = 'vpc-0dev0000000000001';
const peering = { peer: 'legacy' as const, peerCidr: '10.50.0.0/16', connectionId: PCX };

const connection = (code = 'active', accepterCidr = '10.50.0.0/16'): VpcPeeringConnection => ({
  VpcPeeringConnectionId: PCX,
  Status: { Code: code as 'active', Message: code === 'active' ? 'Active' : 'Pending Acceptance by 111111111111' },
  RequesterVpcInfo: { VpcId: VPC, CidrBlock: '10.0.0.0/16', OwnerId: '333333333333', Region: 'us-east-1' },
  AccepterVpcInfo: { VpcId: 'vpc-0a1b2c3d4e5f60718', CidrBlock: accepterCidr, OwnerId: '111111111111', Region: 'us-east-1' },
});
const local = { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' as const };
const toPeer = (state: 'active' | 'blackhole' = 'active', via = PCX) => ({ DestinationCidrBlock: '10.50.0.0/16', VpcPeeringConnectionId: via, State: state });
const table = (id: string, routes: RouteTable['Routes'], subnets = 1): RouteTable => ({
  RouteTableId: id,
  VpcId: VPC,
  Routes: routes,
  Associations: Array.from({ length: subnets }, (_, i) => ({ RouteTableAssociationId: `rtbassoc-${id}-${i}`, SubnetId: `subnet-${id}-${i}`, Main: false })),
});
const publicTable = table('rtb-public', [local, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123', State: 'active' }]);
const mainTable: RouteTable = { RouteTableId: 'rtb-main', VpcId: VPC, Routes: [local], Associations: [{ Main: true, RouteTableAssociationId: 'rtbassoc-main' }] };
const privateTable = (peerRoute = toPeer()) => table('rtb-private', [local, { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0123', State: 'active' }, peerRoute]);
const dataTable = (peerRoute: ReturnType<typeof toPeer> | null = toPeer()) => table('rtb-data', peerRoute ? [local, peerRoute] : [local]);

function recorded(pcx: VpcPeeringConnection, tables: RouteTable[]) {
  ec2.on(DescribeVpcPeeringConnectionsCommand, { VpcPeeringConnectionIds: [PCX] }).resolves({ VpcPeeringConnections: [pcx] });
  ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: tables });
}

beforeEach(() => ec2.reset());

describe('checkPeering', () => {
  it('passes for an active connection with routes on the private and data tables', async () => {
    recorded(connection(), [mainTable, publicTable, privateTable(), dataTable()]);
    const rows = await checkPeering(peering, VPC, client);
    expect(rows.map((r) => [r.check, r.status, r.detail])).toEqual([
      ['peering', 'pass', 'active: vpc-0dev0000000000001 (10.0.0.0/16) ↔ vpc-0a1b2c3d4e5f60718 (10.50.0.0/16, account 111111111111)'],
      ['peering-routes', 'pass', `2 route tables send 10.50.0.0/16 through ${PCX}`],
    ]);
    expect(ec2.commandCalls(DescribeRouteTablesCommand)[0].args[0].input.Filters).toEqual([{ Name: 'vpc-id', Values: [VPC] }]);
  });

  it('fails when the connection is not active', async () => {
    recorded(connection('pending-acceptance'), [privateTable(), dataTable()]);
    const [row] = await checkPeering(peering, VPC, client);
    expect(row).toMatchObject({ status: 'fail', detail: 'status pending-acceptance (Pending Acceptance by 111111111111), expected active' });
  });

  it('fails when the connection reaches a different CIDR than the peer in the organisation model', async () => {
    recorded(connection('active', '10.1.0.0/16'), [privateTable(), dataTable()]);
    const [row] = await checkPeering(peering, VPC, client);
    expect(row).toMatchObject({ status: 'fail', detail: 'peer CIDR 10.1.0.0/16, expected 10.50.0.0/16 (legacy)' });
  });

  it('fails when a data route table has no route to the peer', async () => {
    recorded(connection(), [publicTable, privateTable(), dataTable(null)]);
    const rows = await checkPeering(peering, VPC, client);
    expect(rows[1]).toMatchObject({ check: 'peering-routes', status: 'fail', detail: 'rtb-data has no route to 10.50.0.0/16' });
  });

  it('fails for a blackholed route and a route through another connection', async () => {
    recorded(connection(), [privateTable(toPeer('blackhole')), dataTable(toPeer('active', 'pcx-0ther'))]);
    const rows = await checkPeering(peering, VPC, client);
    expect(rows[1].detail).toBe(`rtb-private's route to 10.50.0.0/16 is blackhole; rtb-data sends 10.50.0.0/16 to pcx-0ther, not ${PCX}`);
  });

  it('fails when the VPC has only public route tables', async () => {
    recorded(connection(), [mainTable, publicTable]);
    const rows = await checkPeering(peering, VPC, client);
    expect(rows[1]).toMatchObject({ status: 'fail', detail: `no private or data route tables with subnets in ${VPC}` });
  });

  it('fails when neither side is this environment\'s VPC', async () => {
    recorded(connection(), [privateTable()]);
    const rows = await checkPeering(peering, 'vpc-0somethingelse', client);
    expect(rows).toHaveLength(1);
    expect(rows[0].detail).toContain("neither side is this environment's VPC vpc-0somethingelse");
  });

  it('fails when the connection is gone', async () => {
    ec2.on(DescribeVpcPeeringConnectionsCommand).rejects(Object.assign(new Error(`The vpcPeeringConnection ID '${PCX}' does not exist`), { name: 'InvalidVpcPeeringConnectionID.NotFound' }));
    const rows = await checkPeering(peering, VPC, client);
    expect(rows).toEqual([{ check: 'peering', target: `${PCX} (legacy)`, status: 'fail', detail: `DescribeVpcPeeringConnections failed: InvalidVpcPeeringConnectionID.NotFound: The vpcPeeringConnection ID '${PCX}' does not exist` }]);
  });
});
