import { awsPrincipalInfo, grantsEveryAction, grantsWholeService, readablePolicies, POLICY_RESOURCE_TYPES, type Statement } from '../../policy';
import { compliant, nonCompliant, notApplicable, type GuardrailContext, type Rule } from '../../types';

/**
 * AWS's default key policy: `kms:*` on `*` (this key) for the account root, which
 * hands control of the key to the account's IAM policies. Allowed when every
 * principal is an account root not known to be another account.
 */
function isDefaultKeyAdministration(s: Statement, context: GuardrailContext): boolean {
  const p = s.principals;
  if (!p || p.wildcard || p.service.length > 0 || p.federated.length > 0 || p.aws.length === 0) return false;
  if (!s.actions.every((a) => a.toLowerCase() === 'kms:*')) return false;
  return p.aws.every((arn) => {
    const info = awsPrincipalInfo(arn, context);
    return info.isAccountRoot && info.sameAccount !== false;
  });
}

/**
 * No Allow statement grants a whole service (`s3:*`, or `s3:**`, `*s3:*`, `s3*`; `*` itself is
 * MIG-IAM-2's), except the default key policy's `kms:*` for the account.
 */
export const noServiceWildcardActions: Rule = {
  id: 'MIG-IAM-3',
  title: "Policies do not allow whole services ('service:*')",
  severity: 'error',
  rationale: "'service:*' includes the destructive and permission-changing actions of that service (s3:DeleteBucket, kms:ScheduleKeyDeletion, iam:PassRole...).",
  fix: "replace 'service:*' with the actions used (e.g. s3:GetObject, s3:PutObject); in a key policy only the account root may get kms:*",
  standard: 'AWS FSBP IAM.21; cdk-nag AwsSolutions-IAM5',
  resourceTypes: POLICY_RESOURCE_TYPES,
  check(resource, _stack, context) {
    const policies = readablePolicies(resource);
    if (policies.length === 0) return notApplicable;
    const problems = policies.flatMap(({ policy, statements }) =>
      statements
        .filter((s) => s.effect === 'Allow')
        .filter((s) => !(policy.kind === 'key' && isDefaultKeyAdministration(s, context)))
        .flatMap((s) => s.actions.filter((a) => grantsWholeService(a) && !grantsEveryAction(a)).map((a) => `${policy.where} ${s.label} allows '${a}'`)),
    );
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
