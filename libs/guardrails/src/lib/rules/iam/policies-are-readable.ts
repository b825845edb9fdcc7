import { parsePolicy, policiesOf, POLICY_RESOURCE_TYPES } from '../../policy';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/**
 * Every policy document is JSON at synth time, so the other IAM rules can judge it.
 * This is the one rule that reports an unreadable policy; the others skip it.
 */
export const policiesAreReadable: Rule = {
  id: 'MIG-IAM-1',
  title: 'Policy documents are JSON the guardrails can read',
  severity: 'error',
  rationale:
    'A policy built from an apply-time expression (jsonencode of a variable, a data source) escapes every IAM guardrail; treating it as compliant would be a blind spot, so it is reported once, here.',
  fix: 'render the document with PolicyDocument/PolicyStatement from @estate/iam (references may appear inside string values); if it truly cannot be, suppress MIG-IAM-1 on the resource with a reason',
  standard: 'Guardrail precondition for AWS FSBP IAM.1, IAM.21, KMS.1, KMS.2; cdk-nag AwsSolutions-IAM5',
  resourceTypes: POLICY_RESOURCE_TYPES,
  check(resource) {
    const policies = policiesOf(resource);
    if (policies.length === 0) return notApplicable;
    const problems = policies.flatMap((p) => {
      const parsed = parsePolicy(p.text);
      return parsed.readable ? [] : [`${p.where} ${parsed.reason}`];
    });
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
