import { DataAwsRouteTables } from '@cdktf/provider-aws/lib/data-aws-route-tables';
import { Naming } from '@estate/config';
import { at, dataRef, dataSources, ref, resources, testStack } from '../testing/synth';
import { VpcLookup } from './vpc-lookup';
import { VpcPeering, type PeeringSide, type VpcPeeringProps } from './vpc-peering';

type Sides = { requester: Partial<PeeringSide>; accepter: Partial<PeeringSide> };

function build(overrides: Partial<Omit<VpcPeeringProps, 'requester' | 'accepter'>> & Partial<Sides> = {}) {
  const t = testStack();
  const requester: PeeringSide = {
    name: 'staging',
    provider: t.stack.node.findChild('aws') as PeeringSide['provider'],
    accountId: '444444444444',
    region: 'us-east-1',
    vpcId: 'vpc-0staging000000000',
    cidr: '10.1.0.0/16',
    routeTableIds: ['rtb-private-a', 'rtb-private-b', 'rtb-data'],
    ...overrides.requester,
  };
  const accepter: PeeringSide = {
    name: 'dev',
    provider: t.peer,
    accountId: '333333333333',
    region: 'us-east-1',
    vpcId: 'vpc-0dev0000000000000',
    cidr: '10.0.0.0/16',
    routeTableIds: ['rtb-dev-private-a', 'rtb-dev-data'],
    ...overrides.accepter,
  };
  const peering = new VpcPeering(t.stack, 'peering-dev', {
    naming: new Naming('staging'),
    ports: [443, 5432],
    reason: 'shared tooling reads dev and staging',
    ...overrides,
    requester,
    accepter,
  });
  return { t, peering, json: t.synth() };
}

describe('VpcPeering', () => {
  it('requests on the requester provider and auto-accepts on the accepter provider', () => {
    const { json } = build();
    const connection = at(json, 'aws_vpc_peering_connection', 'connection');
    expect(connection.config).toMatchObject({
      vpc_id: 'vpc-0staging000000000',
      peer_vpc_id: 'vpc-0dev0000000000000',
      peer_owner_id: '333333333333',
      peer_region: 'us-east-1',
      auto_accept: false,
      tags: { Name: 'staging-peering-staging-dev', Side: 'requester', Reason: 'shared tooling reads dev and staging' },
    });
    expect(connection.config.provider).toBe('aws');
    const accepter = at(json, 'aws_vpc_peering_connection_accepter', 'accepter');
    expect(accepter.config).toMatchObject({ provider: 'aws.peer', vpc_peering_connection_id: ref(connection), auto_accept: true });
  });

  it('turns on DNS resolution on each side through that side’s own provider', () => {
    const { json } = build();
    const accepted = ref(at(json, 'aws_vpc_peering_connection_accepter', 'accepter'));
    expect(at(json, 'aws_vpc_peering_connection_options', 'requester-options').config).toEqual(
      expect.objectContaining({ vpc_peering_connection_id: accepted, requester: { allow_remote_vpc_dns_resolution: true } }),
    );
    expect(at(json, 'aws_vpc_peering_connection_options', 'accepter-options').config).toEqual(
      expect.objectContaining({ provider: 'aws.peer', vpc_peering_connection_id: accepted, accepter: { allow_remote_vpc_dns_resolution: true } }),
    );
  });

  it("routes only the peer's CIDR, on every given route table of both sides", () => {
    const { json } = build();
    const accepted = ref(at(json, 'aws_vpc_peering_connection_accepter', 'accepter'));
    const routes = resources(json, 'aws_route').map((r) => r.config);
    expect(routes).toEqual(
      expect.arrayContaining([
        ...['rtb-private-a', 'rtb-private-b', 'rtb-data'].map((t) =>
          expect.objectContaining({ route_table_id: t, destination_cidr_block: '10.0.0.0/16', vpc_peering_connection_id: accepted }),
        ),
        ...['rtb-dev-private-a', 'rtb-dev-data'].map((t) =>
          expect.objectContaining({ provider: 'aws.peer', route_table_id: t, destination_cidr_block: '10.1.0.0/16', vpc_peering_connection_id: accepted }),
        ),
      ]),
    );
    expect(routes).toHaveLength(5);
    expect(routes.map((r) => r.destination_cidr_block)).not.toContain('0.0.0.0/0');
  });

  it('opens each declared port to the peer CIDR only, in and out, on an access group per side', () => {
    const { json, peering } = build();
    const staging = at(json, 'aws_security_group', 'requester-access');
    const dev = at(json, 'aws_security_group', 'accepter-access');
    expect(staging.config).toMatchObject({ name: 'staging-peer-staging-to-dev', vpc_id: 'vpc-0staging000000000' });
    expect(dev.config).toMatchObject({ provider: 'aws.peer', name: 'staging-peer-dev-to-staging', vpc_id: 'vpc-0dev0000000000000' });
    const rules = [...resources(json, 'aws_vpc_security_group_ingress_rule'), ...resources(json, 'aws_vpc_security_group_egress_rule')].map((r) => ({
      kind: r.type.includes('ingress') ? 'in' : 'out',
      group: r.config.security_group_id,
      cidr: r.config.cidr_ipv4,
      port: [r.config.from_port, r.config.to_port],
      protocol: r.config.ip_protocol,
      described: typeof r.config.description === 'string' && r.config.description.includes(String(r.config.from_port)),
    }));
    const expected = [
      { group: ref(staging), cidr: '10.0.0.0/16' },
      { group: ref(dev), cidr: '10.1.0.0/16' },
    ].flatMap((side) =>
      [443, 5432].flatMap((port) =>
        ['in', 'out'].map((kind) => ({ kind, group: side.group, cidr: side.cidr, port: [port, port], protocol: 'tcp', described: true })),
      ),
    );
    expect(rules).toHaveLength(8);
    expect(rules).toEqual(expect.arrayContaining(expected));
    expect(peering.requesterAccessGroupId).toBeDefined();
    expect(peering.accepterAccessGroupId).toBeDefined();
  });

  it('admits the peer on existing groups, one rule per looked-up group, when a side cannot create groups', () => {
    const t = testStack();
    const tables = new DataAwsRouteTables(t.stack, 'legacy-tables', { provider: t.legacy, vpcId: 'vpc-0a1b2c3d4e5f60718' });
    const groups = new DataAwsRouteTables(t.stack, 'stand-in-groups', { provider: t.legacy, vpcId: 'vpc-0a1b2c3d4e5f60718' });
    new VpcPeering(t.stack, 'peering-legacy', {
      naming: t.naming,
      ports: [5432],
      reason: 'DMS change data capture',
      requester: { name: 'dev', provider: t.stack.node.findChild('aws') as PeeringSide['provider'], accountId: '333333333333', region: 'us-east-1', vpcId: 'vpc-0dev0000000000000', cidr: '10.0.0.0/16', routeTableIds: ['rtb-a'] },
      accepter: {
        name: 'legacy',
        provider: t.legacy,
        accountId: '111111111111',
        region: 'us-east-1',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        cidr: '10.50.0.0/16',
        routeTableIds: tables.ids,
        accessGroup: false,
        admissions: [{ label: 'legacy database ledger', securityGroupIds: groups.ids, ports: [5432] }],
      },
    });
    const json = t.synth();
    const tablesData = dataSources(json, 'aws_route_tables').find((d) => d.path === 'legacy-tables');
    const groupsData = dataSources(json, 'aws_route_tables').find((d) => d.path === 'stand-in-groups');
    const legacyRoutes = at(json, 'aws_route', 'accepter-routes');
    expect(legacyRoutes.config).toMatchObject({
      provider: 'aws.legacy',
      for_each: `\${toset(data.aws_route_tables.${tablesData?.name}.ids)}`,
      route_table_id: '${each.value}',
      destination_cidr_block: '10.0.0.0/16',
    });
    const admit = at(json, 'aws_vpc_security_group_ingress_rule', 'accepter-admit-0-5432');
    expect(admit.config).toMatchObject({
      provider: 'aws.legacy',
      for_each: `\${toset(data.aws_route_tables.${groupsData?.name}.ids)}`,
      security_group_id: '${each.value}',
      cidr_ipv4: '10.0.0.0/16',
      ip_protocol: 'tcp',
      from_port: 5432,
      to_port: 5432,
      description: 'TCP 5432 from dev 10.0.0.0/16 over VPC peering to legacy database ledger',
    });
    // No group is created in the legacy VPC; the dev side still gets its access group.
    expect(resources(json, 'aws_security_group').map((g) => g.config.name)).toEqual(['dev-peer-dev-to-legacy']);
  });

  it('reads a peer environment’s VPC and its private and data route tables by tag', () => {
    const t = testStack();
    const lookup = new VpcLookup(t.stack, 'dev-vpc', { provider: t.peer, vpcName: 'dev-vpc', cidr: '10.0.0.0/16' });
    expect(lookup.cidr).toBe('10.0.0.0/16');
    const json = t.synth();
    const [vpc] = dataSources(json, 'aws_vpc');
    const [tables] = dataSources(json, 'aws_route_tables');
    expect(vpc.config).toEqual(expect.objectContaining({ provider: 'aws.peer', cidr_block: '10.0.0.0/16', filter: [{ name: 'tag:Name', values: ['dev-vpc'] }] }));
    expect(tables.config).toEqual(
      expect.objectContaining({ provider: 'aws.peer', vpc_id: dataRef(vpc), filter: [{ name: 'tag:Tier', values: ['private', 'data'] }] }),
    );
    expect(json.resource).toBeUndefined();
  });

  describe('validation', () => {
    it('rejects overlapping CIDRs before synthesis', () => {
      expect(() => build({ accepter: { cidr: '10.1.128.0/17' } })).toThrow(
        "VpcPeering peering-dev (staging <-> dev): staging's CIDR 10.1.0.0/16 overlaps dev's 10.1.128.0/17; AWS cannot route a peering between overlapping CIDRs, so each side needs its own block",
      );
    });

    it('rejects bad, duplicate or missing ports', () => {
      expect(() => build({ ports: [] })).toThrow(/no ports: a peering that allows nothing should not exist/);
      expect(() => build({ ports: [443, 70000] })).toThrow(/ports 70000 are not TCP ports \(1..65535\)/);
      expect(() => build({ ports: [443, 443] })).toThrow(/ports \[443, 443\] list a port twice/);
    });

    it('rejects admissions on ports the peering does not allow, and a side that admits nothing', () => {
      expect(() => build({ accepter: { accessGroup: false, admissions: [{ label: 'legacy database ledger', securityGroupIds: ['sg-1'], ports: [3306] }] } })).toThrow(
        /accepter dev: legacy database ledger admits port\(s\) 3306, which the peering does not allow \(allowed: 443, 5432\)/,
      );
      expect(() => build({ accepter: { accessGroup: false } })).toThrow(/accepter dev: no access group and no admissions/);
    });

    it('rejects a side with no route tables, a same-account pair and a bad account id', () => {
      expect(() => build({ requester: { routeTableIds: [] } })).toThrow(/requester staging: no route tables to route 10.0.0.0\/16 on/);
      expect(() => build({ accepter: { accountId: '444444444444' } })).toThrow(/both sides are in account 444444444444/);
      expect(() => build({ accepter: { accountId: '3333' } })).toThrow(/accepter dev: accountId '3333' is not a 12-digit AWS account id/);
    });
  });
});
