import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { DbSnapshotCopy } from '@cdktf/provider-aws/lib/db-snapshot-copy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { LegacyDatabaseConfig, Naming } from '@estate/config';
import type { EncryptionKey } from '@estate/iam';

export interface SnapshotMigrationProps {
  /** The environment's naming; both copies carry its prefix. */
  readonly naming: Naming;
  /** The legacy database as the organisation model describes it (snapshot, share key). */
  readonly legacy: LegacyDatabaseConfig;
  /** Provider into the legacy account (alias `legacy`). */
  readonly legacyProvider: AwsProvider;
  /** The account the database moves into; the legacy copy is shared with it. */
  readonly targetAccountId: string;
  /** The target's own customer key: the final copy (and so the restored instance) is encrypted with it. */
  readonly targetKey: EncryptionKey;
  /** Provider of the target account. @default - the stack's default provider */
  readonly targetProvider?: AwsProvider;
}

/**
 * Moves a legacy RDS snapshot into an environment account with its data intact:
 *
 *   legacy account                                    target account
 *   source snapshot ─copy─► share copy (share key) ─shared─► migrated copy (target key) ─restore─► instance
 *
 * A snapshot encrypted with an AWS managed key (`aws/rds`) cannot be shared, so the legacy
 * side re-encrypts it with a customer key whose policy lets the target account use it; the
 * target side must then copy the shared snapshot with a key of its own (RDS requires a
 * KMS key for a copy of a shared encrypted snapshot) before restoring from it.
 */
export class SnapshotMigration extends Construct {
  /** The legacy-side copy, re-encrypted with the share key and shared with the target account. */
  public readonly shareCopy: DbSnapshotCopy;
  /** The target-side copy, encrypted with the target's key. */
  public readonly targetCopy: DbSnapshotCopy;
  /** Identifier of the target-side copy: restore the new instance from it. */
  public readonly snapshotIdentifier: string;
  /** ARN of the legacy share key (resolved from the configured alias or ARN). */
  public readonly shareKeyArn: string;

  constructor(scope: Construct, id: string, props: SnapshotMigrationProps) {
    super(scope, id);
    const { legacy, naming } = props;
    validate(id, props);

    const shareKey = new DataAwsKmsKey(this, 'share-key', { provider: props.legacyProvider, keyId: legacy.shareKmsKey });
    this.shareKeyArn = shareKey.arn;

    this.shareCopy = new DbSnapshotCopy(this, 'share-copy', {
      provider: props.legacyProvider,
      sourceDbSnapshotIdentifier: legacy.snapshotIdentifier,
      targetDbSnapshotIdentifier: naming.resource('db-snapshot', `${legacy.name}-share`),
      kmsKeyId: shareKey.arn,
      sharedAccounts: [props.targetAccountId],
      copyTags: true,
      tags: { Name: naming.resource('db-snapshot', `${legacy.name}-share`), MigrationSource: legacy.snapshotIdentifier },
      timeouts: { create: '4h' },
    });

    this.targetCopy = new DbSnapshotCopy(this, 'target-copy', {
      provider: props.targetProvider,
      // A snapshot shared from another account is addressed by its ARN.
      sourceDbSnapshotIdentifier: this.shareCopy.dbSnapshotArn,
      targetDbSnapshotIdentifier: naming.resource('db-snapshot', `${legacy.name}-migrated`),
      kmsKeyId: props.targetKey.keyArn,
      copyTags: false,
      tags: { Name: naming.resource('db-snapshot', `${legacy.name}-migrated`), MigrationSource: legacy.snapshotIdentifier },
      timeouts: { create: '4h' },
    });
    this.snapshotIdentifier = this.targetCopy.targetDbSnapshotIdentifier;
  }
}

/** True for AWS managed keys (`alias/aws/rds`, `arn:...:alias/aws/...`), which cannot be shared across accounts. */
export function isAwsManagedKeyReference(key: string): boolean {
  return /(^|:)alias\/aws\//.test(key) || /^aws\//.test(key);
}

function validate(id: string, props: SnapshotMigrationProps): void {
  const { legacy } = props;
  const where = `SnapshotMigration ${id} (legacy database '${legacy.name}')`;
  const key = legacy.shareKmsKey;
  const rules: { readonly ok: boolean; readonly message: string }[] = [
    {
      ok: Token.isUnresolved(key) || !isAwsManagedKeyReference(key),
      message: `shareKmsKey '${key}' is an AWS managed key; snapshots encrypted with default keys cannot be shared with another account. Use a customer managed key whose policy lets account ${props.targetAccountId} use it`,
    },
    {
      ok: Token.isUnresolved(key) || /^(alias\/[A-Za-z0-9/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[a-f0-9-]+|alias\/[A-Za-z0-9/_-]+)|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}|mrk-[a-f0-9]{32})$/.test(key),
      message: `shareKmsKey '${key}' is not a KMS key reference; expected alias/<name>, a key id or a key/alias ARN`,
    },
    { ok: /^\d{12}$/.test(props.targetAccountId), message: `targetAccountId '${props.targetAccountId}' is not a 12-digit account id` },
    {
      ok: Token.isUnresolved(legacy.snapshotIdentifier) || /^[A-Za-z][A-Za-z0-9-]{0,254}$/.test(legacy.snapshotIdentifier) || /^arn:aws[a-z-]*:rds:/.test(legacy.snapshotIdentifier),
      message: `snapshotIdentifier '${legacy.snapshotIdentifier}' is not a DB snapshot identifier (letter first, then letters, digits and dashes)`,
    },
  ];
  const failed = rules.filter((r) => !r.ok).map((r) => r.message);
  if (failed.length > 0) throw new Error(`${where}: ${failed.join('; ')}`);
}
