import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { requiredTagsPresent as rule } from './required-tags-present';

describe('MIG-TAG-1 edge cases', () => {
  it('does not judge resources that cannot carry tags', () => {
    const stack = testStack();
    new S3BucketPolicy(stack, 'policy', { bucket: 'dev-data', policy: '{}' });
    expect(resultFor(stack, rule, 'aws_s3_bucket_policy.policy')).toEqual({ status: 'not-applicable' });
  });

  it('names a single missing tag in the singular', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data', tags: { Environment: 'dev', Team: 'payments' } });
    expect(resultFor(stack, rule, 'aws_s3_bucket.data')).toEqual(nonCompliant('missing required tag CostCenter'));
  });

  it('treats a blank tag value as missing', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data', tags: { Environment: 'dev', Team: '   ', CostCenter: 'cc-42' } });
    expect(resultFor(stack, rule, 'aws_s3_bucket.data')).toEqual(nonCompliant('missing required tag Team'));
  });
});
