import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { DatabaseOutputs } from '../outputs';
import { errorText, fail, pass, type CheckRow } from '../types';

/** The instance is available, its storage encrypted, and it is not publicly accessible. */
export async function checkDatabase(database: DatabaseOutputs, rds: RDSClient): Promise<CheckRow> {
  const target = database.identifier ?? database.name;
  if (!database.identifier) return fail('rds', target, 'no DB instance identifier in the outputs (see the outputs rows)');
  try {
    const res = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: database.identifier }));
    const db = res.DBInstances?.[0];
    if (!db) return fail('rds', target, 'DescribeDBInstances returned no instance');
    const problems = [
      { bad: db.DBInstanceStatus !== 'available', message: `status ${db.DBInstanceStatus}, expected available` },
      { bad: db.StorageEncrypted !== true, message: 'storage is not encrypted' },
      { bad: db.PubliclyAccessible !== false, message: 'publicly accessible' },
    ].filter((p) => p.bad);
    const seen = `${db.DBInstanceStatus}, encrypted=${String(db.StorageEncrypted)}${db.KmsKeyId ? ` (${db.KmsKeyId})` : ''}, public=${String(db.PubliclyAccessible)}, multi-AZ=${String(db.MultiAZ)}`;
    return problems.length
      ? fail('rds', target, `${problems.map((p) => p.message).join('; ')} [${seen}]`)
      : pass('rds', target, seen);
  } catch (error) {
    return fail('rds', target, `DescribeDBInstances failed: ${errorText(error)}`);
  }
}
