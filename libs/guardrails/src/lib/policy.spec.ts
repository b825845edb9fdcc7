import {
  actionMatches,
  awsPrincipalInfo,
  conditionKeys,
  conditionValues,
  parsePolicy,
  policiesOf,
  readablePolicies,
  type Statement,
} from './policy';
import { DEV } from './rules/test-support';
import type { GuardrailContext, ResourceView } from './types';

function resource(type: string, config: Record<string, unknown>): ResourceView {
  return { type, name: 'r', address: `${type}.r`, path: 'test/r', config };
}

const doc = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allowGet = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });

/** The one statement `Statement` parses to (fails the test when the policy is unreadable). */
function only(statement: Record<string, unknown>): Statement {
  const parsed = parsePolicy(doc(statement));
  if (!parsed.readable) throw new Error(`unreadable: ${parsed.reason}`);
  expect(parsed.statements).toHaveLength(1);
  return parsed.statements[0];
}

describe('policiesOf', () => {
  it('reads a role trust policy and its inline policies, named or numbered from 1', () => {
    const role = resource('aws_iam_role', {
      assume_role_policy: 'trust',
      inline_policy: [{ name: 'read', policy: 'first' }, { policy: 'second' }, { name: '', policy: 'third' }],
    });
    expect(policiesOf(role)).toEqual([
      { where: 'assume_role_policy', kind: 'trust', text: 'trust' },
      { where: "inline_policy 'read'", kind: 'identity', text: 'first' },
      { where: 'inline_policy #2', kind: 'identity', text: 'second' },
      { where: 'inline_policy #3', kind: 'identity', text: 'third' },
    ]);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
  ])('skips a role trust policy that is %s', (_, text) => {
    expect(policiesOf(resource('aws_iam_role', { assume_role_policy: text }))).toEqual([]);
  });

  it('skips inline policies that are null, have no policy or an empty one', () => {
    const role = resource('aws_iam_role', {
      inline_policy: [null, { name: 'none' }, { name: 'nulled', policy: null }, { name: 'empty', policy: '' }, { name: 'kept', policy: 'text' }],
    });
    expect(policiesOf(role)).toEqual([{ where: "inline_policy 'kept'", kind: 'identity', text: 'text' }]);
  });

  it('ignores an inline_policy that is not a list', () => {
    expect(policiesOf(resource('aws_iam_role', { inline_policy: { name: 'x', policy: 'text' } }))).toEqual([]);
  });

  it.each(['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'])('reads %s as an identity policy', (type) => {
    expect(policiesOf(resource(type, { policy: 'text' }))).toEqual([{ where: 'policy', kind: 'identity', text: 'text' }]);
  });

  it.each(['aws_s3_bucket_policy', 'aws_ecr_repository_policy', 'aws_sns_topic_policy', 'aws_sqs_queue_policy', 'aws_secretsmanager_secret_policy'])(
    'reads %s as a resource policy',
    (type) => {
      expect(policiesOf(resource(type, { policy: 'text' }))).toEqual([{ where: 'policy', kind: 'resource', text: 'text' }]);
    },
  );

  it.each(['aws_kms_key', 'aws_kms_key_policy'])('reads %s as a key policy', (type) => {
    expect(policiesOf(resource(type, { policy: 'text' }))).toEqual([{ where: 'key policy', kind: 'key', text: 'text' }]);
  });

  it.each(['aws_iam_policy', 'aws_s3_bucket_policy', 'aws_kms_key'])('finds nothing on %s without a policy', (type) => {
    expect(policiesOf(resource(type, {}))).toEqual([]);
    expect(policiesOf(resource(type, { policy: '' }))).toEqual([]);
  });

  it('finds nothing on a resource type that carries no policy document, even with a policy argument', () => {
    expect(policiesOf(resource('aws_s3_bucket', { policy: 'text', assume_role_policy: 'text' }))).toEqual([]);
  });
});

describe('parsePolicy', () => {
  it('reads every part of a statement', () => {
    const text = doc(
      {
        Sid: 'Read',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: 'arn:aws:s3:::b/*',
        Principal: { AWS: ['*', 'arn:aws:iam::111111111111:root'], Service: 'ecs-tasks.amazonaws.com', Federated: ['cognito-identity.amazonaws.com'] },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1', 'aws:SourceAccount': ['111111111111', 222222222222] }, Bool: { 'aws:SecureTransport': true } },
      },
      { Effect: 'Deny', NotAction: 'iam:*', NotResource: ['arn:aws:s3:::b', 'arn:aws:s3:::c'], NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' } },
    );
    expect(parsePolicy(text)).toEqual({
      readable: true,
      statements: [
        {
          label: "statement 'Read'",
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:ListBucket'],
          notActions: undefined,
          resources: ['arn:aws:s3:::b/*'],
          notResources: undefined,
          principals: {
            wildcard: true,
            aws: ['arn:aws:iam::111111111111:root'],
            service: ['ecs-tasks.amazonaws.com'],
            federated: ['cognito-identity.amazonaws.com'],
          },
          hasNotPrincipal: false,
          conditions: {
            StringEquals: { 'aws:PrincipalOrgID': ['o-1'], 'aws:SourceAccount': ['111111111111', '222222222222'] },
            Bool: { 'aws:SecureTransport': ['true'] },
          },
        },
        {
          label: 'statement #2',
          effect: 'Deny',
          actions: [],
          notActions: ['iam:*'],
          resources: [],
          notResources: ['arn:aws:s3:::b', 'arn:aws:s3:::c'],
          principals: undefined,
          hasNotPrincipal: true,
          conditions: {},
        },
      ],
    });
  });

  it('reads a single statement written as an object, not a list', () => {
    expect(parsePolicy(JSON.stringify({ Statement: { Effect: 'Allow', Action: 's3:GetObject' } }))).toEqual({
      readable: true,
      statements: [
        { label: 'statement #1', effect: 'Allow', actions: ['s3:GetObject'], resources: [], hasNotPrincipal: false, conditions: {} },
      ],
    });
  });

  it('gives absent and null lists as empty, and an absent Effect as empty', () => {
    const st = only({ Action: null, Resource: null });
    expect(st.effect).toBe('');
    expect(st.actions).toEqual([]);
    expect(st.resources).toEqual([]);
    expect(st.notActions).toBeUndefined();
    expect(st.notResources).toBeUndefined();
    expect(st.principals).toBeUndefined();
    expect(st.hasNotPrincipal).toBe(false);
  });

  it('reads Principal "*" as anyone, with no named principals', () => {
    expect(only({ Effect: 'Allow', Principal: '*' }).principals).toEqual({ wildcard: true, aws: [], service: [], federated: [] });
  });

  it('reads Principal {AWS: "*"} as anyone, and a principal map without "*" as not', () => {
    expect(only({ Principal: { AWS: '*' } }).principals).toEqual({ wildcard: true, aws: [], service: [], federated: [] });
    expect(only({ Principal: { AWS: 'arn:aws:iam::111111111111:role/x' } }).principals).toEqual({
      wildcard: false,
      aws: ['arn:aws:iam::111111111111:role/x'],
      service: [],
      federated: [],
    });
  });

  it('numbers statements without a usable Sid from 1', () => {
    const parsed = parsePolicy(doc({ Sid: '', Effect: 'Allow' }, { Sid: 7, Effect: 'Allow' }, { Effect: 'Allow' }, { Sid: 'Named', Effect: 'Allow' }));
    expect(parsed.readable && parsed.statements.map((s) => s.label)).toEqual(['statement #1', 'statement #2', 'statement #3', "statement 'Named'"]);
  });

  it.each([
    [42, 'is a number, not a JSON string'],
    [undefined, 'is a undefined, not a JSON string'],
    [{ Statement: [] }, 'is a object, not a JSON string'],
  ])('says a %p policy is not a JSON string', (text, reason) => {
    expect(parsePolicy(text)).toEqual({ readable: false, reason });
  });

  it('says a policy is a Terraform expression, around whitespace, shown whole up to 60 characters', () => {
    const sixty = '${data.aws_iam_policy_document.a_rather_long_name_here.json}';
    expect(sixty).toHaveLength(60);
    expect(parsePolicy(`  ${sixty}\n`)).toEqual({ readable: false, reason: `is the Terraform expression '${sixty}', which is only known at apply time` });
  });

  it('shortens a Terraform expression over 60 characters to 57 and "..."', () => {
    const sixtyOne = '${data.aws_iam_policy_document.a_rather_long_name_here_.json}';
    expect(sixtyOne).toHaveLength(61);
    expect(parsePolicy(sixtyOne)).toEqual({
      readable: false,
      reason: "is the Terraform expression '${data.aws_iam_policy_document.a_rather_long_name_here_.j...', which is only known at apply time",
    });
  });

  it('says a policy is not valid JSON, with the parser message', () => {
    const text = '{"Statement": [';
    let message = '';
    try {
      JSON.parse(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(parsePolicy(text)).toEqual({ readable: false, reason: `is not valid JSON (${message})` });
  });

  it.each([
    ['null', 'null'],
    ['no Statement', '{"Version": "2012-10-17"}'],
    ['an empty Statement list', '{"Statement": []}'],
  ])('says a document that is %s has no Statement', (_, text) => {
    expect(parsePolicy(text)).toEqual({ readable: false, reason: 'has no Statement' });
  });

  it('says which statement is not an object, counting from 1', () => {
    expect(parsePolicy(doc('Allow everything'))).toEqual({ readable: false, reason: 'has a statement #1 that is not an object' });
    expect(parsePolicy(doc({ Effect: 'Allow' }, null))).toEqual({ readable: false, reason: 'has a statement #2 that is not an object' });
  });
});

describe('readablePolicies', () => {
  it('keeps the readable policies with their statements and leaves out unreadable ones', () => {
    const role = resource('aws_iam_role', { assume_role_policy: '${data.x.json}', inline_policy: [{ name: 'read', policy: allowGet }] });
    expect(readablePolicies(role)).toEqual([
      {
        policy: { where: "inline_policy 'read'", kind: 'identity', text: allowGet },
        statements: [{ label: 'statement #1', effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'], hasNotPrincipal: false, conditions: {} }],
      },
    ]);
  });
});

describe('actionMatches', () => {
  it.each([
    ['s3:GetObject', 's3:GetObject', true],
    ['s3:GetObject', 'S3:GETOBJECT', true],
    ['s3:Get*', 's3:GetObject', true],
    ['s3:Get*', 's3:Get', true],
    ['kms:*', 'kms:Decrypt', true],
    ['*', 'iam:PassRole', true],
    ['s3:Get?bject', 's3:GetObject', true],
    ['s3:GetObject', 's3:PutObject', false],
    ['s3:Get', 's3:GetObject', false],
    ['Object', 's3:GetObject', false],
    ['s3:Get?bject', 's3:Getbject', false],
    ['s3:Get.bject', 's3:Getbject', false],
    ['s3:Get.bject', 's3:GetObject', false],
    ['s3:(Get)', 's3:Get', false],
    ['s3:(Get)', 's3:(Get)', true],
  ])('%s against %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe('conditions', () => {
  const st = only({
    Effect: 'Allow',
    Condition: {
      StringEquals: { 'aws:PrincipalOrgID': 'o-1', 'AWS:SourceAccount': '111111111111' },
      StringLike: { 'aws:principalorgid': ['o-2*'] },
    },
  });

  it('lists the keys tested, lower-cased', () => {
    expect(conditionKeys(st)).toEqual(['aws:principalorgid', 'aws:sourceaccount', 'aws:principalorgid']);
  });

  it('gives the values of one key under any operator, matching the key case-insensitively', () => {
    expect(conditionValues(st, 'aws:PrincipalOrgId')).toEqual(['o-1', 'o-2*']);
    expect(conditionValues(st, 'aws:sourceaccount')).toEqual(['111111111111']);
    expect(conditionValues(st, 'aws:SourceArn')).toEqual([]);
  });
});

describe('awsPrincipalInfo', () => {
  const unknownAccount: GuardrailContext = { ...DEV, accountId: undefined };

  it.each([
    ['a bare account id', '111111111111', { account: '111111111111', isAccountRoot: true, sameAccount: true }],
    ['a root ARN in this account', 'arn:aws:iam::111111111111:root', { account: '111111111111', isAccountRoot: true, sameAccount: true }],
    ['a role in another account', 'arn:aws:iam::222222222222:role/x', { account: '222222222222', isAccountRoot: false, sameAccount: false }],
    ['an STS session in GovCloud', 'arn:aws-us-gov:sts::222222222222:assumed-role/x/y', { account: '222222222222', isAccountRoot: false, sameAccount: false }],
    ['a bare id of another account', '222222222222', { account: '222222222222', isAccountRoot: true, sameAccount: false }],
  ])('%s', (_, principal, expected) => {
    expect(awsPrincipalInfo(principal, DEV)).toEqual(expected);
  });

  it.each([
    ['13 digits', '1111111111112'],
    ['11 digits', '11111111111'],
    ['a prefix before 12 digits', 'x111111111111'],
    ['a role whose name starts with root', 'arn:aws:iam::${var.account}:role/rootless'],
    ['a user named root-admin', '${aws_iam_user.x.arn}:root-admin'],
  ])('does not take %s for an account', (_, principal) => {
    expect(awsPrincipalInfo(principal, DEV)).toEqual({ isAccountRoot: false, sameAccount: undefined });
  });

  it('takes a non-literal ARN ending in :root for an account root of unknown account', () => {
    expect(awsPrincipalInfo('arn:aws:iam::${var.account}:root', DEV)).toEqual({ isAccountRoot: true, sameAccount: undefined });
  });

  it('cannot tell for a literal account when the context does not name this account', () => {
    expect(awsPrincipalInfo('arn:aws:iam::111111111111:root', unknownAccount)).toEqual({ account: '111111111111', isAccountRoot: true, sameAccount: undefined });
  });

  it('takes a reference to the caller identity for this account', () => {
    expect(awsPrincipalInfo('arn:aws:iam::${data.aws_caller_identity.current.account_id}:root', unknownAccount)).toEqual({
      isAccountRoot: true,
      sameAccount: true,
    });
    expect(awsPrincipalInfo('arn:aws:iam::${data.aws_caller_identity.c.account_id}:role/app', unknownAccount)).toEqual({
      isAccountRoot: false,
      sameAccount: true,
    });
  });

  it('cannot tell for references to anything else', () => {
    expect(awsPrincipalInfo('${aws_iam_role.app.arn}', DEV)).toEqual({ isAccountRoot: false, sameAccount: undefined });
    expect(awsPrincipalInfo('arn:aws:iam::${data.aws_caller_identity.account_id}:root', DEV)).toEqual({ isAccountRoot: true, sameAccount: undefined });
    expect(awsPrincipalInfo('arn:aws:iam::${data.aws_caller_identity.a.b.account_id}:root', DEV)).toEqual({ isAccountRoot: true, sameAccount: undefined });
  });
});
