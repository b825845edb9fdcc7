import { DescribeRouteTablesCommand, DescribeVpcPeeringConnectionsCommand, type EC2Client, type RouteTable } from '@aws-sdk/client-ec2';
import type { PeeringOutputs } from '../outputs';
import { errorText, fail, pass, type CheckRow } from '../types';

/**
 * The peering connection is active and joins this environment's VPC to the peer's CIDR
 * (from the organisation model), and every route table on this side that serves subnets
 * without an internet-gateway default route (private and data tiers) sends the peer CIDR
 * through the connection with an active route. The peer account's routes need that
 * account's credentials and are checked from its own app.
 */
export async function checkPeering(peering: PeeringOutputs, vpcId: string | undefined, ec2: EC2Client): Promise<CheckRow[]> {
  const target = `${peering.connectionId ?? '?'} (${peering.peer})`;
  if (!peering.connectionId) return [fail('peering', target, 'no peering connection id in the outputs (see the outputs rows)')];
  let localVpc: string | undefined;
  const rows: CheckRow[] = [];
  try {
    const res = await ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [peering.connectionId] }));
    const pcx = res.VpcPeeringConnections?.[0];
    if (!pcx) return [fail('peering', target, 'DescribeVpcPeeringConnections returned nothing')];
    const sides = [pcx.RequesterVpcInfo, pcx.AccepterVpcInfo];
    const local = vpcId ? sides.find((s) => s?.VpcId === vpcId) : pcx.RequesterVpcInfo;
    const remote = sides.find((s) => s !== local);
    localVpc = local?.VpcId;
    const status = pcx.Status?.Code ?? 'unknown';
    const problems: string[] = [];
    if (status !== 'active') problems.push(`status ${status}${pcx.Status?.Message ? ` (${pcx.Status.Message})` : ''}, expected active`);
    if (!local) problems.push(`neither side is this environment's VPC ${vpcId}`);
    if (remote?.CidrBlock !== peering.peerCidr) problems.push(`peer CIDR ${remote?.CidrBlock ?? 'unknown'}, expected ${peering.peerCidr} (${peering.peer})`);
    rows.push(
      problems.length
        ? fail('peering', target, problems.join('; '))
        : pass('peering', target, `active: ${local?.VpcId} (${local?.CidrBlock}) ↔ ${remote?.VpcId} (${remote?.CidrBlock}, account ${remote?.OwnerId})`),
    );
  } catch (error) {
    return [fail('peering', target, `DescribeVpcPeeringConnections failed: ${errorText(error)}`)];
  }
  if (!localVpc) return rows;

  try {
    const tables = await routeTables(ec2, localVpc);
    const relevant = tables.filter((t) => (t.Associations ?? []).some((a) => a.SubnetId) && !routesInternetDirectly(t));
    if (relevant.length === 0) {
      rows.push(fail('peering-routes', target, `no private or data route tables with subnets in ${localVpc}`));
      return rows;
    }
    const problems = relevant.flatMap((t) => {
      const route = t.Routes?.find((r) => r.DestinationCidrBlock === peering.peerCidr);
      if (!route) return [`${t.RouteTableId} has no route to ${peering.peerCidr}`];
      if (route.VpcPeeringConnectionId !== peering.connectionId) {
        return [`${t.RouteTableId} sends ${peering.peerCidr} to ${route.VpcPeeringConnectionId ?? route.GatewayId ?? route.NatGatewayId ?? 'elsewhere'}, not ${peering.connectionId}`];
      }
      if (route.State !== 'active') return [`${t.RouteTableId}'s route to ${peering.peerCidr} is ${route.State}`];
      return [];
    });
    rows.push(
      problems.length
        ? fail('peering-routes', target, problems.join('; '))
        : pass('peering-routes', target, `${relevant.length} route tables send ${peering.peerCidr} through ${peering.connectionId}`),
    );
  } catch (error) {
    rows.push(fail('peering-routes', target, `DescribeRouteTables failed: ${errorText(error)}`));
  }
  return rows;
}

function routesInternetDirectly(table: RouteTable): boolean {
  return (table.Routes ?? []).some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId?.startsWith('igw-'));
}

async function routeTables(ec2: EC2Client, vpcId: string): Promise<RouteTable[]> {
  const tables: RouteTable[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }], NextToken: token }));
    tables.push(...(page.RouteTables ?? []));
    token = page.NextToken;
  } while (token);
  return tables;
}
