import { awsPrincipalInfo, readablePolicies, type Statement } from '../../policy';
import { compliant, nonCompliant, notApplicable, type GuardrailContext, type Rule } from '../../types';

/**
 * Conditions that tie a cross-account assumption to a secret, MFA, a named principal or the
 * organisation, with the operators that make the key required and equal to a value. A negated
 * operator (StringNotEquals), `...IfExists`, `Null` or a set operator (ForAllValues holds when the
 * key is absent) does not narrow the callers, nor does a value that is only wildcards. Values are
 * alternatives: one `*` among them, or `false` next to `true` for MFA, lets everyone through.
 */
const STRING_MATCH = ['stringequals', 'stringlike'];
const ACCEPTED_CONDITIONS: Readonly<Record<string, readonly string[]>> = {
  'sts:externalid': STRING_MATCH,
  'aws:principalarn': [...STRING_MATCH, 'arnequals', 'arnlike'],
  'aws:principalorgid': STRING_MATCH,
  'aws:multifactorauthpresent': ['bool'],
};

const onlyWildcards = (value: string) => /^[*?]*$/.test(value);

interface Narrowing {
  /** The accepted keys the statement tests with a narrowing operator and value. */
  readonly narrows: boolean;
  /** Accepted keys tested in a way that does not narrow, as `Operator on key`, for the message. */
  readonly weak: readonly string[];
}

/** Whether the statement's conditions on the `accepted` keys (each with its narrowing operators) narrow who may assume the role. */
function narrowing(s: Statement, accepted: Readonly<Record<string, readonly string[]>>): Narrowing {
  const weak: string[] = [];
  let narrows = false;
  for (const [operator, byKey] of Object.entries(s.conditions)) {
    for (const [key, values] of Object.entries(byKey)) {
      const operators = accepted[key.toLowerCase()];
      if (!operators) continue;
      const narrowingOperator = operators.includes(operator.toLowerCase());
      const narrowingValue =
        values.length > 0 && (key.toLowerCase() === 'aws:multifactorauthpresent' ? values.every((v) => v.toLowerCase() === 'true') : !values.some(onlyWildcards));
      if (narrowingOperator && narrowingValue) narrows = true;
      else weak.push(`${operator} on ${key}`);
    }
  }
  return { narrows, weak };
}

/** `<provider>:sub` keys, matched by suffix, with the string operators that require them. */
function subjectNarrowing(s: Statement): Narrowing {
  const subjects = Object.fromEntries(
    Object.values(s.conditions)
      .flatMap((byKey) => Object.keys(byKey))
      .filter((k) => k.toLowerCase().endsWith(':sub'))
      .map((k) => [k.toLowerCase(), STRING_MATCH]),
  );
  return narrowing(s, subjects);
}

const weakNote = (weak: readonly string[]) => (weak.length === 0 ? '' : ` (conditions that do not narrow it: ${weak.join(', ')})`);

function crossAccountPrincipals(s: Statement, context: GuardrailContext): string[] {
  return (s.principals?.aws ?? []).filter((arn) => {
    const info = awsPrincipalInfo(arn, context);
    // A literal account that is not known to be this one counts as another account.
    return info.sameAccount === false || (info.sameAccount === undefined && info.account !== undefined);
  });
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
  fix: "add a condition that requires the key to the trust statement: StringEquals sts:ExternalId (organisation.iam.externalId), Bool aws:MultiFactorAuthPresent 'true', ArnEquals aws:PrincipalArn <role ARN> or StringEquals aws:PrincipalOrgID; for OIDC, StringLike <provider>:sub",
  standard: 'AWS IAM User Guide: confused deputy / external ID; cdk-nag AwsSolutions-IAM5 (trust scoping)',
  resourceTypes: ['aws_iam_role'],
  check(role, _stack, context) {
    const trust = readablePolicies(role).filter(({ policy }) => policy.kind === 'trust');
    if (trust.length === 0) return notApplicable;
    const problems: string[] = [];
    for (const { statements } of trust) {
      for (const s of statements.filter((st) => st.effect === 'Allow')) {
        const others = crossAccountPrincipals(s, context);
        const accounts = others.length > 0 ? narrowing(s, ACCEPTED_CONDITIONS) : undefined;
        if (accounts && !accounts.narrows) {
          problems.push(
            `trust ${s.label} lets ${others.map((o) => `'${o}'`).join(', ')} assume the role without sts:ExternalId, MFA, aws:PrincipalArn or aws:PrincipalOrgID${weakNote(accounts.weak)}`,
          );
        }
        const federated = s.principals?.federated ?? [];
        const subject = federated.length > 0 ? subjectNarrowing(s) : undefined;
        if (subject && !subject.narrows) {
          problems.push(`trust ${s.label} lets federated ${federated.map((f) => `'${f}'`).join(', ')} assume the role without a ':sub' condition${weakNote(subject.weak)}`);
        }
      }
    }
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
