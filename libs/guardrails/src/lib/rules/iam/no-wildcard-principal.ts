import { conditionKeys, readablePolicies, POLICY_RESOURCE_TYPES } from '../../policy';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** Conditions that limit a `*` principal in a resource policy to the organisation, an account or a source. */
const SCOPING_CONDITIONS = [
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourcevpce',
  'aws:sourcevpc',
  'kms:calleraccount',
];

/**
 * No Allow to Principal `*`: never in a trust policy; in resource and key policies only
 * with a condition that scopes it to the organisation, an account or a source.
 * (Deny statements for `*`, such as the TLS-only bucket statement, are fine.)
 */
export const noWildcardPrincipal: Rule = {
  id: 'MIG-IAM-7',
  title: "No Allow to Principal '*' (unscoped)",
  severity: 'error',
  rationale: "Principal '*' is every AWS account and anonymous callers; in a trust policy it lets anyone assume the role, in a resource policy it publishes the resource.",
  fix: "name the principals (account root, role ARN or service); in a resource policy a '*' principal needs a condition such as aws:PrincipalOrgID or aws:SourceArn",
  standard: 'AWS FSBP S3.2/S3.3, KMS.5, ECR (public repository); cdk-nag AwsSolutions-ECR1',
  resourceTypes: POLICY_RESOURCE_TYPES,
  check(resource) {
    const policies = readablePolicies(resource).filter(({ policy }) => policy.kind !== 'identity');
    if (policies.length === 0) return notApplicable;
    const problems = policies.flatMap(({ policy, statements }) =>
      statements
        .filter((s) => s.effect === 'Allow' && s.principals?.wildcard)
        .filter((s) => policy.kind === 'trust' || !conditionKeys(s).some((k) => SCOPING_CONDITIONS.includes(k)))
        .map((s) => `${policy.where} ${s.label} allows Principal '*'${policy.kind === 'trust' ? '' : ' without a scoping condition'}`),
    );
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
