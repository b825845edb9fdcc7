import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { Route } from '@cdktf/provider-aws/lib/route';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { finding, findings, resultFor, testStack } from '../test-support';
import { defaultSecurityGroupClosed } from './default-security-group-closed';
import { noDefaultRouteThroughPeering } from './no-default-route-through-peering';
import { securityGroupNotOpenToWorld } from './security-group-not-open-to-world';
import { securityGroupRulesDescribed } from './security-group-rules-described';
import { vpcFlowLogsEnabled } from './vpc-flow-logs-enabled';

const https = { fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS from the internet' };

describe('MIG-VPC-1 no ingress from the internet', () => {
  it('passes 443 from anywhere on the security group of an internet-facing ALB', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'alb-sg', { name: 'dev-alb', description: 'public ALB', ingress: [https] });
    new Lb(stack, 'alb', { name: 'dev-alb', internal: false, loadBalancerType: 'application', securityGroups: [sg.id] });
    expect(resultFor(stack, securityGroupNotOpenToWorld, 'aws_security_group.alb-sg')).toEqual({ status: 'compliant' });
  });

  it('rejects SSH from anywhere, even on the ALB security group', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'alb-sg', {
      name: 'dev-alb',
      description: 'public ALB',
      ingress: [https, { fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'ssh' }],
    });
    new Lb(stack, 'alb', { name: 'dev-alb', securityGroups: [sg.id] });
    expect(findings(stack, securityGroupNotOpenToWorld)).toEqual([
      finding(securityGroupNotOpenToWorld, 'aws_security_group.alb-sg', "ingress #2 of security group 'dev-alb' allows tcp port 22 from 0.0.0.0/0"),
    ]);
  });

  it('rejects 443 from anywhere when no internet-facing ALB uses the group', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'app-sg', { name: 'dev-app', description: 'app tasks' });
    new SecurityGroupRule(stack, 'https', { type: 'ingress', securityGroupId: sg.id, fromPort: 443, toPort: 443, protocol: 'tcp', ipv6CidrBlocks: ['::/0'], description: 'https' });
    new Lb(stack, 'internal', { name: 'dev-internal', internal: true, securityGroups: [sg.id] });
    expect(findings(stack, securityGroupNotOpenToWorld)).toEqual([
      finding(securityGroupNotOpenToWorld, 'aws_security_group_rule.https', 'rule allows tcp port 443 from ::/0 on a security group that no internet-facing ALB in this stack uses'),
    ]);
  });

  it('rejects all traffic from anywhere in a standalone ingress rule', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'db-sg', { name: 'dev-db', description: 'database' });
    new VpcSecurityGroupIngressRule(stack, 'all', { securityGroupId: sg.id, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0', description: 'everything' });
    expect(findings(stack, securityGroupNotOpenToWorld)[0]).toEqual(
      finding(securityGroupNotOpenToWorld, 'aws_vpc_security_group_ingress_rule.all', 'rule allows all traffic from 0.0.0.0/0'),
    );
  });

  it('passes ingress from a private CIDR', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'db-sg', { name: 'dev-db', description: 'database', ingress: [{ fromPort: 5432, toPort: 5432, protocol: 'tcp', cidrBlocks: ['10.0.0.0/16'], description: 'pg' }] });
    expect(resultFor(stack, securityGroupNotOpenToWorld, 'aws_security_group.db-sg')).toEqual({ status: 'compliant' });
  });
});

describe('MIG-VPC-2 descriptions', () => {
  it('passes a described group with described rules', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', { name: 'dev-db', description: 'database', ingress: [{ fromPort: 5432, toPort: 5432, protocol: 'tcp', cidrBlocks: ['10.0.0.0/16'], description: 'pg from app subnets' }] });
    expect(resultFor(stack, securityGroupRulesDescribed, 'aws_security_group.sg')).toEqual({ status: 'compliant' });
  });

  it('names the undescribed parts of a group', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', {
      name: 'dev-db',
      ingress: [{ fromPort: 5432, toPort: 5432, protocol: 'tcp', cidrBlocks: ['10.0.0.0/16'] }],
      egress: [{ fromPort: 0, toPort: 0, protocol: '-1', cidrBlocks: ['10.0.0.0/16'], description: 'to the VPC' }],
    });
    expect(findings(stack, securityGroupRulesDescribed)).toEqual([
      finding(securityGroupRulesDescribed, 'aws_security_group.sg', 'security group has no description on the group itself, ingress #1'),
    ]);
  });

  it('rejects a standalone rule without a description', () => {
    const stack = testStack();
    new SecurityGroupRule(stack, 'rule', { type: 'egress', securityGroupId: 'sg-123', fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['10.0.0.0/8'] });
    expect(findings(stack, securityGroupRulesDescribed)).toEqual([finding(securityGroupRulesDescribed, 'aws_security_group_rule.rule', 'security group rule has no description')]);
  });
});

describe('MIG-VPC-3 default security group closed', () => {
  it('passes a VPC whose default group is managed without rules', () => {
    const stack = testStack();
    const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
    new DefaultSecurityGroup(stack, 'default', { vpcId: vpc.id });
    expect(resultFor(stack, defaultSecurityGroupClosed, 'aws_vpc.vpc')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, defaultSecurityGroupClosed, 'aws_default_security_group.default')).toEqual({ status: 'compliant' });
  });

  it('rejects a VPC whose default group is unmanaged', () => {
    const stack = testStack();
    new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
    expect(findings(stack, defaultSecurityGroupClosed)).toEqual([
      finding(defaultSecurityGroupClosed, 'aws_vpc.vpc', 'VPC has no aws_default_security_group, so its default group keeps the AWS allow-all rules'),
    ]);
  });

  it('rejects a default group with rules', () => {
    const stack = testStack();
    const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
    new DefaultSecurityGroup(stack, 'default', { vpcId: vpc.id, egress: [{ fromPort: 0, toPort: 0, protocol: '-1', cidrBlocks: ['0.0.0.0/0'] }] });
    expect(findings(stack, defaultSecurityGroupClosed)).toEqual([
      finding(defaultSecurityGroupClosed, 'aws_default_security_group.default', 'default security group has 1 rule(s) (egress)'),
    ]);
  });
});

describe('MIG-VPC-4 flow logs', () => {
  it('passes a VPC with a flow log', () => {
    const stack = testStack();
    const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
    new FlowLog(stack, 'flow', { vpcId: vpc.id, trafficType: 'ALL', logDestination: 'arn:aws:logs:us-east-1:111111111111:log-group:/vpc/dev-flow' });
    expect(resultFor(stack, vpcFlowLogsEnabled, 'aws_vpc.vpc')).toEqual({ status: 'compliant' });
  });

  it('rejects a VPC without a flow log', () => {
    const stack = testStack();
    new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
    expect(findings(stack, vpcFlowLogsEnabled)).toEqual([finding(vpcFlowLogsEnabled, 'aws_vpc.vpc', 'VPC has no aws_flow_log')]);
  });
});

describe('MIG-VPC-5 no default route through peering', () => {
  it('passes a route to the peer CIDR', () => {
    const stack = testStack();
    new Route(stack, 'to-staging', { routeTableId: 'rtb-1', destinationCidrBlock: '10.1.0.0/16', vpcPeeringConnectionId: 'pcx-1' });
    expect(resultFor(stack, noDefaultRouteThroughPeering, 'aws_route.to-staging')).toEqual({ status: 'compliant' });
  });

  it('rejects 0.0.0.0/0 through a peering connection', () => {
    const stack = testStack();
    new Route(stack, 'default', { routeTableId: 'rtb-1', destinationCidrBlock: '0.0.0.0/0', vpcPeeringConnectionId: 'pcx-1' });
    expect(findings(stack, noDefaultRouteThroughPeering)).toEqual([
      finding(noDefaultRouteThroughPeering, 'aws_route.default', 'route to 0.0.0.0/0 goes through vpc_peering_connection_id'),
    ]);
  });
});
