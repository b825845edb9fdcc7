import { Alb } from '@cdktf/provider-aws/lib/alb';
import { Elb } from '@cdktf/provider-aws/lib/elb';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLoggingA as S3BucketLogging } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import type { TerraformStack } from 'cdktf';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { bucketDeniesInsecureTransport as transport } from './bucket-denies-insecure-transport';
import { bucketEncryptedWithKms as kms } from './bucket-encrypted-with-kms';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/abc';
const ARN = 'arn:aws:s3:::dev-data';
const ROLE = 'arn:aws:iam::111111111111:role/dev-app';

type Statement = Record<string, unknown>;
const policyOf = (...statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

function bucket(stack: TerraformStack, id = 'data', name = 'dev-data') {
  return new S3Bucket(stack, id, { bucket: name });
}

function encrypt(stack: TerraformStack, b: S3Bucket, byDefault: { sseAlgorithm: string; kmsMasterKeyId?: string }) {
  return new S3BucketServerSideEncryptionConfigurationA(stack, `${b.node.id}-sse`, { bucket: b.id, rule: [{ applyServerSideEncryptionByDefault: byDefault }] });
}

function withPolicy(stack: TerraformStack, b: S3Bucket, policy: string, id = 'policy') {
  return new S3BucketPolicy(stack, id, { bucket: b.id, policy });
}

const sse = (stack: TerraformStack, address = 'aws_s3_bucket.data') => resultFor(stack, kms, address);
const tls = (stack: TerraformStack) => resultFor(stack, transport, 'aws_s3_bucket.data');

describe('MIG-S3-2 algorithms and keys', () => {
  it('passes aws:kms:dsse with a customer key', () => {
    const stack = testStack();
    encrypt(stack, bucket(stack), { sseAlgorithm: 'aws:kms:dsse', kmsMasterKeyId: KEY });
    expect(sse(stack)).toEqual({ status: 'compliant' });
  });

  it('rejects aws:kms:dsse with the AWS managed key', () => {
    const stack = testStack();
    encrypt(stack, bucket(stack), { sseAlgorithm: 'aws:kms:dsse' });
    expect(sse(stack)).toEqual(nonCompliant("bucket 'dev-data' uses aws:kms:dsse without kms_master_key_id, i.e. the AWS managed aws/s3 key"));
  });

  it.each([
    ['null', null],
    ['empty', ''],
  ])('treats a %s kms_master_key_id as the AWS managed key', (_, value) => {
    const stack = testStack();
    encrypt(stack, bucket(stack), { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY }).addOverride('rule', [
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: value } },
    ]);
    expect(sse(stack)).toEqual(nonCompliant("bucket 'dev-data' uses aws:kms without kms_master_key_id, i.e. the AWS managed aws/s3 key"));
  });

  it('rejects an unknown or computed sse_algorithm, even on a log-delivery bucket', () => {
    const stack = testStack();
    const literal = bucket(stack, 'literal', 'dev-literal');
    encrypt(stack, literal, { sseAlgorithm: 'aws:fsx' });
    new S3BucketLogging(stack, 'literal-logging', { bucket: 'dev-source', targetBucket: literal.id, targetPrefix: 'access/' });
    encrypt(stack, bucket(stack, 'computed', 'dev-computed'), { sseAlgorithm: '${var.sse_algorithm}' });
    expect(sse(stack, 'aws_s3_bucket.literal')).toEqual(nonCompliant("bucket 'dev-literal' has sse_algorithm 'aws:fsx', expected 'aws:kms'"));
    expect(sse(stack, 'aws_s3_bucket.computed')).toEqual(nonCompliant("bucket 'dev-computed' has sse_algorithm computed, expected 'aws:kms'"));
  });

  it('rejects an encryption configuration whose rule sets no default encryption', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketServerSideEncryptionConfigurationA(stack, 'sse', { bucket: b.id, rule: [{ bucketKeyEnabled: true }] });
    expect(sse(stack)).toEqual(nonCompliant("bucket 'dev-data' has an encryption configuration without apply_server_side_encryption_by_default"));
  });
});

describe('MIG-S3-2 which buckets may use SSE-S3 (log delivery)', () => {
  const aes = (stack: TerraformStack) => {
    const b = bucket(stack);
    encrypt(stack, b, { sseAlgorithm: 'AES256' });
    return b;
  };
  const AES_FINDING = nonCompliant("bucket 'dev-data' uses sse_algorithm 'AES256' (SSE-S3), not SSE-KMS");

  it('accepts the target of S3 server access logging', () => {
    const stack = testStack();
    const b = aes(stack);
    new S3BucketLogging(stack, 'logging', { bucket: 'dev-source', targetBucket: b.id, targetPrefix: 'access/' });
    expect(sse(stack)).toEqual({ status: 'compliant' });
  });

  it('does not accept the source of S3 server access logging', () => {
    const stack = testStack();
    const b = aes(stack);
    new S3BucketLogging(stack, 'logging', { bucket: b.id, targetBucket: 'dev-access-logs', targetPrefix: 'access/' });
    expect(sse(stack)).toEqual(AES_FINDING);
  });

  it.each([
    ['an aws_lb access log', (stack: TerraformStack, b: S3Bucket) => new Lb(stack, 'alb', { name: 'dev-alb', accessLogs: { bucket: b.bucket, enabled: true } })],
    ['an aws_lb connection log', (stack: TerraformStack, b: S3Bucket) => new Lb(stack, 'alb', { name: 'dev-alb', connectionLogs: { bucket: b.bucket, enabled: true } })],
    ['an aws_alb access log', (stack: TerraformStack, b: S3Bucket) => new Alb(stack, 'alb', { name: 'dev-alb', accessLogs: { bucket: b.id, enabled: true } })],
    [
      'a Classic Load Balancer access log',
      (stack: TerraformStack, b: S3Bucket) =>
        new Elb(stack, 'elb', { name: 'dev-elb', listener: [{ instancePort: 80, instanceProtocol: 'http', lbPort: 80, lbProtocol: 'http' }], accessLogs: { bucket: b.bucket } }),
    ],
  ])('accepts the bucket of %s', (_, loadBalancer) => {
    const stack = testStack();
    loadBalancer(stack, aes(stack));
    expect(sse(stack)).toEqual({ status: 'compliant' });
  });

  it('does not accept a bucket just because the stack has a load balancer without access logs to it', () => {
    const stack = testStack();
    aes(stack);
    new Lb(stack, 'alb', { name: 'dev-alb' });
    new Lb(stack, 'other', { name: 'dev-other', accessLogs: { bucket: 'dev-other-logs', enabled: true }, connectionLogs: { bucket: 'dev-other-logs', enabled: true } });
    new Elb(stack, 'classic', { name: 'dev-classic', listener: [{ instancePort: 80, instanceProtocol: 'http', lbPort: 80, lbProtocol: 'http' }], accessLogs: { bucket: 'dev-other-logs' } });
    expect(sse(stack)).toEqual(AES_FINDING);
  });

  it.each([
    ['the ELB account root', { AWS: 'arn:aws:iam::127311923021:root' }],
    ['a bare ELB account id', { AWS: '797873946194' }],
    ['an ELB account among others', { AWS: [ROLE, 'arn:aws:iam::054676820928:root'] }],
    ['the ELB log delivery service', { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }],
    ['S3 log delivery among other services', { Service: ['ec2.amazonaws.com', 'logging.s3.amazonaws.com'] }],
  ])('accepts a bucket whose policy lets %s write', (_, principal) => {
    const stack = testStack();
    const b = aes(stack);
    withPolicy(
      stack,
      b,
      policyOf(
        { Sid: 'TLS', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [ARN, `${ARN}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Sid: 'Logs', Effect: 'Allow', Principal: principal, Action: 's3:PutObject', Resource: `${ARN}/*` },
      ),
    );
    expect(sse(stack)).toEqual({ status: 'compliant' });
  });

  it.each([
    ['allows only an application role', policyOf({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 's3:PutObject', Resource: `${ARN}/*` })],
    ['allows an account that is not an ELB account', policyOf({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 's3:PutObject', Resource: `${ARN}/*` })],
    ['denies the log delivery service', policyOf({ Effect: 'Deny', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${ARN}/*` })],
    ['has a statement without a Principal', policyOf({ Effect: 'Allow', Action: 's3:PutObject', Resource: `${ARN}/*` })],
    ['is only known at apply time', '${data.aws_iam_policy_document.logs.json}'],
  ])('rejects SSE-S3 on a bucket whose policy %s', (_, policy) => {
    const stack = testStack();
    withPolicy(stack, aes(stack), policy);
    expect(sse(stack)).toEqual(AES_FINDING);
  });
});

describe('MIG-S3-3 what counts as a TLS deny', () => {
  const deny = (overrides: Statement = {}): Statement => ({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:*',
    Resource: [ARN, `${ARN}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    ...overrides,
  });
  const where = "bucket 'dev-data': bucket policy aws_s3_bucket_policy.policy";
  const NO_DENY = `${where} has no statement denying aws:SecureTransport = false`;

  it.each([
    ['Principal "*" and Action "*"', deny({ Principal: '*', Action: '*' })],
    ['s3:* among other actions', deny({ Action: ['s3:GetObject', 's3:*'] })],
    ['Resource "*"', deny({ Resource: '*' })],
    ['a BoolIfExists condition with "False"', deny({ Condition: { BoolIfExists: { 'aws:SecureTransport': 'False' } } })],
  ])('accepts a deny with %s', (_, statement) => {
    const stack = testStack();
    withPolicy(stack, bucket(stack), policyOf(statement));
    expect(tls(stack)).toEqual({ status: 'compliant' });
  });

  it('accepts a policy whose TLS deny sits among other statements', () => {
    const stack = testStack();
    withPolicy(stack, bucket(stack), policyOf({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 's3:GetObject', Resource: `${ARN}/*` }, deny()));
    expect(tls(stack)).toEqual({ status: 'compliant' });
  });

  it.each([
    ['names a principal', deny({ Principal: { AWS: ROLE } }), 'statement #1 does not apply to every principal (Principal "*")'],
    ['has no Principal', deny({ Principal: undefined }), 'statement #1 does not apply to every principal (Principal "*")'],
    ['denies one action', deny({ Action: 's3:GetObject' }), 'statement #1 denies only s3:GetObject, not s3:*'],
    ['denies some actions', deny({ Action: ['s3:GetObject', 's3:PutObject'] }), 'statement #1 denies only s3:GetObject, s3:PutObject, not s3:*'],
    ['tests aws:SecureTransport = true', deny({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), 'statement #1 has no condition aws:SecureTransport = false'],
    ['covers the bucket only', deny({ Resource: ARN }), 'statement #1 covers the bucket only; list both the bucket ARN and <bucket ARN>/*'],
    ['covers the objects only', deny({ Resource: [`${ARN}/*`] }), 'statement #1 covers objects only; list both the bucket ARN and <bucket ARN>/*'],
  ])('explains a TLS deny that %s', (_, statement, reason) => {
    const stack = testStack();
    withPolicy(stack, bucket(stack), policyOf(statement));
    expect(tls(stack)).toEqual(nonCompliant(`${where} ${reason}`));
  });

  it('explains every near-miss statement of a policy', () => {
    const stack = testStack();
    withPolicy(stack, bucket(stack), policyOf(deny({ Sid: 'Objects', Resource: `${ARN}/*` }), deny({ Sid: 'Get', Action: 's3:GetObject' })));
    expect(tls(stack)).toEqual(
      nonCompliant(`${where} statement 'Objects' covers objects only; list both the bucket ARN and <bucket ARN>/*; statement 'Get' denies only s3:GetObject, not s3:*`),
    );
  });

  it('does not count an Allow that tests aws:SecureTransport = false, nor a Deny without a TLS condition', () => {
    const stack = testStack();
    withPolicy(stack, bucket(stack), policyOf(deny({ Effect: 'Allow' }), deny({ Condition: undefined, Action: 's3:DeleteBucket' })));
    expect(tls(stack)).toEqual(nonCompliant(NO_DENY));
  });

  it('says why a policy only known at apply time cannot be judged', () => {
    const stack = testStack();
    withPolicy(stack, bucket(stack), '${data.aws_iam_policy_document.tls.json}');
    expect(tls(stack)).toEqual(
      nonCompliant(`${where} is the Terraform expression '\${data.aws_iam_policy_document.tls.json}', which is only known at apply time, so the TLS deny cannot be confirmed`),
    );
  });

  it('reports every policy of the bucket when none has the deny', () => {
    const stack = testStack();
    const b = bucket(stack);
    withPolicy(stack, b, '${data.aws_iam_policy_document.tls.json}');
    withPolicy(stack, b, policyOf({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 's3:GetObject', Resource: `${ARN}/*` }), 'second');
    expect(tls(stack)).toEqual(
      nonCompliant(
        `${where} is the Terraform expression '\${data.aws_iam_policy_document.tls.json}', which is only known at apply time, so the TLS deny cannot be confirmed; ` +
          'bucket policy aws_s3_bucket_policy.second has no statement denying aws:SecureTransport = false',
      ),
    );
  });

  it('passes when one of the bucket policies has the deny', () => {
    const stack = testStack();
    const b = bucket(stack);
    withPolicy(stack, b, '${data.aws_iam_policy_document.tls.json}');
    withPolicy(stack, b, policyOf(deny()), 'second');
    expect(tls(stack)).toEqual({ status: 'compliant' });
  });
});
