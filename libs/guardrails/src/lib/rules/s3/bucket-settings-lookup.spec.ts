import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { bucketBlocksPublicAccess } from './bucket-blocks-public-access';
import { bucketLifecycleConfigured } from './bucket-lifecycle-configured';
import { bucketVersioningEnabled } from './bucket-versioning-enabled';

const allFlags = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const noFlags = { blockPublicAcls: false, blockPublicPolicy: false, ignorePublicAcls: false, restrictPublicBuckets: false };

describe('S3 settings resources are matched to their bucket', () => {
  it('attributes a setting referencing one bucket to that bucket only', () => {
    const stack = testStack();
    const a = new S3Bucket(stack, 'a', { bucket: 'dev-a' });
    new S3Bucket(stack, 'b', { bucket: 'dev-b' });
    new S3BucketVersioningA(stack, 'versioning', { bucket: a.id, versioningConfiguration: { status: 'Enabled' } });
    expect(resultFor(stack, bucketVersioningEnabled, 'aws_s3_bucket.a')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, bucketVersioningEnabled, 'aws_s3_bucket.b')).toEqual(nonCompliant("bucket 'dev-b' has no aws_s3_bucket_versioning (versioning is off)"));
  });

  it('matches a setting that names the bucket by its ARN', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new S3BucketPublicAccessBlock(stack, 'pab', { bucket: 'arn:aws:s3:::dev-data', ...allFlags });
    expect(resultFor(stack, bucketBlocksPublicAccess, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('does not match literal names to a bucket whose name is computed, and labels that bucket by address', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucketPrefix: 'dev-data-' });
    new S3BucketVersioningA(stack, 'versioning', { bucket: 'dev-data-', versioningConfiguration: { status: 'Enabled' } });
    expect(resultFor(stack, bucketVersioningEnabled, 'aws_s3_bucket.data')).toEqual(nonCompliant('bucket aws_s3_bucket.data has no aws_s3_bucket_versioning (versioning is off)'));
  });

  it('ignores a setting whose bucket argument is not a string', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new S3BucketVersioningA(stack, 'versioning', { bucket: 'dev-data', versioningConfiguration: { status: 'Enabled' } }).addOverride('bucket', null);
    expect(resultFor(stack, bucketVersioningEnabled, 'aws_s3_bucket.data')).toEqual(nonCompliant("bucket 'dev-data' has no aws_s3_bucket_versioning (versioning is off)"));
  });
});

describe('MIG-S3-4 versioning statuses', () => {
  it('lists every status found when none is Enabled', () => {
    const stack = testStack();
    const b = new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new S3BucketVersioningA(stack, 'one', { bucket: b.id, versioningConfiguration: { status: 'Suspended' } });
    new S3BucketVersioningA(stack, 'two', { bucket: b.id, versioningConfiguration: { status: 'Disabled' } });
    expect(resultFor(stack, bucketVersioningEnabled, 'aws_s3_bucket.data')).toEqual(nonCompliant("bucket 'dev-data' has versioning status 'Suspended', 'Disabled', expected 'Enabled'"));
  });

  it('says not set when the versioning resource has no configuration', () => {
    const stack = testStack();
    const b = new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new S3BucketVersioningA(stack, 'versioning', { bucket: b.id, versioningConfiguration: { status: 'Enabled' } }).addOverride('versioning_configuration', null);
    expect(resultFor(stack, bucketVersioningEnabled, 'aws_s3_bucket.data')).toEqual(nonCompliant("bucket 'dev-data' has versioning status not set, expected 'Enabled'"));
  });
});

describe('MIG-S3-1 and MIG-S3-5 across several settings resources', () => {
  it('takes each public access flag from any block of the bucket', () => {
    const stack = testStack();
    const b = new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new S3BucketPublicAccessBlock(stack, 'off', { bucket: b.id, ...noFlags });
    new S3BucketPublicAccessBlock(stack, 'on', { bucket: b.id, ...allFlags });
    expect(resultFor(stack, bucketBlocksPublicAccess, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('passes a lifecycle configuration with one enabled rule among disabled ones', () => {
    const stack = testStack();
    const b = new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new S3BucketLifecycleConfiguration(stack, 'lifecycle', {
      bucket: b.id,
      rule: [
        { id: 'old', status: 'Disabled', filter: [{ prefix: '' }] },
        { id: 'expire', status: 'Enabled', filter: [{ prefix: '' }], noncurrentVersionExpiration: [{ noncurrentDays: 30 }] },
      ],
    });
    expect(resultFor(stack, bucketLifecycleConfigured, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });
});
