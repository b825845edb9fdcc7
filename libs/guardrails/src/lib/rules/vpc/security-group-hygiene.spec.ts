import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { defaultSecurityGroupClosed } from './default-security-group-closed';
import { securityGroupRulesDescribed } from './security-group-rules-described';

const pg = { fromPort: 5432, toPort: 5432, protocol: 'tcp', cidrBlocks: ['10.0.0.0/16'] };

describe('MIG-VPC-2 what counts as a description', () => {
  it('passes described standalone rules', () => {
    const stack = testStack();
    new SecurityGroupRule(stack, 'rule', { type: 'ingress', securityGroupId: 'sg-0123', ...pg, description: 'pg from app subnets' });
    new VpcSecurityGroupIngressRule(stack, 'vpc-rule', { securityGroupId: 'sg-0123', ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv4: '10.0.0.0/16', description: 'pg from app subnets' });
    expect(resultFor(stack, securityGroupRulesDescribed, 'aws_security_group_rule.rule')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, securityGroupRulesDescribed, 'aws_vpc_security_group_ingress_rule.vpc-rule')).toEqual({ status: 'compliant' });
  });

  it('rejects empty and blank descriptions', () => {
    const stack = testStack();
    new SecurityGroupRule(stack, 'empty', { type: 'ingress', securityGroupId: 'sg-0123', ...pg, description: '' });
    new VpcSecurityGroupIngressRule(stack, 'blank', { securityGroupId: 'sg-0123', ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIpv4: '10.0.0.0/16', description: '  \t ' });
    new SecurityGroup(stack, 'sg', { name: 'dev-db', description: ' ', ingress: [{ ...pg, description: '   ' }] });
    expect(resultFor(stack, securityGroupRulesDescribed, 'aws_security_group_rule.empty')).toEqual(nonCompliant('security group rule has no description'));
    expect(resultFor(stack, securityGroupRulesDescribed, 'aws_vpc_security_group_ingress_rule.blank')).toEqual(nonCompliant('vpc security group ingress rule has no description'));
    expect(resultFor(stack, securityGroupRulesDescribed, 'aws_security_group.sg')).toEqual(nonCompliant('security group has no description on the group itself, ingress #1'));
  });

  it("rejects the provider default 'Managed by Terraform' on the group", () => {
    const stack = testStack();
    new SecurityGroup(stack, 'sg', { name: 'dev-db', description: 'Managed by Terraform', ingress: [{ ...pg, description: 'pg from app subnets' }] });
    expect(resultFor(stack, securityGroupRulesDescribed, 'aws_security_group.sg')).toEqual(nonCompliant('security group has no description on the group itself'));
  });
});

describe('MIG-VPC-3 rules on the default security group', () => {
  it('counts ingress rules', () => {
    const stack = testStack();
    new DefaultSecurityGroup(stack, 'default', { vpcId: 'vpc-1', ingress: [{ fromPort: 0, toPort: 0, protocol: '-1', selfAttribute: true }] });
    expect(resultFor(stack, defaultSecurityGroupClosed, 'aws_default_security_group.default')).toEqual(nonCompliant('default security group has 1 rule(s) (ingress)'));
  });

  it('counts every rule and names each direction once', () => {
    const stack = testStack();
    new DefaultSecurityGroup(stack, 'default', {
      vpcId: 'vpc-1',
      ingress: [
        { fromPort: 0, toPort: 0, protocol: '-1', selfAttribute: true },
        { fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['10.0.0.0/8'] },
      ],
      egress: [{ fromPort: 0, toPort: 0, protocol: '-1', cidrBlocks: ['0.0.0.0/0'] }],
    });
    expect(resultFor(stack, defaultSecurityGroupClosed, 'aws_default_security_group.default')).toEqual(nonCompliant('default security group has 3 rule(s) (ingress, egress)'));
  });
});
