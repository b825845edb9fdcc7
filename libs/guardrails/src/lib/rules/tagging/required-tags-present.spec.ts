import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { finding, findings, resultFor, testStack } from '../test-support';
import { requiredTagsPresent } from './required-tags-present';

describe('MIG-TAG-1 required tags', () => {
  it('passes a resource with Environment, Team and CostCenter', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data', tags: { Environment: 'dev', Team: 'payments', CostCenter: 'cc-42' } });
    expect(resultFor(stack, requiredTagsPresent, 'aws_s3_bucket.data')).toEqual({ status: 'compliant' });
  });

  it('names the missing tags', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data', tags: { Environment: 'dev', Team: '' } });
    expect(findings(stack, requiredTagsPresent)).toEqual([finding(requiredTagsPresent, 'aws_s3_bucket.data', 'missing required tags Team, CostCenter')]);
  });
});
