import { DbInstance, type DbInstanceConfig } from '@cdktf/provider-aws/lib/db-instance';
import { DbSnapshotCopy } from '@cdktf/provider-aws/lib/db-snapshot-copy';
import { nonCompliant, type RuleResult } from '../../types';
import { resultFor, testStack } from '../test-support';
import { snapshotCopiesEncrypted } from './snapshot-copies-encrypted';
import { storageEncryptedWithKms } from './storage-encrypted-with-kms';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/abc';

function instance(extra: Partial<DbInstanceConfig>): RuleResult {
  const stack = testStack();
  new DbInstance(stack, 'db', { identifier: 'dev-ledger', engine: 'postgres', instanceClass: 'db.t4g.medium', allocatedStorage: 20, ...extra });
  return resultFor(stack, storageEncryptedWithKms, 'aws_db_instance.db');
}

describe('MIG-RDS-1 storage encryption (edges)', () => {
  it('leaves a read replica to its source', () => {
    expect(instance({ replicateSourceDb: 'dev-ledger-primary' })).toEqual({ status: 'not-applicable' });
  });

  it('shows the storage_encrypted value it found', () => {
    expect(instance({ storageEncrypted: false, kmsKeyId: KEY })).toEqual(nonCompliant('database storage_encrypted is false, expected true'));
  });

  it('treats an empty kms_key_id as not set', () => {
    expect(instance({ storageEncrypted: true, kmsKeyId: '' })).toEqual(nonCompliant('database kms_key_id is not set (would use the AWS managed aws/rds key)'));
  });
});

describe('MIG-RDS-2 snapshot copies (edges)', () => {
  it('treats an empty or null kms_key_id as missing', () => {
    for (const kmsKeyId of ['', null as unknown as string]) {
      const stack = testStack();
      new DbSnapshotCopy(stack, 'copy', { sourceDbSnapshotIdentifier: 'arn:aws:rds:us-east-1:999999999999:snapshot:legacy', targetDbSnapshotIdentifier: 'dev-ledger-copy', kmsKeyId });
      expect(resultFor(stack, snapshotCopiesEncrypted, 'aws_db_snapshot_copy.copy')).toEqual(nonCompliant('snapshot copy has no kms_key_id'));
    }
  });
});
