import { blocks } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

const DEFAULT_ROUTES = ['0.0.0.0/0', '::/0'];

function viaPeering(route: Record<string, unknown>): string | undefined {
  const destination = [route['destination_cidr_block'], route['destination_ipv6_cidr_block'], route['cidr_block'], route['ipv6_cidr_block']].find(
    (d) => typeof d === 'string' && DEFAULT_ROUTES.includes(d),
  );
  const peering = route['vpc_peering_connection_id'];
  return destination !== undefined && peering !== undefined && peering !== null && peering !== '' ? String(destination) : undefined;
}

/** Peering carries traffic for the peer's CIDR only, never the default route. */
export const noDefaultRouteThroughPeering: Rule = {
  id: 'MIG-VPC-5',
  title: 'No default route through a VPC peering connection',
  severity: 'error',
  rationale: 'Peering is not transitive; a 0.0.0.0/0 route through it sends all unmatched traffic to the peer, where it is dropped or, worse, leaves via the peer’s gateways.',
  fix: "route only the peer VPC's CIDR (e.g. 10.1.0.0/16) through the peering connection; keep 0.0.0.0/0 on the NAT or internet gateway",
  standard: 'AWS VPC Peering Guide: unsupported configurations (edge-to-edge routing); CIS network hygiene',
  resourceTypes: ['aws_route', 'aws_route_table'],
  check(resource) {
    const routes = resource.type === 'aws_route' ? [resource.config as Record<string, unknown>] : blocks(resource.config['route']);
    const bad = routes.map(viaPeering).filter((d): d is string => d !== undefined);
    return bad.length === 0 ? compliant : nonCompliant(`route to ${bad.join(', ')} goes through vpc_peering_connection_id`);
  },
};
