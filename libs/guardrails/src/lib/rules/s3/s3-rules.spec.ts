import { Lb } from '@cdktf/provider-aws/lib/lb';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import type { TerraformStack } from 'cdktf';
import { finding, findings, resultFor, testStack } from '../test-support';
import { bucketBlocksPublicAccess } from './bucket-blocks-public-access';
import { bucketDeniesInsecureTransport } from './bucket-denies-insecure-transport';
import { bucketEncryptedWithKms } from './bucket-encrypted-with-kms';
import { bucketLifecycleConfigured } from './bucket-lifecycle-configured';
import { bucketVersioningEnabled } from './bucket-versioning-enabled';

const TLS_DENY = (arn: string) => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: [arn, `${arn}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

function bucket(stack: TerraformStack, id = 'data', name = 'dev-data') {
  return new S3Bucket(stack, id, { bucket: name });
}

describe('MIG-S3-1 public access block', () => {
  it('passes a bucket with all four flags on', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketPublicAccessBlock(stack, 'pab', { bucket: b.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(resultFor(stack, bucketBlocksPublicAccess, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('names the flags left off', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketPublicAccessBlock(stack, 'pab', { bucket: b.id, blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true });
    expect(findings(stack, bucketBlocksPublicAccess)).toEqual([
      finding(bucketBlocksPublicAccess, 'aws_s3_bucket.data', "bucket 'dev-data' has public access block flag(s) block_public_policy, restrict_public_buckets not set to true"),
    ]);
  });

  it('reports a bucket without any public access block', () => {
    const stack = testStack();
    bucket(stack);
    expect(findings(stack, bucketBlocksPublicAccess)).toEqual([
      finding(bucketBlocksPublicAccess, 'aws_s3_bucket.data', "bucket 'dev-data' has no aws_s3_bucket_public_access_block"),
    ]);
  });

  it('finds settings that name the bucket literally', () => {
    const stack = testStack();
    bucket(stack);
    new S3BucketPublicAccessBlock(stack, 'pab', { bucket: 'dev-data', blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(resultFor(stack, bucketBlocksPublicAccess, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });
});

describe('MIG-S3-2 default encryption with a customer KMS key', () => {
  const encrypt = (stack: TerraformStack, b: S3Bucket, byDefault: { sseAlgorithm: string; kmsMasterKeyId?: string }) =>
    new S3BucketServerSideEncryptionConfigurationA(stack, `${b.node.id}-sse`, { bucket: b.id, rule: [{ applyServerSideEncryptionByDefault: byDefault }] });

  it('passes SSE-KMS with a customer key', () => {
    const stack = testStack();
    encrypt(stack, bucket(stack), { sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'arn:aws:kms:us-east-1:111111111111:key/abc' });
    expect(resultFor(stack, bucketEncryptedWithKms, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('rejects SSE-S3 on a data bucket', () => {
    const stack = testStack();
    encrypt(stack, bucket(stack), { sseAlgorithm: 'AES256' });
    expect(findings(stack, bucketEncryptedWithKms)).toEqual([
      finding(bucketEncryptedWithKms, 'aws_s3_bucket.data', "bucket 'dev-data' uses sse_algorithm 'AES256' (SSE-S3), not SSE-KMS"),
    ]);
  });

  it('rejects aws:kms with the AWS managed key', () => {
    const stack = testStack();
    encrypt(stack, bucket(stack), { sseAlgorithm: 'aws:kms' });
    expect(findings(stack, bucketEncryptedWithKms)).toEqual([
      finding(bucketEncryptedWithKms, 'aws_s3_bucket.data', "bucket 'dev-data' uses aws:kms without kms_master_key_id, i.e. the AWS managed aws/s3 key"),
    ]);
  });

  it('rejects a bucket without an encryption configuration', () => {
    const stack = testStack();
    bucket(stack);
    expect(findings(stack, bucketEncryptedWithKms)[0].message).toMatch(/^bucket 'dev-data' has no aws_s3_bucket_server_side_encryption_configuration/);
  });

  it('accepts SSE-S3 on a bucket that receives ALB access logs', () => {
    const stack = testStack();
    const logs = bucket(stack, 'logs', 'dev-alb-logs');
    encrypt(stack, logs, { sseAlgorithm: 'AES256' });
    new Lb(stack, 'alb', { name: 'dev-alb', accessLogs: { bucket: logs.bucket, enabled: true } });
    expect(resultFor(stack, bucketEncryptedWithKms, 'aws_s3_bucket.logs')).toEqual({ status: 'compliant' });
  });

  it('accepts SSE-S3 on a bucket whose policy admits S3 server access log delivery', () => {
    const stack = testStack();
    const logs = bucket(stack, 'logs', 'dev-access-logs');
    encrypt(stack, logs, { sseAlgorithm: 'AES256' });
    new S3BucketPolicy(stack, 'policy', {
      bucket: logs.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${logs.arn}/*` }],
      }),
    });
    expect(resultFor(stack, bucketEncryptedWithKms, 'aws_s3_bucket.logs')).toEqual({ status: 'compliant' });
  });
});

describe('MIG-S3-3 TLS-only bucket policy', () => {
  it('passes a policy that denies aws:SecureTransport=false for bucket and objects', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketPolicy(stack, 'policy', { bucket: b.id, policy: JSON.stringify({ Version: '2012-10-17', Statement: [TLS_DENY(b.arn)] }) });
    expect(resultFor(stack, bucketDeniesInsecureTransport, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('rejects a bucket without a policy', () => {
    const stack = testStack();
    bucket(stack);
    expect(findings(stack, bucketDeniesInsecureTransport)).toEqual([
      finding(bucketDeniesInsecureTransport, 'aws_s3_bucket.data', "bucket 'dev-data' has no aws_s3_bucket_policy, so requests over plain HTTP are allowed"),
    ]);
  });

  it('explains a TLS statement that covers objects only', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketPolicy(stack, 'policy', { bucket: b.id, policy: JSON.stringify({ Statement: [{ ...TLS_DENY(b.arn), Resource: `${b.arn}/*` }] }) });
    expect(findings(stack, bucketDeniesInsecureTransport)).toEqual([
      finding(
        bucketDeniesInsecureTransport,
        'aws_s3_bucket.data',
        "bucket 'dev-data': bucket policy aws_s3_bucket_policy.policy statement 'DenyInsecureTransport' covers objects only; list both the bucket ARN and <bucket ARN>/*",
      ),
    ]);
  });

  it('rejects a policy without a TLS deny', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketPolicy(stack, 'policy', {
      bucket: b.id,
      policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/dev-app' }, Action: 's3:GetObject', Resource: `${b.arn}/*` }] }),
    });
    expect(findings(stack, bucketDeniesInsecureTransport)[0].message).toMatch(
      /^bucket 'dev-data': bucket policy aws_s3_bucket_policy.policy has no statement denying aws:SecureTransport = false\. Fix: /,
    );
  });
});

describe('MIG-S3-4 versioning', () => {
  it('passes an Enabled bucket', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketVersioningA(stack, 'versioning', { bucket: b.id, versioningConfiguration: { status: 'Enabled' } });
    expect(resultFor(stack, bucketVersioningEnabled, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('rejects a Suspended bucket', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketVersioningA(stack, 'versioning', { bucket: b.id, versioningConfiguration: { status: 'Suspended' } });
    expect(findings(stack, bucketVersioningEnabled)).toEqual([
      finding(bucketVersioningEnabled, 'aws_s3_bucket.data', "bucket 'dev-data' has versioning status 'Suspended', expected 'Enabled'"),
    ]);
  });
});

describe('MIG-S3-5 lifecycle (warning)', () => {
  it('passes a bucket with an enabled rule', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketLifecycleConfiguration(stack, 'lifecycle', {
      bucket: b.id,
      rule: [{ id: 'expire', status: 'Enabled', filter: [{ prefix: '' }], noncurrentVersionExpiration: [{ noncurrentDays: 30 }] }],
    });
    expect(resultFor(stack, bucketLifecycleConfigured, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('warns about a bucket whose only rule is disabled', () => {
    const stack = testStack();
    const b = bucket(stack);
    new S3BucketLifecycleConfiguration(stack, 'lifecycle', { bucket: b.id, rule: [{ id: 'expire', status: 'Disabled', filter: [{ prefix: '' }] }] });
    const report = findings(stack, bucketLifecycleConfigured);
    expect(report).toEqual([finding(bucketLifecycleConfigured, 'aws_s3_bucket.data', "bucket 'dev-data' has a lifecycle configuration without an enabled rule")]);
    expect(bucketLifecycleConfigured.severity).toBe('warning');
  });
});
