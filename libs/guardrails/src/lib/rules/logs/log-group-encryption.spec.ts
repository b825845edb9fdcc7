import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { logGroupEncryptedWithKms as rule } from './log-group-encrypted-with-kms';

describe('MIG-LOG-1 empty keys', () => {
  it.each([
    ['null', null],
    ['an empty string', ''],
  ])('rejects kms_key_id set to %s', (_, value) => {
    const stack = testStack();
    new CloudwatchLogGroup(stack, 'logs', { name: '/ecs/dev-api', kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/abc' }).addOverride('kms_key_id', value);
    expect(resultFor(stack, rule, 'aws_cloudwatch_log_group.logs')).toEqual(nonCompliant('log group has no kms_key_id'));
  });
});
