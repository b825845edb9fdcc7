import { DbInstance, type DbInstanceConfig } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSnapshotCopy } from '@cdktf/provider-aws/lib/db-snapshot-copy';
import type { TerraformStack } from 'cdktf';
import { finding, findings, resultFor, testStack } from '../test-support';
import { connectionsRequireTls } from './connections-require-tls';
import { instanceNotPublic } from './instance-not-public';
import { snapshotCopiesEncrypted } from './snapshot-copies-encrypted';
import { storageEncryptedWithKms } from './storage-encrypted-with-kms';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/abc';

function db(stack: TerraformStack, extra: Partial<DbInstanceConfig> = {}) {
  return new DbInstance(stack, 'db', { identifier: 'dev-ledger', engine: 'postgres', instanceClass: 'db.t4g.medium', allocatedStorage: 20, ...extra });
}

describe('MIG-RDS-1 storage encryption', () => {
  it('passes encrypted storage with a customer key', () => {
    const stack = testStack();
    db(stack, { storageEncrypted: true, kmsKeyId: KEY });
    expect(resultFor(stack, storageEncryptedWithKms, 'aws_db_instance.db')).toEqual({ status: 'compliant' });
  });

  it('rejects unencrypted storage and names both missing settings', () => {
    const stack = testStack();
    db(stack);
    expect(findings(stack, storageEncryptedWithKms)).toEqual([
      finding(storageEncryptedWithKms, 'aws_db_instance.db', 'database storage_encrypted is not set, expected true; kms_key_id is not set (would use the AWS managed aws/rds key)'),
    ]);
  });
});

describe('MIG-RDS-2 snapshot copies', () => {
  it('passes a copy re-encrypted with a customer key', () => {
    const stack = testStack();
    new DbSnapshotCopy(stack, 'copy', { sourceDbSnapshotIdentifier: 'arn:aws:rds:us-east-1:999999999999:snapshot:legacy', targetDbSnapshotIdentifier: 'dev-ledger-copy', kmsKeyId: KEY });
    expect(resultFor(stack, snapshotCopiesEncrypted, 'aws_db_snapshot_copy.copy')).toEqual({ status: 'compliant' });
  });

  it('rejects a copy without kms_key_id', () => {
    const stack = testStack();
    new DbSnapshotCopy(stack, 'copy', { sourceDbSnapshotIdentifier: 'arn:aws:rds:us-east-1:999999999999:snapshot:legacy', targetDbSnapshotIdentifier: 'dev-ledger-copy' });
    expect(findings(stack, snapshotCopiesEncrypted)).toEqual([finding(snapshotCopiesEncrypted, 'aws_db_snapshot_copy.copy', 'snapshot copy has no kms_key_id')]);
  });
});

describe('MIG-RDS-3 TLS-only connections', () => {
  it('passes a PostgreSQL parameter group with rds.force_ssl=1 and an instance that uses it', () => {
    const stack = testStack();
    const group = new DbParameterGroup(stack, 'params', { name: 'dev-ledger', family: 'postgres16', parameter: [{ name: 'rds.force_ssl', value: '1' }] });
    db(stack, { parameterGroupName: group.name });
    expect(resultFor(stack, connectionsRequireTls, 'aws_db_parameter_group.params')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, connectionsRequireTls, 'aws_db_instance.db')).toEqual({ status: 'compliant' });
  });

  it('rejects a PostgreSQL parameter group with rds.force_ssl=0', () => {
    const stack = testStack();
    new DbParameterGroup(stack, 'params', { name: 'dev-ledger', family: 'postgres16', parameter: [{ name: 'rds.force_ssl', value: '0' }] });
    expect(findings(stack, connectionsRequireTls)).toEqual([
      finding(connectionsRequireTls, 'aws_db_parameter_group.params', "parameter group (family postgres16) has rds.force_ssl '0', expected '1'"),
    ]);
  });

  it('asks MySQL groups for require_secure_transport', () => {
    const stack = testStack();
    new DbParameterGroup(stack, 'params', { name: 'dev-legacy', family: 'mysql8.0' });
    expect(findings(stack, connectionsRequireTls)[0].message).toMatch(/^parameter group \(family mysql8\.0\) has require_secure_transport not set, expected '1'/);
  });

  it('rejects an instance on the engine default parameter group', () => {
    const stack = testStack();
    db(stack);
    expect(findings(stack, connectionsRequireTls)).toEqual([
      finding(
        connectionsRequireTls,
        'aws_db_instance.db',
        "database has no parameter_group_name, so it uses the engine's default parameter group, which this configuration does not control",
      ),
    ]);
  });
});

describe('MIG-RDS-4 no public access', () => {
  it('passes a private instance', () => {
    const stack = testStack();
    db(stack, { publiclyAccessible: false });
    expect(resultFor(stack, instanceNotPublic, 'aws_db_instance.db')).toEqual({ status: 'compliant' });
  });

  it('rejects a publicly accessible instance', () => {
    const stack = testStack();
    db(stack, { publiclyAccessible: true });
    expect(findings(stack, instanceNotPublic)).toEqual([finding(instanceNotPublic, 'aws_db_instance.db', 'database has publicly_accessible = true')]);
  });
});
