import { blocks } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

/**
 * Each VPC's default security group is managed (aws_default_security_group) and has
 * no rules. Left unmanaged, it allows all traffic between its members and all egress.
 */
export const defaultSecurityGroupClosed: Rule = {
  id: 'MIG-VPC-3',
  title: 'Default security groups are managed and have no rules',
  severity: 'error',
  rationale: 'Anything launched without an explicit security group lands in the default group; AWS creates it with allow-all between members and allow-all egress.',
  fix: 'add an aws_default_security_group with vpc_id set to the VPC and no ingress or egress blocks (Terraform then removes the default rules)',
  standard: 'AWS FSBP EC2.2',
  resourceTypes: ['aws_vpc', 'aws_default_security_group'],
  check(resource, stack) {
    if (resource.type === 'aws_vpc') {
      const managed = stack.referencing('aws_default_security_group', 'vpc_id', resource);
      return managed.length > 0 ? compliant : nonCompliant('VPC has no aws_default_security_group, so its default group keeps the AWS allow-all rules');
    }
    const rules = [...blocks(resource.config['ingress']).map(() => 'ingress'), ...blocks(resource.config['egress']).map(() => 'egress')];
    return rules.length === 0 ? compliant : nonCompliant(`default security group has ${rules.length} rule(s) (${[...new Set(rules)].join(', ')})`);
  },
};
