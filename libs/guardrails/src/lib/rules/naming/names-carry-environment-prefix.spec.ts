import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { DEV, finding, findings, resultFor, testStack } from '../test-support';
import { carriesPrefix, namesCarryEnvironmentPrefix } from './names-carry-environment-prefix';

const PREVIEW = { ...DEV, namePrefix: 'dev-pr42-' };

describe('MIG-NAME-1 environment prefix', () => {
  it('accepts prefixed names, log group paths and KMS aliases', () => {
    expect(carriesPrefix('dev-data', 'dev-')).toBe(true);
    expect(carriesPrefix('/aws/rds/instance/dev-ledger/postgresql', 'dev-')).toBe(true);
    expect(carriesPrefix('alias/dev-rds', 'dev-')).toBe(true);
    expect(carriesPrefix('/dev-pr42/app/url', 'dev-pr42-')).toBe(true);
    expect(carriesPrefix('dev-data', 'dev-pr42-')).toBe(false);
  });

  it('passes named resources and Name tags with the prefix', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16', tags: { Name: 'dev-vpc' } });
    new KmsAlias(stack, 'alias', { name: 'alias/dev-data', targetKeyId: 'abc' });
    new CloudwatchLogGroup(stack, 'logs', { name: '/ecs/dev-api' });
    for (const address of ['aws_s3_bucket.data', 'aws_vpc.vpc', 'aws_kms_alias.alias', 'aws_cloudwatch_log_group.logs']) {
      expect(resultFor(stack, namesCarryEnvironmentPrefix, address)).toEqual({ status: 'compliant' });
    }
  });

  it('rejects names without the preview suffix', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16', tags: { Name: 'main' } });
    expect(findings(stack, namesCarryEnvironmentPrefix, PREVIEW)).toEqual([
      finding(namesCarryEnvironmentPrefix, 'aws_s3_bucket.data', "bucket 'dev-data' does not start with 'dev-pr42-'"),
      finding(namesCarryEnvironmentPrefix, 'aws_vpc.vpc', "tag Name 'main' does not start with 'dev-pr42-'"),
    ]);
  });

  it('does not judge computed names', () => {
    const stack = testStack();
    const source = new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    new S3Bucket(stack, 'copy', { bucket: `${source.bucket}-copy` });
    expect(resultFor(stack, namesCarryEnvironmentPrefix, 'aws_s3_bucket.copy')).toEqual({ status: 'not-applicable' });
  });
});
