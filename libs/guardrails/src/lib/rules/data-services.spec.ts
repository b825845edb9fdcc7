import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DmsEndpoint } from '@cdktf/provider-aws/lib/dms-endpoint';
import { DmsReplicationInstance } from '@cdktf/provider-aws/lib/dms-replication-instance';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { dmsEncryptedWithKms } from './dms/encrypted-with-kms';
import { endpointsUseTls } from './dms/endpoints-use-tls';
import { replicationInstanceNotPublic } from './dms/replication-instance-not-public';
import { tableEncryptedWithKms } from './dynamodb/table-encrypted-with-kms';
import { repositoryEncryptedWithKms } from './ecr/repository-encrypted-with-kms';
import { logGroupEncryptedWithKms } from './logs/log-group-encrypted-with-kms';
import { finding, findings, resultFor, testStack } from './test-support';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/abc';
const table = { name: 'dev-sessions', hashKey: 'id', attribute: [{ name: 'id', type: 'S' }], billingMode: 'PAY_PER_REQUEST' };
const endpoint = { endpointId: 'dev-legacy-source', endpointType: 'source', engineName: 'postgres', serverName: 'legacy.internal', port: 5432, databaseName: 'ledger' };

describe('MIG-DDB-1 DynamoDB encryption', () => {
  it('passes a table encrypted with a customer key', () => {
    const stack = testStack();
    new DynamodbTable(stack, 'table', { ...table, serverSideEncryption: { enabled: true, kmsKeyArn: KEY } });
    expect(resultFor(stack, tableEncryptedWithKms, 'aws_dynamodb_table.table')).toEqual({ status: 'compliant' });
  });

  it('rejects a table on the AWS owned key', () => {
    const stack = testStack();
    new DynamodbTable(stack, 'table', table);
    expect(findings(stack, tableEncryptedWithKms)).toEqual([
      finding(tableEncryptedWithKms, 'aws_dynamodb_table.table', 'table has no server_side_encryption { enabled = true } (uses the AWS owned key)'),
    ]);
  });

  it('rejects a table on the AWS managed key', () => {
    const stack = testStack();
    new DynamodbTable(stack, 'table', { ...table, serverSideEncryption: { enabled: true } });
    expect(findings(stack, tableEncryptedWithKms)[0].message).toMatch(/^table has server_side_encryption enabled without kms_key_arn/);
  });
});

describe('MIG-LOG-1 log group encryption', () => {
  it('passes a log group with a customer key', () => {
    const stack = testStack();
    new CloudwatchLogGroup(stack, 'logs', { name: '/ecs/dev-api', kmsKeyId: KEY });
    expect(resultFor(stack, logGroupEncryptedWithKms, 'aws_cloudwatch_log_group.logs')).toEqual({ status: 'compliant' });
  });

  it('rejects a log group without a key', () => {
    const stack = testStack();
    new CloudwatchLogGroup(stack, 'logs', { name: '/ecs/dev-api' });
    expect(findings(stack, logGroupEncryptedWithKms)).toEqual([finding(logGroupEncryptedWithKms, 'aws_cloudwatch_log_group.logs', 'log group has no kms_key_id')]);
  });
});

describe('MIG-ECR-1 repository encryption', () => {
  it('passes KMS with a customer key', () => {
    const stack = testStack();
    new EcrRepository(stack, 'repo', { name: 'dev-api', encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: KEY }] });
    expect(resultFor(stack, repositoryEncryptedWithKms, 'aws_ecr_repository.repo')).toEqual({ status: 'compliant' });
  });

  it('rejects the AES256 default', () => {
    const stack = testStack();
    new EcrRepository(stack, 'repo', { name: 'dev-api' });
    expect(findings(stack, repositoryEncryptedWithKms)).toEqual([
      finding(repositoryEncryptedWithKms, 'aws_ecr_repository.repo', "repository has encryption_type 'AES256 (default)', expected 'KMS'"),
    ]);
  });
});

describe('MIG-DMS-1 DMS encryption', () => {
  it('passes an instance and an endpoint with customer keys', () => {
    const stack = testStack();
    new DmsReplicationInstance(stack, 'ri', { replicationInstanceId: 'dev-migration', replicationInstanceClass: 'dms.t3.medium', kmsKeyArn: KEY, publiclyAccessible: false });
    new DmsEndpoint(stack, 'source', { ...endpoint, kmsKeyArn: KEY });
    expect(resultFor(stack, dmsEncryptedWithKms, 'aws_dms_replication_instance.ri')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, dmsEncryptedWithKms, 'aws_dms_endpoint.source')).toEqual({ status: 'compliant' });
  });

  it('rejects a replication instance without a key', () => {
    const stack = testStack();
    new DmsReplicationInstance(stack, 'ri', { replicationInstanceId: 'dev-migration', replicationInstanceClass: 'dms.t3.medium' });
    expect(findings(stack, dmsEncryptedWithKms)).toEqual([finding(dmsEncryptedWithKms, 'aws_dms_replication_instance.ri', 'replication instance has no kms_key_arn')]);
  });
});

describe('MIG-DMS-2 DMS endpoint TLS', () => {
  it('passes verify-full', () => {
    const stack = testStack();
    new DmsEndpoint(stack, 'source', { ...endpoint, sslMode: 'verify-full' });
    expect(resultFor(stack, endpointsUseTls, 'aws_dms_endpoint.source')).toEqual({ status: 'compliant' });
  });

  it('rejects an endpoint without ssl_mode', () => {
    const stack = testStack();
    new DmsEndpoint(stack, 'source', endpoint);
    expect(findings(stack, endpointsUseTls)).toEqual([
      finding(endpointsUseTls, 'aws_dms_endpoint.source', "endpoint has ssl_mode 'none (default)', expected 'verify-full', 'verify-ca' or 'require'"),
    ]);
  });
});

describe('MIG-DMS-3 DMS replication instance not public', () => {
  it('passes publicly_accessible = false', () => {
    const stack = testStack();
    new DmsReplicationInstance(stack, 'ri', { replicationInstanceId: 'dev-migration', replicationInstanceClass: 'dms.t3.medium', publiclyAccessible: false });
    expect(resultFor(stack, replicationInstanceNotPublic, 'aws_dms_replication_instance.ri')).toEqual({ status: 'compliant' });
  });

  it('rejects an instance that leaves it unset (public by default)', () => {
    const stack = testStack();
    new DmsReplicationInstance(stack, 'ri', { replicationInstanceId: 'dev-migration', replicationInstanceClass: 'dms.t3.medium' });
    expect(findings(stack, replicationInstanceNotPublic)).toEqual([
      finding(replicationInstanceNotPublic, 'aws_dms_replication_instance.ri', 'replication instance has publicly_accessible unset (the AWS API defaults to true)'),
    ]);
  });
});
