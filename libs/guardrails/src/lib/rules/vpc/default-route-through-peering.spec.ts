import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { finding, findings, resultFor, testStack } from '../test-support';
import { noDefaultRouteThroughPeering as rule } from './no-default-route-through-peering';

describe('MIG-VPC-5 default routes and peering connections', () => {
  it('rejects ::/0 through a peering connection in an aws_route', () => {
    const stack = testStack();
    new Route(stack, 'v6', { routeTableId: 'rtb-1', destinationIpv6CidrBlock: '::/0', vpcPeeringConnectionId: 'pcx-1' });
    expect(findings(stack, rule)).toEqual([finding(rule, 'aws_route.v6', 'route to ::/0 goes through vpc_peering_connection_id')]);
  });

  it('passes default routes through an internet or NAT gateway', () => {
    const stack = testStack();
    new Route(stack, 'igw', { routeTableId: 'rtb-1', destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-1' });
    new Route(stack, 'nat', { routeTableId: 'rtb-1', destinationIpv6CidrBlock: '::/0', natGatewayId: 'nat-1' });
    expect(resultFor(stack, rule, 'aws_route.igw')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, rule, 'aws_route.nat')).toEqual({ status: 'compliant' });
  });

  it('treats an empty vpc_peering_connection_id as no peering', () => {
    const stack = testStack();
    new Route(stack, 'empty', { routeTableId: 'rtb-1', destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-1', vpcPeeringConnectionId: '' });
    expect(resultFor(stack, rule, 'aws_route.empty')).toEqual({ status: 'compliant' });
  });

  it('names every default route of a route table that goes through peering', () => {
    const stack = testStack();
    new RouteTable(stack, 'rt', {
      vpcId: 'vpc-1',
      route: [
        { cidrBlock: '10.1.0.0/16', vpcPeeringConnectionId: 'pcx-1' },
        { cidrBlock: '0.0.0.0/0', vpcPeeringConnectionId: 'pcx-1' },
        { ipv6CidrBlock: '::/0', vpcPeeringConnectionId: 'pcx-1' },
      ],
    });
    expect(findings(stack, rule)).toEqual([finding(rule, 'aws_route_table.rt', 'route to 0.0.0.0/0, ::/0 goes through vpc_peering_connection_id')]);
  });

  it('passes a route table whose default routes use gateways and whose peering route carries the peer CIDR', () => {
    const stack = testStack();
    new RouteTable(stack, 'rt', {
      vpcId: 'vpc-1',
      route: [
        { cidrBlock: '10.1.0.0/16', vpcPeeringConnectionId: 'pcx-1' },
        { cidrBlock: '0.0.0.0/0', gatewayId: 'igw-1' },
        { ipv6CidrBlock: '::/0', egressOnlyGatewayId: 'eigw-1' },
      ],
    });
    expect(resultFor(stack, rule, 'aws_route_table.rt')).toEqual({ status: 'compliant' });
  });
});
