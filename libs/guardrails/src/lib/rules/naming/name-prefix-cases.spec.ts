import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { carriesPrefix, namesCarryEnvironmentPrefix as rule } from './names-carry-environment-prefix';

describe('MIG-NAME-1 carriesPrefix', () => {
  it('does not accept a name that only ends with the prefix', () => {
    expect(carriesPrefix('data-dev-', 'dev-')).toBe(false);
    expect(carriesPrefix('/app/data-dev-', 'dev-')).toBe(false);
  });

  it('drops alias/ only at the start, never joining the parts around an inner alias/', () => {
    expect(carriesPrefix('alias/dev-data', 'dev-')).toBe(true);
    expect(carriesPrefix('dealias/v-data', 'dev-')).toBe(false);
  });
});

describe('MIG-NAME-1 name prefixes and several names', () => {
  it('checks bucket_prefix like the name', () => {
    const stack = testStack();
    new S3Bucket(stack, 'good', { bucketPrefix: 'dev-data-' });
    new S3Bucket(stack, 'bad', { bucketPrefix: 'data-' });
    expect(resultFor(stack, rule, 'aws_s3_bucket.good')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, rule, 'aws_s3_bucket.bad')).toEqual(nonCompliant("bucket_prefix 'data-' does not start with 'dev-'"));
  });

  it('names every wrong name of a resource', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'data', tags: { Name: 'main' } });
    expect(resultFor(stack, rule, 'aws_s3_bucket.data')).toEqual(nonCompliant("bucket 'data' does not start with 'dev-'; tag Name 'main' does not start with 'dev-'"));
  });
});
