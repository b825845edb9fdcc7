import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Fn } from 'cdktf';
import { nonCompliant, type Rule, type RuleResult } from '../../types';
import { resultFor, testStack } from '../test-support';
import { noDecryptOnAllKeys } from './no-decrypt-on-all-keys';
import { noServiceWildcardActions } from './no-service-wildcard-actions';
import { noWildcardActions } from './no-wildcard-actions';

type Statement = Record<string, unknown>;

const doc = (...Statement: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const COMPLIANT: RuleResult = { status: 'compliant' };
const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };
/** The account the specs deploy into (DEV) and its root. */
const ROOT = 'arn:aws:iam::111111111111:root';

/** What `rule` says about an inline role policy (aws_iam_role_policy) with these statements. */
function identity(rule: Rule, ...statements: Statement[]): RuleResult {
  const stack = testStack();
  new IamRolePolicy(stack, 'policy', { role: 'dev-app', policy: doc(...statements) });
  return resultFor(stack, rule, 'aws_iam_role_policy.policy');
}

/** What `rule` says about a KMS key with this key policy. */
function keyPolicy(rule: Rule, ...statements: Statement[]): RuleResult {
  const stack = testStack();
  new KmsKey(stack, 'key', { enableKeyRotation: true, policy: doc(...statements) });
  return resultFor(stack, rule, 'aws_kms_key.key');
}

describe('MIG-IAM-2 no action * (edges)', () => {
  it('lets Deny statements name every action', () => {
    expect(identity(noWildcardActions, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })).toEqual(COMPLIANT);
  });

  it("finds '*' and '*:*' among named actions, in every statement", () => {
    expect(identity(noWildcardActions, { Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: '*' }, { Sid: 'All', Effect: 'Allow', Action: '*:*', Resource: '*' })).toEqual(
      nonCompliant("policy statement #1 allows action '*'; policy statement 'All' allows action '*'"),
    );
  });

  it.each(['**', '*:**', '**:*'])("finds every action written as '%s'", (action) => {
    expect(identity(noWildcardActions, { Effect: 'Allow', Action: action, Resource: '*' })).toEqual(nonCompliant("policy statement #1 allows action '*'"));
  });

  it('does not count a whole service or a wildcard service prefix as every action', () => {
    expect(identity(noWildcardActions, { Effect: 'Allow', Action: ['s3:*', '*s3:*', 's3*', '*:Get*'], Resource: '*' })).toEqual(COMPLIANT);
  });
});

describe('MIG-IAM-3 no service:* (edges)', () => {
  it('is not applicable to a policy it cannot read', () => {
    const stack = testStack();
    new IamRolePolicy(stack, 'policy', { role: 'dev-app', policy: Fn.jsonencode({ Statement: [] }) });
    expect(resultFor(stack, noServiceWildcardActions, 'aws_iam_role_policy.policy')).toEqual(NOT_APPLICABLE);
  });

  it('lets Deny statements name whole services', () => {
    expect(identity(noServiceWildcardActions, { Effect: 'Deny', Action: ['s3:*', 'iam:*'], Resource: '*' })).toEqual(COMPLIANT);
  });

  it('does not count partial wildcards as whole services', () => {
    expect(identity(noServiceWildcardActions, { Effect: 'Allow', Action: ['s3:Get*', 's3:*Object', 'kms:Describe*'], Resource: '*' })).toEqual(COMPLIANT);
  });

  it.each(['s3:**', '*s3:*', 's3*', 'S3:?*', 's3:*?*'])("finds '%s', which still grants every action of a service", (action) => {
    expect(identity(noServiceWildcardActions, { Effect: 'Allow', Action: ['s3:GetObject', action], Resource: '*' })).toEqual(nonCompliant(`policy statement #1 allows '${action}'`));
  });

  it("does not count an action without ':' that ends in a name as a whole service", () => {
    expect(identity(noServiceWildcardActions, { Effect: 'Allow', Action: ['s3', 's3*Object', '?3:GetObject'], Resource: '*' })).toEqual(COMPLIANT);
  });

  it("leaves '*' itself to MIG-IAM-2", () => {
    expect(identity(noServiceWildcardActions, { Effect: 'Allow', Action: ['*', '*:*', '**'], Resource: '*' })).toEqual(COMPLIANT);
  });

  it('lists every whole-service action of every statement', () => {
    expect(identity(noServiceWildcardActions, { Effect: 'Allow', Action: ['s3:*', 'S3:GetObject', 'SQS:*'], Resource: '*' }, { Sid: 'Compute', Effect: 'Allow', Action: 'ec2:*', Resource: '*' })).toEqual(
      nonCompliant("policy statement #1 allows 's3:*'; policy statement #1 allows 'SQS:*'; policy statement 'Compute' allows 'ec2:*'"),
    );
  });

  it('accepts the default key administration in upper case too', () => {
    expect(keyPolicy(noServiceWildcardActions, { Effect: 'Allow', Principal: { AWS: [ROOT, '111111111111'] }, Action: 'KMS:*', Resource: '*' })).toEqual(COMPLIANT);
  });

  it('is the default key administration only when kms:* is all the statement allows', () => {
    expect(keyPolicy(noServiceWildcardActions, { Sid: 'Mixed', Effect: 'Allow', Principal: { AWS: ROOT }, Action: ['kms:*', 'kms:Decrypt'], Resource: '*' })).toEqual(
      nonCompliant("key policy statement 'Mixed' allows 'kms:*'"),
    );
  });

  it('is the default key administration only when every principal is a root of this account', () => {
    expect(keyPolicy(noServiceWildcardActions, { Effect: 'Allow', Principal: { AWS: [ROOT, 'arn:aws:iam::999999999999:root'] }, Action: 'kms:*', Resource: '*' })).toEqual(
      nonCompliant("key policy statement #1 allows 'kms:*'"),
    );
  });

  it('is never the default key administration with anyone, a service, a federated or canonical user, or no principal', () => {
    for (const Principal of [
      '*',
      { AWS: ['*', ROOT] },
      { AWS: ROOT, Service: 'logs.amazonaws.com' },
      { AWS: ROOT, Federated: 'arn:aws:iam::111111111111:saml-provider/corp' },
      { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
      undefined,
    ]) {
      expect(keyPolicy(noServiceWildcardActions, { Effect: 'Allow', Principal, Action: 'kms:*', Resource: '*' })).toEqual(nonCompliant("key policy statement #1 allows 'kms:*'"));
    }
  });

  it('grants the default key administration exemption only in key policies', () => {
    const stack = testStack();
    new S3BucketPolicy(stack, 'policy', { bucket: 'dev-data', policy: doc({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }) });
    expect(resultFor(stack, noServiceWildcardActions, 'aws_s3_bucket_policy.policy')).toEqual(nonCompliant("policy statement #1 allows 'kms:*'"));
  });
});

describe('MIG-IAM-5 no kms:Decrypt on all keys (edges)', () => {
  const ALL_KEYS = 'arn:aws:kms:us-east-1:111111111111:key/*';
  const NAMED_KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('lets Deny statements decrypt on every key', () => {
    expect(identity(noDecryptOnAllKeys, { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' })).toEqual(COMPLIANT);
  });

  it('leaves other KMS actions on every key alone', () => {
    expect(identity(noDecryptOnAllKeys, { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: '*' })).toEqual(COMPLIANT);
  });

  it('reports decryption among other actions, naming all of them', () => {
    expect(identity(noDecryptOnAllKeys, { Effect: 'Allow', Action: ['kms:DescribeKey', 'kms:ReEncryptFrom'], Resource: '*' })).toEqual(
      nonCompliant("policy statement #1 allows decryption (kms:DescribeKey, kms:ReEncryptFrom) on Resource '*'"),
    );
  });

  it('reports an all-keys resource next to a named key, naming only the all-keys one', () => {
    expect(identity(noDecryptOnAllKeys, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: [NAMED_KEY, ALL_KEYS] })).toEqual(
      nonCompliant(`policy statement #1 allows decryption (kms:Decrypt) on Resource '${ALL_KEYS}'`),
    );
  });

  it("counts every KMS resource of an account (':*') as all keys", () => {
    expect(identity(noDecryptOnAllKeys, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111111111111:*' })).toEqual(
      nonCompliant("policy statement #1 allows decryption (kms:Decrypt) on Resource 'arn:aws:kms:us-east-1:111111111111:*'"),
    );
  });

  it('does not count a wildcard that still names part of the key id as all keys', () => {
    expect(identity(noDecryptOnAllKeys, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111111111111:key/*-7890ab' })).toEqual(COMPLIANT);
  });

  it('does not take StringNotEquals kms:ViaService Secrets Manager for decryption through Secrets Manager', () => {
    expect(
      identity(noDecryptOnAllKeys, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: ALL_KEYS, Condition: { StringNotEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } }),
    ).toEqual(nonCompliant(`policy statement #1 allows decryption (kms:Decrypt) on Resource '${ALL_KEYS}'`));
  });

  it('reads only kms:ViaService for the Secrets Manager exemption, whatever else the condition tests', () => {
    expect(
      identity(noDecryptOnAllKeys, {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: ALL_KEYS,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:CallerAccount': '111111111111' } },
      }),
    ).toEqual(COMPLIANT);
  });

  it('lists every statement that decrypts on all keys', () => {
    expect(identity(noDecryptOnAllKeys, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }, { Sid: 'Rewrap', Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: ALL_KEYS })).toEqual(
      nonCompliant(`policy statement #1 allows decryption (kms:Decrypt) on Resource '*'; policy statement 'Rewrap' allows decryption (kms:ReEncrypt*) on Resource '${ALL_KEYS}'`),
    );
  });
});
