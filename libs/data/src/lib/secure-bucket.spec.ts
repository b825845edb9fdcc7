import { Role, servicePrincipal } from '@estate/iam';
import { only, testStack } from '../testing/fixtures';
import { SecureBucket } from './secure-bucket';

function byName(json: any, type: string, part: string): any {
  return Object.entries(json.resource[type] as Record<string, any>).find(([name]) => name.includes(part))?.[1];
}

describe('SecureBucket', () => {
  it('versions, encrypts with the customer key, blocks public access, enforces ownership and denies plain HTTP', () => {
    const t = testStack();
    new SecureBucket(t.stack, 'assets', { bucketName: 'dev-assets-333333333333', kmsKeyArn: t.key.keyArn });
    const json = t.synth();
    expect(only(json, 'aws_s3_bucket')).toMatchObject({ bucket: 'dev-assets-333333333333', force_destroy: false });
    expect(only(json, 'aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
    const sse = only(json, 'aws_s3_bucket_server_side_encryption_configuration').rule[0];
    expect(sse.apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    expect(sse.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
    expect(sse.bucket_key_enabled).toBe(true);
    expect(only(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(json, 'aws_s3_bucket_ownership_controls').rule.object_ownership).toBe('BucketOwnerEnforced');
    const policy = JSON.parse(only(json, 'aws_s3_bucket_policy').policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('expires noncurrent versions, aborts stale uploads and can expire current objects', () => {
    const t = testStack();
    new SecureBucket(t.stack, 'logs', { bucketName: 'dev-logs', noncurrentVersionExpirationDays: 90, expirationDays: 365 });
    const rule = only(t.synth(), 'aws_s3_bucket_lifecycle_configuration').rule[0];
    expect(rule).toMatchObject({
      status: 'Enabled',
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      expiration: [{ days: 365 }],
    });
  });

  it('sends access logs to the log bucket and lets S3 logging deliver there', () => {
    const t = testStack();
    const logs = new SecureBucket(t.stack, 'logs', { bucketName: 'prod-access-logs' });
    new SecureBucket(t.stack, 'assets', { bucketName: 'prod-assets', kmsKeyArn: t.key.keyArn, accessLogsBucket: logs });
    const json = t.synth();
    expect(only(json, 'aws_s3_bucket_logging')).toMatchObject({ target_prefix: 'prod-assets/' });
    const logsPolicy = JSON.parse(byName(json, 'aws_s3_bucket_policy', 'logs_policy').policy);
    expect(logsPolicy.Statement[1]).toMatchObject({ Action: 's3:PutObject', Principal: { Service: 'logging.s3.amazonaws.com' } });
    expect(byName(json, 'aws_s3_bucket_server_side_encryption_configuration', 'logs').rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
  });

  it('rejects a KMS-encrypted access log target, a bad name and bad day counts', () => {
    const t = testStack();
    const kmsLogs = new SecureBucket(t.stack, 'kms-logs', { bucketName: 'dev-kms-logs', kmsKeyArn: t.key.keyArn });
    expect(() => new SecureBucket(t.stack, 'a', { bucketName: 'dev-a', accessLogsBucket: kmsLogs })).toThrow(/S3 server access logging only delivers to SSE-S3/);
    expect(() => new SecureBucket(t.stack, 'b', { bucketName: 'Dev_Assets' })).toThrow(/bucket name 'Dev_Assets' is invalid/);
    expect(() => new SecureBucket(t.stack, 'c', { bucketName: 'dev-c', noncurrentVersionExpirationDays: 0 })).toThrow(/noncurrentVersionExpirationDays 0/);
    expect(() => new SecureBucket(t.stack, 'd', { bucketName: 'dev-d', expirationDays: 1.5 })).toThrow(/expirationDays 1.5/);
  });

  it('grants read-write on the bucket and use of its key', () => {
    const t = testStack();
    const bucket = new SecureBucket(t.stack, 'assets', { bucketName: 'dev-assets', kmsKeyArn: t.key.keyArn });
    const role = new Role(t.stack, 'task', { roleName: 'dev-task', description: 'task', assumedBy: servicePrincipal('ecs-tasks.amazonaws.com') });
    bucket.grantReadWrite(role);
    const policy = JSON.parse(only(t.synth(), 'aws_iam_role_policy').policy);
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: expect.stringMatching(/^\$\{aws_kms_key\./) },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
        Resource: [expect.stringMatching(/\.arn\}$/), expect.stringMatching(/\.arn\}\/\*$/)],
      },
    ]);
  });
});
