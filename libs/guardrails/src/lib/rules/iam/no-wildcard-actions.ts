import { grantsEveryAction, readablePolicies, POLICY_RESOURCE_TYPES } from '../../policy';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** No Allow statement grants `*` (every action of every service, however written: `*:*`, `**`). */
export const noWildcardActions: Rule = {
  id: 'MIG-IAM-2',
  title: "Policies do not allow action '*'",
  severity: 'error',
  rationale: "Action '*' is administrator access; every principal must get only the actions it calls.",
  fix: 'list the actions the principal calls (service:Action, e.g. s3:GetObject); use a PermissionSet in @estate/iam for deploy roles',
  standard: 'AWS FSBP IAM.1; cdk-nag AwsSolutions-IAM5',
  resourceTypes: POLICY_RESOURCE_TYPES,
  check(resource) {
    const policies = readablePolicies(resource);
    if (policies.length === 0) return notApplicable;
    const problems = policies.flatMap(({ policy, statements }) =>
      statements
        .filter((s) => s.effect === 'Allow' && s.actions.some(grantsEveryAction))
        .map((s) => `${policy.where} ${s.label} allows action '*'`),
    );
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
