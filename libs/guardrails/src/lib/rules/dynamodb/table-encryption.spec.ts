import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { tableEncryptedWithKms as rule } from './table-encrypted-with-kms';

describe('MIG-DDB-1 server_side_encryption switched off', () => {
  it('rejects a table whose server_side_encryption names a key but is not enabled', () => {
    const stack = testStack();
    new DynamodbTable(stack, 'table', {
      name: 'dev-sessions',
      hashKey: 'id',
      attribute: [{ name: 'id', type: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      serverSideEncryption: { enabled: false, kmsKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/abc' },
    });
    expect(resultFor(stack, rule, 'aws_dynamodb_table.table')).toEqual(nonCompliant('table has no server_side_encryption { enabled = true } (uses the AWS owned key)'));
  });
});
