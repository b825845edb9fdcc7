import type { LegacyDatabaseConfig } from '@estate/config';
import { NETWORK, environment, only, organisation, testStack } from '../testing/fixtures';
import { PostgresDatabase } from './postgres-database';
import { SnapshotMigration, isAwsManagedKeyReference } from './snapshot-migration';

const LEGACY: LegacyDatabaseConfig = organisation().legacyDatabase('ledger') as LegacyDatabaseConfig;

function build(legacy: LegacyDatabaseConfig = LEGACY) {
  const t = testStack();
  const dev = environment('dev');
  const migration = new SnapshotMigration(t.stack, 'ledger-snapshot', {
    naming: dev.naming,
    legacy,
    legacyProvider: t.legacyProvider,
    targetAccountId: dev.accountId,
    targetKey: t.key,
  });
  new PostgresDatabase(t.stack, 'ledger', {
    naming: dev.naming,
    config: organisation().databases[0],
    settings: dev.settings.database,
    tier: dev.tier,
    network: NETWORK,
    encryptionKey: t.key,
    snapshotIdentifier: migration.snapshotIdentifier,
  });
  return { json: t.synth(), migration };
}

function copies(json: any) {
  const all = json.resource.aws_db_snapshot_copy as Record<string, any>;
  const entry = (part: string) => Object.entries(all).find(([name]) => name.includes(part)) as [string, any];
  return { share: entry('share-copy'), target: entry('target-copy') };
}

describe('SnapshotMigration', () => {
  it('copies the legacy snapshot on the legacy provider, re-encrypted with the share key and shared with the target account', () => {
    const { json } = build();
    const [, share] = copies(json).share;
    expect(share.provider).toBe('aws.legacy');
    expect(share.source_db_snapshot_identifier).toBe('legacy-ledger-premigration');
    expect(share.target_db_snapshot_identifier).toBe('dev-ledger-share');
    expect(share.shared_accounts).toEqual(['333333333333']);
    const keyLookup = Object.entries(json.data.aws_kms_key as Record<string, any>)[0];
    expect(keyLookup[1]).toMatchObject({ provider: 'aws.legacy', key_id: 'alias/legacy-rds-share' });
    expect(share.kms_key_id).toBe(`\${data.aws_kms_key.${keyLookup[0]}.arn}`);
  });

  it('copies the shared snapshot by ARN in the target account with the target key', () => {
    const { json } = build();
    const { share, target } = copies(json);
    expect(target[1].provider).toBeUndefined();
    expect(target[1].source_db_snapshot_identifier).toBe(`\${aws_db_snapshot_copy.${share[0]}.db_snapshot_arn}`);
    expect(target[1].kms_key_id).toMatch(/^\$\{aws_kms_key\.key_[A-Z0-9]+\.arn\}$/);
    expect(target[1].target_db_snapshot_identifier).toBe('dev-ledger-migrated');
  });

  it('restores the instance from the target copy and ignores later identifier changes', () => {
    const { json } = build();
    const { target } = copies(json);
    const instance = only(json, 'aws_db_instance');
    expect(instance.provider).toBeUndefined();
    expect(instance.snapshot_identifier).toBe(`\${aws_db_snapshot_copy.${target[0]}.target_db_snapshot_identifier}`);
    expect(instance.lifecycle.ignore_changes).toEqual(['snapshot_identifier', 'username', 'db_name']);
  });

  it('uses customer keys on both sides', () => {
    const { json } = build();
    const { share, target } = copies(json);
    for (const [, copy] of [share, target]) expect(copy.kms_key_id).not.toMatch(/alias\/aws\//);
  });

  it.each(['alias/aws/rds', 'arn:aws:kms:us-east-1:111111111111:alias/aws/rds', 'aws/rds', 'alias/aws/ebs'])(
    'rejects the AWS managed key %s as share key',
    (shareKmsKey) => {
      expect(() => build({ ...LEGACY, shareKmsKey })).toThrow(/is an AWS managed key; snapshots encrypted with default keys cannot be shared/);
    },
  );

  it('rejects something that is not a key reference', () => {
    expect(() => build({ ...LEGACY, shareKmsKey: 'my key' })).toThrow(/shareKmsKey 'my key' is not a KMS key reference/);
  });

  it('recognises managed and customer key references', () => {
    expect(isAwsManagedKeyReference('alias/aws/rds')).toBe(true);
    expect(isAwsManagedKeyReference('alias/legacy-rds-share')).toBe(false);
    expect(isAwsManagedKeyReference('arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe(false);
  });
});
