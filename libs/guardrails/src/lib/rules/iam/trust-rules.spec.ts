import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Fn } from 'cdktf';
import { type GuardrailContext, nonCompliant, type Rule, type RuleResult } from '../../types';
import { DEV, resultFor, testStack } from '../test-support';
import { crossAccountTrustHasCondition } from './cross-account-trust-has-condition';
import { trustLimitedToOrganisation } from './trust-limited-to-organisation';

type Statement = Record<string, unknown>;

const doc = (...Statement: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const assume = (statement: Statement): Statement => ({ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement });
const ecs = assume({ Principal: { Service: 'ecs-tasks.amazonaws.com' } });

/** DEV with the organisation's accounts known: this account (111…) and the ops account (222…). */
const ORG: GuardrailContext = { ...DEV, organisationAccountIds: ['111111111111', '222222222222'] };
/** A context that does not say which account the stack deploys into. */
const NO_ACCOUNT: GuardrailContext = { environment: 'dev', tier: 'non-production', namePrefix: 'dev-', requiredTagKeys: [] };

const COMPLIANT: RuleResult = { status: 'compliant' };
const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };

/** What `rule` says about a role with this trust policy (and optionally an inline policy). */
function trustResult(rule: Rule, assumeRolePolicy: string, context: GuardrailContext, inline?: string): RuleResult {
  const stack = testStack();
  new IamRole(stack, 'role', { name: 'dev-app', assumeRolePolicy, inlinePolicy: inline ? [{ name: 'read', policy: inline }] : undefined });
  return resultFor(stack, rule, 'aws_iam_role.role', context);
}

describe('MIG-IAM-9 trust policies name only services and organisation accounts', () => {
  const check = (context: GuardrailContext, ...statements: Statement[]) => trustResult(trustLimitedToOrganisation, doc(...statements), context);

  it('judges only the trust policy: principals in an inline policy are not who may assume the role', () => {
    const inline = doc({ Effect: 'Allow', Principal: { AWS: ['*', 'arn:aws:iam::999999999999:root'] }, Action: 's3:GetObject', Resource: '*' });
    expect(trustResult(trustLimitedToOrganisation, doc(ecs), ORG, inline)).toEqual(COMPLIANT);
  });

  it('is not applicable when the trust policy cannot be read, even when an inline policy can', () => {
    const inline = doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' });
    expect(trustResult(trustLimitedToOrganisation, Fn.jsonencode({ Statement: [] }), ORG, inline)).toEqual(NOT_APPLICABLE);
  });

  it('ignores Deny statements, whoever they name', () => {
    expect(check(ORG, ecs, { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::999999999999:root', Service: 'evil.example.com' }, Action: '*' })).toEqual(
      COMPLIANT,
    );
  });

  it("reports '*' as letting anyone assume the role", () => {
    expect(check(ORG, assume({ Sid: 'Anyone', Principal: '*' }))).toEqual(nonCompliant("trust statement 'Anyone' lets '*' assume the role"));
  });

  it('rejects a service that is not an AWS service principal, next to one that is', () => {
    expect(check(ORG, assume({ Principal: { Service: ['ecs-tasks.amazonaws.com', 'attacker.example.com'] } }))).toEqual(
      nonCompliant("trust statement #1 names service 'attacker.example.com', which is not an AWS service principal"),
    );
  });

  it('finds nothing to object to in a statement without a Principal', () => {
    expect(check(ORG, { Effect: 'Allow', Action: 'sts:AssumeRole' })).toEqual(COMPLIANT);
    expect(check(DEV, { Effect: 'Allow', Action: 'sts:AssumeRole' })).toEqual(COMPLIANT);
  });

  it('checks federated identity providers by their account like AWS principals', () => {
    const provider = (account: string) => `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
    expect(check(ORG, assume({ Principal: { Federated: provider('222222222222') } }))).toEqual(COMPLIANT);
    expect(check(ORG, assume({ Principal: { Federated: provider('999999999999') } }))).toEqual(
      nonCompliant(`trust statement #1 lets '${provider('999999999999')}' (account 999999999999, not in the organisation) assume the role`),
    );
  });

  it('reads bare account ids and STS session ARNs as their account, and lists every problem', () => {
    expect(check(ORG, assume({ Principal: { AWS: ['999999999999', 'arn:aws:sts::888888888888:assumed-role/ci/session', '222222222222'] } }))).toEqual(
      nonCompliant(
        "trust statement #1 lets '999999999999' (account 999999999999, not in the organisation) assume the role; " +
          "trust statement #1 lets 'arn:aws:sts::888888888888:assumed-role/ci/session' (account 888888888888, not in the organisation) assume the role",
      ),
    );
  });

  it("always trusts the stack's own account, even when the organisation list leaves it out", () => {
    const opsOnly: GuardrailContext = { ...DEV, organisationAccountIds: ['222222222222'] };
    expect(check(opsOnly, assume({ Principal: { AWS: ['arn:aws:iam::111111111111:root', '111111111111', 'arn:aws:iam::${data.aws_caller_identity.current.account_id}:root'] } }))).toEqual(
      COMPLIANT,
    );
  });

  it('leaves references to roles of this configuration to the checks of those roles', () => {
    expect(check(ORG, assume({ Principal: { AWS: '${aws_iam_role.ci.arn}' } }))).toEqual(COMPLIANT);
  });

  it('does not judge literal accounts when the organisation accounts are not known', () => {
    expect(check(DEV, assume({ Principal: { AWS: 'arn:aws:iam::999999999999:role/partner' } }))).toEqual(COMPLIANT);
  });

  it('passes an organisation account when the own account id is not known', () => {
    const orgOnly: GuardrailContext = { ...NO_ACCOUNT, organisationAccountIds: ['111111111111', '222222222222'] };
    expect(check(orgOnly, assume({ Principal: { AWS: 'arn:aws:iam::222222222222:role/estate-ci' } }))).toEqual(COMPLIANT);
    expect(check(orgOnly, assume({ Principal: { AWS: 'arn:aws:iam::999999999999:role/estate-ci' } }))).toEqual(
      nonCompliant("trust statement #1 lets 'arn:aws:iam::999999999999:role/estate-ci' (account 999999999999, not in the organisation) assume the role"),
    );
  });

  it('reports a principal that is neither a role nor an account, with or without the organisation list', () => {
    for (const context of [ORG, DEV]) {
      expect(check(context, assume({ Principal: { AWS: 'ci-user' } }))).toEqual(nonCompliant("trust statement #1 names 'ci-user', which is not a role or account of the organisation"));
    }
  });

  it('does not read an account out of a malformed ARN', () => {
    for (const principal of [
      'arn:aws:iam::1:root', // account id of the wrong length
      'arn:aws:iam::XXXXXXXXXXXX:root', // placeholder left in
      'arn:aws::iam::999999999999:root', // doubled colon
      ' arn:aws:iam::999999999999:root', // stray leading space
    ]) {
      expect(check(ORG, assume({ Principal: { AWS: principal } }))).toEqual(nonCompliant(`trust statement #1 names '${principal}', which is not a role or account of the organisation`));
    }
  });
});

describe('MIG-IAM-6 cross-account and federated trust carries a condition', () => {
  const check = (context: GuardrailContext, ...statements: Statement[]) => trustResult(crossAccountTrustHasCondition, doc(...statements), context);
  const other = (Condition?: Record<string, unknown>) => assume({ Principal: { AWS: 'arn:aws:iam::444444444444:root' }, ...(Condition ? { Condition } : {}) });
  const withoutCondition = (label: string, principals: string) =>
    `trust ${label} lets ${principals} assume the role without sts:ExternalId, MFA, aws:PrincipalArn or aws:PrincipalOrgID`;

  it('judges only the trust policy', () => {
    const inline = doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444444444444:root' }, Action: 's3:GetObject', Resource: '*' });
    expect(trustResult(crossAccountTrustHasCondition, doc(ecs), DEV, inline)).toEqual(COMPLIANT);
  });

  it('is not applicable when the trust policy cannot be read, even when an inline policy can', () => {
    const inline = doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444444444444:root' }, Action: 's3:GetObject', Resource: '*' });
    expect(trustResult(crossAccountTrustHasCondition, Fn.jsonencode({ Statement: [] }), DEV, inline)).toEqual(NOT_APPLICABLE);
  });

  it('asks nothing of Deny statements', () => {
    expect(check(DEV, ecs, { Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::444444444444:root', Federated: 'accounts.google.com' }, Action: 'sts:AssumeRole' })).toEqual(COMPLIANT);
  });

  it('finds nothing to object to in a statement without a Principal', () => {
    expect(check(DEV, { Effect: 'Allow', Action: 'sts:AssumeRole' })).toEqual(COMPLIANT);
  });

  it('counts every literal account as another account when the own account id is not known', () => {
    expect(check(NO_ACCOUNT, assume({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } }))).toEqual(nonCompliant(withoutCondition('statement #1', "'arn:aws:iam::111111111111:root'")));
  });

  it('does not count references (roles of this configuration, the caller account) as other accounts', () => {
    expect(check(DEV, assume({ Principal: { AWS: ['${aws_iam_role.ci.arn}', 'arn:aws:iam::${data.aws_caller_identity.current.account_id}:root'] } }))).toEqual(COMPLIANT);
    expect(check(NO_ACCOUNT, assume({ Principal: { AWS: '${aws_iam_role.ci.arn}' } }))).toEqual(COMPLIANT);
  });

  it('accepts aws:MultiFactorAuthPresent = true, in any letter case', () => {
    for (const value of ['true', 'True']) expect(check(DEV, other({ Bool: { 'aws:MultiFactorAuthPresent': value } }))).toEqual(COMPLIANT);
  });

  it('accepts MFA required as Bool true together with Null false', () => {
    expect(check(DEV, other({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, Null: { 'aws:MultiFactorAuthPresent': 'false' } }))).toEqual(COMPLIANT);
  });

  it('accepts another narrowing condition next to aws:MultiFactorAuthPresent = false', () => {
    for (const extra of [{ 'sts:ExternalId': 'estate' }, { 'aws:PrincipalOrgID': 'o-abc123' }, { 'aws:PrincipalArn': 'arn:aws:iam::444444444444:role/ops-ci' }]) {
      expect(check(DEV, other({ Bool: { 'aws:MultiFactorAuthPresent': 'false' }, StringEquals: extra }))).toEqual(COMPLIANT);
    }
  });

  it('accepts aws:PrincipalOrgID but not aws:SourceOrgID, which says nothing about the caller', () => {
    expect(check(DEV, other({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }))).toEqual(COMPLIANT);
    expect(check(DEV, other({ StringEquals: { 'aws:SourceOrgID': 'o-abc123' } }))).toEqual(nonCompliant(withoutCondition('statement #1', "'arn:aws:iam::444444444444:root'")));
  });

  it('names every other account of a statement, and every statement', () => {
    expect(
      check(
        DEV,
        assume({ Sid: 'Partners', Principal: { AWS: ['arn:aws:iam::444444444444:root', '111111111111', '555555555555'] } }),
        assume({ Principal: { AWS: 'arn:aws:iam::666666666666:role/x' } }),
      ),
    ).toEqual(nonCompliant(`${withoutCondition("statement 'Partners'", "'arn:aws:iam::444444444444:root', '555555555555'")}; ${withoutCondition('statement #2', "'arn:aws:iam::666666666666:role/x'")}`));
  });

  it('passes web identity federation with a sub condition next to the audience', () => {
    const github = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
    expect(
      check(
        DEV,
        assume({
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: github },
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:estate/infra:*' } },
        }),
      ),
    ).toEqual(COMPLIANT);
  });

  it.each([
    ['Null on sts:ExternalId', { Null: { 'sts:ExternalId': 'false' } }, 'Null on sts:ExternalId'],
    ['StringNotEquals on sts:ExternalId', { StringNotEquals: { 'sts:ExternalId': 'guess' } }, 'StringNotEquals on sts:ExternalId'],
    ['StringEqualsIfExists on sts:ExternalId', { StringEqualsIfExists: { 'sts:ExternalId': 'estate' } }, 'StringEqualsIfExists on sts:ExternalId'],
    ["StringLike '*' on aws:PrincipalOrgID", { StringLike: { 'aws:PrincipalOrgID': '*' } }, 'StringLike on aws:PrincipalOrgID'],
    ["ArnLike '*' on aws:PrincipalArn", { ArnLike: { 'aws:PrincipalArn': ['*'] } }, 'ArnLike on aws:PrincipalArn'],
    ['ForAllValues:StringEquals on aws:PrincipalOrgID', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } }, 'ForAllValues:StringEquals on aws:PrincipalOrgID'],
    ['BoolIfExists true on aws:MultiFactorAuthPresent', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }, 'BoolIfExists on aws:MultiFactorAuthPresent'],
  ])('does not accept %s, which lets callers through without the key', (_, condition, weak) => {
    expect(check(DEV, other(condition))).toEqual(
      nonCompliant(`${withoutCondition('statement #1', "'arn:aws:iam::444444444444:root'")} (conditions that do not narrow it: ${weak})`),
    );
  });

  it('reads condition values as alternatives: one wildcard, or false next to true, lets everyone through; no value narrows nothing', () => {
    const weak = (conditions: string) => nonCompliant(`${withoutCondition('statement #1', "'arn:aws:iam::444444444444:root'")} (conditions that do not narrow it: ${conditions})`);
    expect(check(DEV, other({ StringEquals: { 'aws:PrincipalOrgID': ['o-abc123', '*'] } }))).toEqual(weak('StringEquals on aws:PrincipalOrgID'));
    expect(check(DEV, other({ Bool: { 'aws:MultiFactorAuthPresent': ['true', 'false'] } }))).toEqual(weak('Bool on aws:MultiFactorAuthPresent'));
    expect(check(DEV, other({ StringEquals: { 'sts:ExternalId': [] } }))).toEqual(weak('StringEquals on sts:ExternalId'));
    // StringLike's wildcards in any number match every value too; one letter beside them narrows.
    expect(check(DEV, other({ StringLike: { 'aws:PrincipalOrgID': ['**?'] } }))).toEqual(weak('StringLike on aws:PrincipalOrgID'));
    expect(check(DEV, other({ StringLike: { 'aws:PrincipalOrgID': ['o-*'] } }))).toEqual(COMPLIANT);
    expect(check(DEV, other({ Bool: { 'aws:MultiFactorAuthPresent': ['true', 'TRUE'] } }))).toEqual(COMPLIANT);
  });

  it('names every condition that does not narrow', () => {
    expect(check(DEV, other({ Null: { 'sts:ExternalId': 'false' }, StringNotEquals: { 'aws:PrincipalOrgID': 'o-other' } }))).toEqual(
      nonCompliant(
        `${withoutCondition('statement #1', "'arn:aws:iam::444444444444:root'")} (conditions that do not narrow it: Null on sts:ExternalId, StringNotEquals on aws:PrincipalOrgID)`,
      ),
    );
  });

  it('accepts a required key next to conditions that do not narrow, in any operator letter case', () => {
    expect(check(DEV, other({ stringequals: { 'STS:EXTERNALID': 'estate' }, Null: { 'sts:ExternalId': 'false' } }))).toEqual(COMPLIANT);
    expect(check(DEV, other({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::444444444444:role/ops-*' } }))).toEqual(COMPLIANT);
  });

  it("does not accept a ':sub' condition that matches every subject, or one that only tests its presence", () => {
    const federated = (Condition: Record<string, unknown>) =>
      check(DEV, assume({ Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' }, Condition }));
    const message = (weak: string) =>
      nonCompliant(
        `trust statement #1 lets federated 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' assume the role without a ':sub' condition (conditions that do not narrow it: ${weak})`,
      );
    expect(federated({ StringLike: { 'token.actions.githubusercontent.com:sub': '*' } })).toEqual(message('StringLike on token.actions.githubusercontent.com:sub'));
    expect(federated({ Null: { 'token.actions.githubusercontent.com:sub': 'false' } })).toEqual(message('Null on token.actions.githubusercontent.com:sub'));
    expect(federated({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:estate/infra:ref:refs/heads/main' } })).toEqual(COMPLIANT);
  });

  it('names every federated provider of a statement without a sub condition', () => {
    expect(check(DEV, assume({ Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: ['accounts.google.com', 'cognito-identity.amazonaws.com'] } }))).toEqual(
      nonCompliant("trust statement #1 lets federated 'accounts.google.com', 'cognito-identity.amazonaws.com' assume the role without a ':sub' condition"),
    );
  });
});
