import { awsPrincipalInfo, conditionKeys, conditionValues, readablePolicies, type Statement } from '../../policy';
import { compliant, nonCompliant, notApplicable, type GuardrailContext, type Rule } from '../../types';

/** Conditions that tie a cross-account assumption to a secret, MFA, a named principal or the organisation. */
const ACCEPTED_CONDITIONS = ['sts:externalid', 'aws:multifactorauthpresent', 'aws:principalarn', 'aws:principalorgid'];

function crossAccountPrincipals(s: Statement, context: GuardrailContext): string[] {
  return (s.principals?.aws ?? []).filter((arn) => {
    const info = awsPrincipalInfo(arn, context);
    // A literal account that is not known to be this one counts as another account.
    return info.sameAccount === false || (info.sameAccount === undefined && info.account !== undefined);
  });
}

function hasAcceptedCondition(s: Statement): boolean {
  const keys = conditionKeys(s);
  if (keys.includes('aws:multifactorauthpresent') && !conditionValues(s, 'aws:MultiFactorAuthPresent').some((v) => v.toLowerCase() === 'true')) {
    return ACCEPTED_CONDITIONS.filter((k) => k !== 'aws:multifactorauthpresent').some((k) => keys.includes(k));
  }
  return ACCEPTED_CONDITIONS.some((k) => keys.includes(k));
}

/**
 * A trust policy that lets another account (or a federated identity provider) assume
 * the role narrows who may do it: sts:ExternalId, aws:MultiFactorAuthPresent=true,
 * aws:PrincipalArn or aws:PrincipalOrgID for accounts; a `<provider>:sub` condition
 * for web identity federation (otherwise any repository/workload of that provider qualifies).
 */
export const crossAccountTrustHasCondition: Rule = {
  id: 'MIG-IAM-6',
  title: 'Cross-account and federated trust carries a condition',
  severity: 'error',
  rationale:
    "Trusting 'arn:aws:iam::<other>:root' delegates to every admin of that account (confused deputy); trusting an OIDC provider without a sub condition lets any of its tokens in.",
  fix: "add a condition to the trust statement: StringEquals sts:ExternalId (organisation.iam.externalId), Bool aws:MultiFactorAuthPresent 'true', ArnEquals aws:PrincipalArn <role ARN> or StringEquals aws:PrincipalOrgID; for OIDC, StringLike <provider>:sub",
  standard: 'AWS IAM User Guide: confused deputy / external ID; cdk-nag AwsSolutions-IAM5 (trust scoping)',
  resourceTypes: ['aws_iam_role'],
  check(role, _stack, context) {
    const trust = readablePolicies(role).filter(({ policy }) => policy.kind === 'trust');
    if (trust.length === 0) return notApplicable;
    const problems: string[] = [];
    for (const { statements } of trust) {
      for (const s of statements.filter((st) => st.effect === 'Allow')) {
        const others = crossAccountPrincipals(s, context);
        if (others.length > 0 && !hasAcceptedCondition(s)) {
          problems.push(`trust ${s.label} lets ${others.map((o) => `'${o}'`).join(', ')} assume the role without sts:ExternalId, MFA, aws:PrincipalArn or aws:PrincipalOrgID`);
        }
        const federated = s.principals?.federated ?? [];
        if (federated.length > 0 && !conditionKeys(s).some((k) => k.endsWith(':sub'))) {
          problems.push(`trust ${s.label} lets federated ${federated.map((f) => `'${f}'`).join(', ')} assume the role without a ':sub' condition`);
        }
      }
    }
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
