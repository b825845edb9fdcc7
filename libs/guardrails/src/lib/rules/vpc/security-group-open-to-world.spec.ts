import { Alb } from '@cdktf/provider-aws/lib/alb';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { SecurityGroup, type SecurityGroupIngress } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { TerraformStack } from 'cdktf';
import { nonCompliant } from '../../types';
import { finding, findings, resultFor, testStack } from '../test-support';
import { securityGroupNotOpenToWorld as rule } from './security-group-not-open-to-world';

const NO_ALB = ' on a security group that no internet-facing ALB in this stack uses';
const world = (fromPort: number, toPort = fromPort, protocol = 'tcp'): SecurityGroupIngress => ({ fromPort, toPort, protocol, cidrBlocks: ['0.0.0.0/0'], description: 'from anywhere' });

/** A security group `dev-alb` with `ingress`, used by an internet-facing application load balancer. */
function albGroup(stack: TerraformStack, ingress: SecurityGroupIngress[] = []) {
  const sg = new SecurityGroup(stack, 'alb-sg', { name: 'dev-alb', description: 'public ALB', ingress });
  new Lb(stack, 'alb', { name: 'dev-alb', securityGroups: [sg.id] });
  return sg;
}

describe('MIG-VPC-1 which sources count as the internet', () => {
  it('reports an inline rule open to ::/0 alone', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', { name: 'dev-app', description: 'app', ingress: [{ fromPort: 22, toPort: 22, protocol: 'tcp', ipv6CidrBlocks: ['::/0'], description: 'ssh' }] });
    expect(findings(stack, rule)).toEqual([finding(rule, 'aws_security_group.sg', "ingress #1 of security group 'dev-app' allows tcp port 22 from ::/0")]);
  });

  it('names both world ranges of one rule, and only those, and every open rule of the group', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', {
      name: 'dev-app',
      description: 'app',
      ingress: [
        { fromPort: 5432, toPort: 5432, protocol: 'tcp', cidrBlocks: ['10.0.0.0/8'], description: 'pg' },
        { fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['10.0.0.0/16', '0.0.0.0/0'], ipv6CidrBlocks: ['2001:db8::/32', '::/0'], description: 'ssh' },
        world(3389),
      ],
    });
    expect(findings(stack, rule)).toEqual([
      finding(
        rule,
        'aws_security_group.sg',
        "ingress #2 of security group 'dev-app' allows tcp port 22 from 0.0.0.0/0 and ::/0; ingress #3 of security group 'dev-app' allows tcp port 3389 from 0.0.0.0/0",
      ),
    ]);
  });

  it('does not treat a merely wide block (0.0.0.0/1, ::/1) as the internet', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', { name: 'dev-app', description: 'app', ingress: [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/1'], ipv6CidrBlocks: ['::/1'], description: 'ssh' }] });
    expect(resultFor(stack, rule, 'aws_security_group.sg')).toEqual({ status: 'compliant' });
  });

  it('reports a standalone aws_security_group_rule open to 0.0.0.0/0', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'sg', { name: 'dev-app', description: 'app' });
    new SecurityGroupRule(stack, 'rdp', { type: 'ingress', securityGroupId: sg.id, fromPort: 3389, toPort: 3389, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'rdp' });
    expect(findings(stack, rule)).toEqual([finding(rule, 'aws_security_group_rule.rdp', 'rule allows tcp port 3389 from 0.0.0.0/0')]);
  });

  it('ignores egress aws_security_group_rule to 0.0.0.0/0', () => {
    const stack = testStack();
    new SecurityGroupRule(stack, 'out', { type: 'egress', securityGroupId: 'sg-0123', fromPort: 0, toPort: 0, protocol: '-1', cidrBlocks: ['0.0.0.0/0'], description: 'all out' });
    expect(resultFor(stack, rule, 'aws_security_group_rule.out')).toEqual({ status: 'compliant' });
  });

  it('reports an aws_vpc_security_group_ingress_rule open to ::/0 with its ports', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'sg', { name: 'dev-app', description: 'app' });
    new VpcSecurityGroupIngressRule(stack, 'ssh', { securityGroupId: sg.id, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0', description: 'ssh' });
    expect(findings(stack, rule)).toEqual([finding(rule, 'aws_vpc_security_group_ingress_rule.ssh', 'rule allows tcp port 22 from ::/0')]);
  });

  it('passes an aws_vpc_security_group_ingress_rule from a private range', () => {
    const stack = testStack();
    new VpcSecurityGroupIngressRule(stack, 'pg', { securityGroupId: 'sg-0123', ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv4: '10.0.0.0/16', description: 'pg' });
    expect(resultFor(stack, rule, 'aws_vpc_security_group_ingress_rule.pg')).toEqual({ status: 'compliant' });
  });

  it('says nothing about resource types it does not read (an egress rule to the world)', () => {
    const stack = testStack();
    new VpcSecurityGroupEgressRule(stack, 'out', { securityGroupId: 'sg-0123', ipProtocol: '-1', cidrIpv4: '0.0.0.0/0', description: 'all out' });
    expect(resultFor(stack, rule, 'aws_vpc_security_group_egress_rule.out')).toEqual({ status: 'compliant' });
  });
});

describe('MIG-VPC-1 how the ports are described', () => {
  it('describes protocol all as all traffic', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', { name: 'dev-app', description: 'app', ingress: [world(0, 0, 'all')] });
    expect(resultFor(stack, rule, 'aws_security_group.sg')).toEqual(nonCompliant("ingress #1 of security group 'dev-app' allows all traffic from 0.0.0.0/0"));
  });

  it('describes protocol -1 as all traffic', () => {
    const stack = testStack();
    new SecurityGroupRule(stack, 'all', { type: 'ingress', securityGroupId: 'sg-0123', fromPort: 0, toPort: 0, protocol: '-1', cidrBlocks: ['0.0.0.0/0'], description: 'all' });
    expect(resultFor(stack, rule, 'aws_security_group_rule.all')).toEqual(nonCompliant('rule allows all traffic from 0.0.0.0/0'));
  });

  it('describes a port range', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', { name: 'dev-app', description: 'app', ingress: [world(1024, 65535)] });
    expect(resultFor(stack, rule, 'aws_security_group.sg')).toEqual(nonCompliant("ingress #1 of security group 'dev-app' allows tcp ports 1024-65535 from 0.0.0.0/0"));
  });

  it('shows ports only known at apply time as ?', () => {
    const stack = testStack();
    const from = new SecurityGroupRule(stack, 'from', { type: 'ingress', securityGroupId: 'sg-0123', fromPort: 0, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'a' });
    from.addOverride('from_port', '${var.low_port}');
    const to = new SecurityGroupRule(stack, 'to', { type: 'ingress', securityGroupId: 'sg-0123', fromPort: 22, toPort: 0, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'b' });
    to.addOverride('to_port', '${var.high_port}');
    expect(resultFor(stack, rule, 'aws_security_group_rule.from')).toEqual(nonCompliant('rule allows tcp ports ?-22 from 0.0.0.0/0'));
    expect(resultFor(stack, rule, 'aws_security_group_rule.to')).toEqual(nonCompliant('rule allows tcp ports 22-? from 0.0.0.0/0'));
  });

  it('shows a protocol without ports (ESP) as port ?', () => {
    const stack = testStack();
    new VpcSecurityGroupIngressRule(stack, 'esp', { securityGroupId: 'sg-0123', ipProtocol: '50', cidrIpv4: '0.0.0.0/0', description: 'esp' });
    expect(resultFor(stack, rule, 'aws_vpc_security_group_ingress_rule.esp')).toEqual(nonCompliant('rule allows 50 port ? from 0.0.0.0/0'));
  });

  it('still reports a rule whose protocol is missing, showing no protocol rather than a placeholder', () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', { name: 'dev-app', description: 'app', ingress: [{ ...world(22), protocol: undefined as unknown as string }] });
    new SecurityGroupRule(stack, 'r', { type: 'ingress', securityGroupId: 'sg-0123', fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'r' }).addOverride(
      'protocol',
      null,
    );
    new VpcSecurityGroupIngressRule(stack, 'v', { securityGroupId: 'sg-0123', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0', description: 'v' }).addOverride(
      'ip_protocol',
      null,
    );
    expect(resultFor(stack, rule, 'aws_security_group.sg')).toEqual(nonCompliant("ingress #1 of security group 'dev-app' allows  port 22 from 0.0.0.0/0"));
    expect(resultFor(stack, rule, 'aws_security_group_rule.r')).toEqual(nonCompliant('rule allows  port 22 from 0.0.0.0/0'));
    expect(resultFor(stack, rule, 'aws_vpc_security_group_ingress_rule.v')).toEqual(nonCompliant('rule allows  port 22 from 0.0.0.0/0'));
  });
});

describe('MIG-VPC-1 the internet-facing ALB exception', () => {
  it('covers TCP 80 and 443 written as protocol 6', () => {
    const stack = testStack();
    albGroup(stack, [world(80, 80, '6'), world(443, 443, '6')]);
    expect(resultFor(stack, rule, 'aws_security_group.alb-sg')).toEqual({ status: 'compliant' });
  });

  it('does not cover UDP 443 (QUIC) or a range spanning 80-443', () => {
    const stack = testStack();
    albGroup(stack, [world(443, 443, 'udp'), world(80, 443)]);
    expect(findings(stack, rule)).toEqual([
      finding(rule, 'aws_security_group.alb-sg', "ingress #1 of security group 'dev-alb' allows udp port 443 from 0.0.0.0/0; ingress #2 of security group 'dev-alb' allows tcp ports 80-443 from 0.0.0.0/0"),
    ]);
  });

  it('applies to an ALB declared as aws_alb', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'alb-sg', { name: 'dev-alb', description: 'public ALB', ingress: [world(443)] });
    new Alb(stack, 'alb', { name: 'dev-alb', securityGroups: [sg.id] });
    expect(resultFor(stack, rule, 'aws_security_group.alb-sg')).toEqual({ status: 'compliant' });
  });

  it('applies to an ALB that leaves load_balancer_type at its default (application)', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'alb-sg', { name: 'dev-alb', description: 'public ALB', ingress: [world(80)] });
    new Lb(stack, 'alb', { name: 'dev-alb', internal: false, securityGroups: [sg.id] });
    expect(resultFor(stack, rule, 'aws_security_group.alb-sg')).toEqual({ status: 'compliant' });
  });

  it('applies when the group is one of several on the ALB', () => {
    const stack = testStack();
    const other = new SecurityGroup(stack, 'other', { name: 'dev-other', description: 'other' });
    const sg = new SecurityGroup(stack, 'alb-sg', { name: 'dev-alb', description: 'public ALB', ingress: [world(443)] });
    new Lb(stack, 'alb', { name: 'dev-alb', securityGroups: [other.id, sg.id] });
    expect(resultFor(stack, rule, 'aws_security_group.alb-sg')).toEqual({ status: 'compliant' });
  });

  it('skips entries of security_groups that are not strings', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'alb-sg', { name: 'dev-alb', description: 'public ALB', ingress: [world(443)] });
    new Lb(stack, 'alb', { name: 'dev-alb' }).addOverride('security_groups', [42, sg.id]);
    expect(resultFor(stack, rule, 'aws_security_group.alb-sg')).toEqual({ status: 'compliant' });
  });

  it('does not apply when the internet-facing ALB uses another group', () => {
    const stack = testStack();
    const other = new SecurityGroup(stack, 'other', { name: 'dev-other', description: 'other' });
    new SecurityGroup(stack, 'web-sg', { name: 'dev-web', description: 'web', ingress: [world(443)] });
    new Lb(stack, 'alb', { name: 'dev-alb', securityGroups: [other.id] });
    expect(resultFor(stack, rule, 'aws_security_group.web-sg')).toEqual(nonCompliant(`ingress #1 of security group 'dev-web' allows tcp port 443 from 0.0.0.0/0${NO_ALB}`));
  });

  it('does not apply to a network load balancer or an instance using the group', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'web-sg', { name: 'dev-web', description: 'web', ingress: [world(443)] });
    new Lb(stack, 'nlb', { name: 'dev-nlb', loadBalancerType: 'network', securityGroups: [sg.id] });
    new Instance(stack, 'web', { ami: 'ami-123', instanceType: 't3.micro', securityGroups: [sg.id] });
    expect(resultFor(stack, rule, 'aws_security_group.web-sg')).toEqual(nonCompliant(`ingress #1 of security group 'dev-web' allows tcp port 443 from 0.0.0.0/0${NO_ALB}`));
  });

  it('applies to standalone rules (both kinds) on the ALB group', () => {
    const stack = testStack();
    const sg = albGroup(stack);
    new SecurityGroupRule(stack, 'https', { type: 'ingress', securityGroupId: sg.id, fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'https' });
    new VpcSecurityGroupIngressRule(stack, 'http', { securityGroupId: sg.id, ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv6: '::/0', description: 'http' });
    expect(findings(stack, rule)).toEqual([]);
  });

  it('cannot tie a literal group id to the ALB, so a rule on sg-... is reported', () => {
    const stack = testStack();
    new Lb(stack, 'alb', { name: 'dev-alb', securityGroups: ['sg-0123'] });
    new SecurityGroupRule(stack, 'https', { type: 'ingress', securityGroupId: 'sg-0123', fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'https' });
    expect(findings(stack, rule)).toEqual([finding(rule, 'aws_security_group_rule.https', `rule allows tcp port 443 from 0.0.0.0/0${NO_ALB}`)]);
  });

  it('only counts aws_security_group groups, not a default security group the ALB uses', () => {
    const stack = testStack();
    const dflt = new DefaultSecurityGroup(stack, 'default', { vpcId: 'vpc-1' });
    new Lb(stack, 'alb', { name: 'dev-alb', securityGroups: [dflt.id] });
    new SecurityGroupRule(stack, 'https', { type: 'ingress', securityGroupId: dflt.id, fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'https' });
    expect(findings(stack, rule)).toEqual([finding(rule, 'aws_security_group_rule.https', `rule allows tcp port 443 from 0.0.0.0/0${NO_ALB}`)]);
  });
});
