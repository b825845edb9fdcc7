import { DBInstanceNotFoundFault, DescribeDBInstancesCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { checkDatabase } from './database';

const rds = mockClient(RDSClient);
const client = rds as unknown as RDSClient;
const recorded = (overrides: Partial<DBInstance>): DBInstance => ({
  DBInstanceIdentifier: 'dev-ledger',
  DBInstanceClass: 'db.t4g.medium',
  Engine: 'postgres',
  EngineVersion: '16.4',
  DBInstanceStatus: 'available',
  StorageEncrypted: true,
  KmsKeyId: 'arn:aws:kms:us-east-1:333333333333:key/0b7c2a4e-1111-2222-3333-444455556666',
  PubliclyAccessible: false,
  MultiAZ: false,
  ...overrides,
});

beforeEach(() => rds.reset());

describe('checkDatabase', () => {
  it('passes for an available, encrypted, private instance', async () => {
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'dev-ledger' }).resolves({ DBInstances: [recorded({})] });
    const row = await checkDatabase({ name: 'ledger', identifier: 'dev-ledger' }, client);
    expect(row).toMatchObject({ check: 'rds', target: 'dev-ledger', status: 'pass' });
    expect(row.detail).toMatch(/^available, encrypted=true \(arn:aws:kms:.*\), public=false, multi-AZ=false$/);
  });

  it.each([
    [{ DBInstanceStatus: 'backing-up' }, 'status backing-up, expected available'],
    [{ StorageEncrypted: false, KmsKeyId: undefined }, 'storage is not encrypted'],
    [{ PubliclyAccessible: true }, 'publicly accessible'],
  ])('fails for %j', async (overrides, message) => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [recorded(overrides)] });
    const row = await checkDatabase({ name: 'ledger', identifier: 'dev-ledger' }, client);
    expect(row.status).toBe('fail');
    expect(row.detail.startsWith(message)).toBe(true);
  });

  it('lists every problem of a public, unencrypted, stopped instance', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [recorded({ DBInstanceStatus: 'stopped', StorageEncrypted: false, PubliclyAccessible: true })] });
    const row = await checkDatabase({ name: 'ledger', identifier: 'dev-ledger' }, client);
    expect(row.detail).toMatch(/^status stopped, expected available; storage is not encrypted; publicly accessible \[/);
  });

  it('fails when the instance does not exist', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(new DBInstanceNotFoundFault({ message: 'DBInstance dev-ledger not found.', $metadata: {} }));
    expect(await checkDatabase({ name: 'ledger', identifier: 'dev-ledger' }, client)).toMatchObject({
      status: 'fail',
      detail: 'DescribeDBInstances failed: DBInstanceNotFoundFault: DBInstance dev-ledger not found.',
    });
  });

  it('fails without an identifier output and calls nothing', async () => {
    expect(await checkDatabase({ name: 'ledger' }, client)).toMatchObject({ status: 'fail', target: 'ledger' });
    expect(rds.calls()).toHaveLength(0);
  });
});
