import { blocks } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

const hasText = (value: unknown) => typeof value === 'string' && value.trim().length > 0;

/** The group and each of its rules say what they are for. */
export const securityGroupRulesDescribed: Rule = {
  id: 'MIG-VPC-2',
  title: 'Security groups and every rule have a description',
  severity: 'error',
  rationale: 'A rule nobody can explain is never removed; descriptions make reviews and incident response possible. The provider default "Managed by Terraform" says nothing.',
  fix: "set description on the security group (not 'Managed by Terraform') and on every ingress/egress block or rule, naming the peer and purpose (e.g. 'HTTPS from the internet-facing ALB')",
  standard: 'cdk-nag AwsSolutions-EC27; checkov CKV_AWS_23',
  resourceTypes: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'],
  check(resource) {
    const c = resource.config;
    if (resource.type !== 'aws_security_group') {
      return hasText(c['description']) ? compliant : nonCompliant(`${resource.type.replace('aws_', '').replace(/_/g, ' ')} has no description`);
    }
    const missing: string[] = [];
    if (!hasText(c['description']) || c['description'] === 'Managed by Terraform') missing.push('the group itself');
    for (const direction of ['ingress', 'egress'] as const) {
      blocks(c[direction]).forEach((rule, i) => {
        if (!hasText(rule['description'])) missing.push(`${direction} #${i + 1}`);
      });
    }
    return missing.length === 0 ? compliant : nonCompliant(`security group has no description on ${missing.join(', ')}`);
  },
};
