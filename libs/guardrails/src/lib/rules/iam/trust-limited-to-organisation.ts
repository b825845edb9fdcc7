import { awsPrincipalInfo, readablePolicies } from '../../policy';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** An AWS service principal (`ecs-tasks.amazonaws.com`). */
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com$/;

/**
 * A role may be assumed only by AWS services and by principals of this organisation's
 * accounts (roles, account roots, the organisation's own OIDC provider). IAM has no
 * condition key on a new role's trust policy, so this is where a role the deploy role
 * creates is kept from trusting an outside account (or anyone) and becoming a door
 * around the permissions boundary.
 */
export const trustLimitedToOrganisation: Rule = {
  id: 'MIG-IAM-9',
  title: "Roles trust only AWS services and the organisation's accounts",
  severity: 'error',
  rationale:
    "A role trusted by an account outside the organisation lends its permissions out of the estate; the deploy role can create roles, so their trust is the escalation path the boundary cannot close.",
  fix: "trust a service principal ('<service>.amazonaws.com') or a role/root of an account in the organisation model (accounts.*.id)",
  standard: 'AWS IAM User Guide: cross-account access, confused deputy; AWS FSBP IAM (trust policies)',
  resourceTypes: ['aws_iam_role'],
  check(role, _stack, context) {
    const trust = readablePolicies(role).filter(({ policy }) => policy.kind === 'trust');
    if (trust.length === 0) return notApplicable;
    const known = context.organisationAccountIds;
    const problems: string[] = [];
    for (const { statements } of trust) {
      for (const s of statements.filter((st) => st.effect === 'Allow')) {
        if (s.principals?.wildcard) problems.push(`trust ${s.label} lets '*' assume the role`);
        for (const service of s.principals?.service ?? []) {
          if (!SERVICE_PRINCIPAL.test(service)) problems.push(`trust ${s.label} names service '${service}', which is not an AWS service principal`);
        }
        for (const principal of [...(s.principals?.aws ?? []), ...(s.principals?.federated ?? [])]) {
          const info = awsPrincipalInfo(principal, context);
          if (info.sameAccount === true) continue;
          const account = info.account ?? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(principal)?.[1];
          if (known && account && !known.includes(account)) {
            problems.push(`trust ${s.label} lets '${principal}' (account ${account}, not in the organisation) assume the role`);
          } else if (!account && info.sameAccount === undefined && !principal.includes('${')) {
            problems.push(`trust ${s.label} names '${principal}', which is not a role or account of the organisation`);
          }
        }
      }
    }
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
