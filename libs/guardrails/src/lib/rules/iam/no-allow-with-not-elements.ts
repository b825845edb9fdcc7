import { readablePolicies, POLICY_RESOURCE_TYPES } from '../../policy';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** Allow statements name what they allow: no NotAction, NotResource or NotPrincipal. */
export const noAllowWithNotElements: Rule = {
  id: 'MIG-IAM-4',
  title: 'Allow statements do not use NotAction, NotResource or NotPrincipal',
  severity: 'error',
  rationale: 'An Allow with NotAction/NotResource grants everything except a list, including actions and resources added by AWS later; NotPrincipal with Allow grants to everyone else.',
  fix: 'list the allowed actions and resources explicitly; keep NotAction/NotResource for Deny statements',
  standard: 'AWS IAM User Guide: NotAction/NotResource with Allow; cdk-nag AwsSolutions-IAM5',
  resourceTypes: POLICY_RESOURCE_TYPES,
  check(resource) {
    const policies = readablePolicies(resource);
    if (policies.length === 0) return notApplicable;
    const problems = policies.flatMap(({ policy, statements }) =>
      statements
        .filter((s) => s.effect === 'Allow')
        .flatMap((s) => {
          const used = [s.notActions && 'NotAction', s.notResources && 'NotResource', s.hasNotPrincipal && 'NotPrincipal'].filter(Boolean);
          return used.length > 0 ? [`${policy.where} ${s.label} is an Allow with ${used.join(' and ')}`] : [];
        }),
    );
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
