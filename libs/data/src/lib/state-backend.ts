import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { StateBackendTarget } from '@estate/config';
import { condition, EncryptionKey, PolicyStatement, type Grantable, type PermissionsBoundary } from '@estate/iam';
import { SecureBucket } from './secure-bucket';

export interface StateBackendProps {
  /** Names from the organisation model: `organisation.stateBackend(role)`. */
  readonly target: StateBackendTarget;
  /** Account the backend lives in (table and key ARNs are built from it). */
  readonly accountId: string;
  /** Roles that may delete state objects and object versions (the account's deploy role). */
  readonly deployRoleArns: readonly string[];
  /** Deletion protection on the lock table, and Terraform `prevent_destroy` on the bucket, table and key. @default false */
  readonly deletionProtection?: boolean;
  /** Days noncurrent state versions are kept (the history to roll back to). @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

const STATE_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];
const LOCK_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'];
const KEY_USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/**
 * An account's Terraform state backend, named by the organisation model:
 *
 * - the bucket `<role>-tfstate-<account>`: a {@link SecureBucket} (versioning, TLS only,
 *   public access blocked, ownership enforced, noncurrent versions expire) encrypted with
 *   its own customer key (`alias/<role>-tfstate`, rotation on); its policy also denies
 *   deleting `.tfstate` objects and any object version to everyone but the deploy roles,
 *   so a plan role or a stray grant can never erase history;
 * - the lock table `<role>-tfstate-lock` (`LockID` string hash key, on demand, PITR,
 *   encrypted with the same key, deletion protection where asked). The S3 lockfile
 *   (`use_lockfile`) works on the bucket alone; the table serves Terraform before 1.10.
 *
 * Grants are scoped to a key prefix: `grantStateAccess(role, 'dev')` covers `dev/...`
 * and preview copies `dev-pr42/...`, objects and lock items alike.
 */
export class StateBackend extends Construct {
  public readonly bucket: SecureBucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly table: DynamodbTable;
  public readonly lockTableName: string;
  public readonly lockTableArn: string;
  public readonly key: EncryptionKey;
  public readonly keyArn: string;
  /** `alias/<role>-tfstate` */
  public readonly keyAlias: string;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const { target } = props;
    const problems = [
      { bad: !/^\d{12}$/.test(props.accountId), message: `accountId '${props.accountId}' is not a 12-digit account id` },
      { bad: !target.kmsKeyAlias.startsWith('alias/'), message: `kmsKeyAlias '${target.kmsKeyAlias}' must start with alias/` },
      { bad: props.deployRoleArns.length === 0, message: 'deployRoleArns is empty; at least the account deploy role must be able to remove lock files' },
      { bad: !/^[a-zA-Z0-9_.-]{3,255}$/.test(target.lockTable), message: `lock table name '${target.lockTable}' is invalid (3-255 of letters, digits, _ . -)` },
    ].filter((p) => p.bad);
    if (problems.length) throw new Error(`StateBackend ${id}: ${problems.map((p) => p.message).join('; ')}`);

    const provider = props.provider;
    this.keyAlias = target.kmsKeyAlias;
    this.key = new EncryptionKey(this, 'key', {
      alias: target.kmsKeyAlias.slice('alias/'.length),
      description: `Encrypts Terraform state in ${target.bucket} and its lock table`,
      provider,
    });
    this.keyArn = this.key.keyArn;

    this.bucket = new SecureBucket(this, 'bucket', {
      bucketName: target.bucket,
      kmsKeyArn: this.key.keyArn,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 90,
      provider,
    });
    this.bucketName = target.bucket;
    this.bucketArn = `arn:aws:s3:::${target.bucket}`;
    const exceptDeployRoles = condition('ArnNotEquals', 'aws:PrincipalArn', ...props.deployRoleArns);
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyStateDeletionExceptDeployRoles',
        effect: 'Deny',
        actions: ['s3:DeleteObject'],
        resources: [`${this.bucketArn}/*.tfstate`],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        conditions: [exceptDeployRoles],
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyVersionDeletionExceptDeployRoles',
        effect: 'Deny',
        actions: ['s3:DeleteObjectVersion'],
        resources: [`${this.bucketArn}/*`],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        conditions: [exceptDeployRoles],
      }),
    );

    this.table = new DynamodbTable(this, 'lock-table', {
      provider,
      name: target.lockTable,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.key.keyArn },
      deletionProtectionEnabled: props.deletionProtection ?? false,
      tags: { Name: target.lockTable },
    });
    if (props.deletionProtection) {
      for (const resource of [this.bucket.bucket, this.table, this.key.key]) resource.lifecycle = { ...resource.lifecycle, preventDestroy: true };
    }
    this.lockTableName = target.lockTable;
    this.lockTableArn = `arn:aws:dynamodb:${target.region}:${props.accountId}:table/${target.lockTable}`;
  }

  /**
   * Lets `grantee` read and write state under `keyPrefix` (`dev` covers `dev/...` and
   * `dev-pr42/...`): list the bucket, get/put/delete those objects (lock files included),
   * lock items for them, and the state key. Deleting `.tfstate` objects and versions
   * still needs a deploy role (bucket policy).
   */
  grantStateAccess(grantee: Grantable, keyPrefix: string): PolicyStatement[] {
    return this.grantState(grantee, keyPrefix, 'write');
  }

  /**
   * Lets `grantee` read state under `keyPrefix` and take the lock for a plan: get objects,
   * put and delete only `*.tflock` lock files, lock items, decrypt (and encrypt lock files).
   */
  grantStateRead(grantee: Grantable, keyPrefix: string): PolicyStatement[] {
    return this.grantState(grantee, keyPrefix, 'read');
  }

  /**
   * Denies, through `boundary`, what no deploy or workload role may do to the backend:
   * delete or reconfigure the bucket, drop state versions, delete or reconfigure the
   * lock table, and disable, delete or re-policy the key.
   */
  protectWith(boundary: PermissionsBoundary): PolicyStatement[] {
    return [
      boundary.deny(
        'DenyStateBucketChanges',
        ['s3:DeleteBucket*', 's3:PutBucket*', 's3:PutEncryptionConfiguration', 's3:PutLifecycleConfiguration', 's3:DeleteObjectVersion'],
        [this.bucketArn, `${this.bucketArn}/*`],
      ),
      boundary.deny('DenyLockTableChanges', ['dynamodb:DeleteTable', 'dynamodb:UpdateTable', 'dynamodb:UpdateContinuousBackups'], [this.lockTableArn]),
      boundary.deny(
        'DenyStateKeyChanges',
        ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:DisableKeyRotation'],
        [this.key.keyArn],
      ),
    ];
  }

  private grantState(grantee: Grantable, keyPrefix: string, mode: 'read' | 'write'): PolicyStatement[] {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(keyPrefix)) {
      throw new Error(`StateBackend ${this.node.id}: key prefix '${keyPrefix}' is invalid; expected a state qualifier such as 'dev' or 'legacy'`);
    }
    const objects = `${this.bucketArn}/${keyPrefix}*`;
    const statements = [
      new PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketVersioning'], resources: [this.bucketArn] }),
      mode === 'write'
        ? new PolicyStatement({ actions: STATE_OBJECT_ACTIONS, resources: [objects] })
        : new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }),
      ...(mode === 'read'
        ? [new PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [`${this.bucketArn}/${keyPrefix}*.tflock`] })]
        : []),
      new PolicyStatement({
        actions: LOCK_ITEM_ACTIONS,
        resources: [this.lockTableArn],
        // LockID is `<bucket>/<key>` (and `<bucket>/<key>-md5` for the digest).
        conditions: [condition('ForAllValues:StringLike', 'dynamodb:LeadingKeys', `${this.bucketName}/${keyPrefix}*`)],
      }),
      new PolicyStatement({ actions: KEY_USE, resources: [this.key.keyArn] }),
    ];
    return statements.map((s) => grantee.addToPolicy(s));
  }
}
