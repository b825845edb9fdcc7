import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DmsEndpoint } from '@cdktf/provider-aws/lib/dms-endpoint';
import { DmsReplicationInstance } from '@cdktf/provider-aws/lib/dms-replication-instance';
import { DmsReplicationSubnetGroup } from '@cdktf/provider-aws/lib/dms-replication-subnet-group';
import { DmsReplicationTask } from '@cdktf/provider-aws/lib/dms-replication-task';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { LOG_RETENTION_DAYS, type MigrationSettings, type Naming } from '@estate/config';
import { PolicyStatement, Role, servicePrincipal, type EncryptionKey } from '@estate/iam';
import { DMS_CONTROL_SCHEMA, lsnProblem, renderTableMappings, tablePatternProblems } from './dms-table-mappings';
import type { PostgresDatabase } from './postgres-database';

/** Where DMS runs: private subnets with a route to the legacy VPC (peering) and to AWS APIs. `VpcNetwork` satisfies it. */
export interface ReplicationNetwork {
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];
}

/** The legacy database DMS reads changes from. */
export interface CdcSource {
  /** Host name (the legacy instance's address, reached over the peering). */
  readonly host: string;
  readonly port: number;
  readonly databaseName: string;
  /** CIDR the host lives in (the legacy VPC): DMS may send to it on `port` only. */
  readonly cidr: string;
}

export type DmsSslMode = 'require' | 'verify-ca' | 'verify-full';

export interface CdcReplicationProps {
  readonly naming: Naming;
  /** Logical database name (`ledger`); names every resource. */
  readonly name: string;
  /** Region of the target account (DMS reads secrets through its regional service principal). */
  readonly region: string;
  readonly network: ReplicationNetwork;
  /** Instance class, Multi-AZ and storage of the replication instance (`settings.migration`). */
  readonly settings: MigrationSettings;
  /** Retention of the task log group, days (a CloudWatch value). */
  readonly logRetentionDays: number;
  /** Customer key for the replication instance storage, the log group and the connection secrets. */
  readonly encryptionKey: EncryptionKey;
  readonly source: CdcSource;
  /** The new database changes are applied to; DMS is admitted to it on its port. */
  readonly target: PostgresDatabase;
  /** `schema.table` patterns (`%` wildcard) to replicate, from `legacy.databases[].tables`. */
  readonly tables: readonly string[];
  /**
   * LSN to start from, recorded (with the replication slot) before the snapshot was taken:
   * a literal `16/B374D848` (validated) or a token such as a Terraform variable.
   */
  readonly cdcStartPosition: string;
  /** Logical replication slot on the source that the LSN belongs to. @default - `<qualifier>_<name>_dms` */
  readonly slotName?: string;
  /** SSL mode of both endpoints. @default 'require' */
  readonly sslMode?: DmsSslMode;
  /** DMS certificate (the RDS CA bundle) for `verify-ca` / `verify-full`. @default - none */
  readonly certificateArn?: string;
  /** DMS engine version. @default '3.5.4' */
  readonly engineVersion?: string;
  /**
   * Largest LOB (text, bytea, jsonb value) DMS carries, KB. Limited LOB mode with the source's
   * `FailTasksOnLobTruncation`: a larger value fails the task instead of being cut short.
   * @default 8192 (8 MB)
   */
  readonly lobMaxSizeKb?: number;
  /** Resources that must exist first (the account's `dms-vpc-role` and `dms-cloudwatch-logs-role`). @default - none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Change data capture from a legacy PostgreSQL database into its restored copy with DMS:
 * a private, encrypted replication instance in the private subnets, both endpoints
 * authenticated through Secrets Manager over SSL, and a CDC-only task that starts at the
 * LSN recorded before the snapshot, validates rows and logs to an encrypted log group.
 *
 * The task is created stopped (`start_replication_task = false`): the migration runner starts
 * it once the restored instance is up and the connection secrets are filled. Those two
 * secrets are created empty here (nothing writes a credential into configuration); the runner
 * writes `{username,password,host,port}` into them — DMS needs host and port in the secret,
 * which an RDS-managed master secret does not hold.
 */
export class CdcReplication extends Construct {
  public readonly securityGroup: SecurityGroup;
  public readonly instance: DmsReplicationInstance;
  public readonly sourceEndpoint: DmsEndpoint;
  public readonly targetEndpoint: DmsEndpoint;
  public readonly task: DmsReplicationTask;
  public readonly logGroup: CloudwatchLogGroup;
  /** Secret the runner fills with the legacy connection (`{username,password,host,port}`). */
  public readonly sourceSecret: SecretsmanagerSecret;
  /** Secret the runner fills with the target connection (from the RDS-managed master secret). */
  public readonly targetSecret: SecretsmanagerSecret;
  /** Role DMS assumes to read exactly those two secrets. */
  public readonly secretsAccessRole: Role;
  public readonly replicationTaskArn: string;
  public readonly slotName: string;

  constructor(scope: Construct, id: string, props: CdcReplicationProps) {
    super(scope, id);
    const { naming, name, settings } = props;
    this.slotName = props.slotName ?? `${naming.qualifier}_${name}_dms`.replace(/-/g, '_');
    const sslMode = props.sslMode ?? 'require';
    const lobMaxSizeKb = props.lobMaxSizeKb ?? DEFAULT_LOB_MAX_SIZE_KB;
    validate(id, props, this.slotName, sslMode, lobMaxSizeKb);

    const instanceId = naming.resource('dms-replication-instance', `${name}-cdc`);
    const dependsOn = props.dependsOn ? [...props.dependsOn] : undefined;

    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: naming.resource('security-group', `${name}-dms`),
      description: `DMS ${instanceId}: to the legacy and new databases and AWS APIs only`,
      vpcId: props.network.vpcId,
      tags: { Name: naming.resource('security-group', `${name}-dms`) },
    });
    new VpcSecurityGroupEgressRule(this, 'to-source', {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: props.source.cidr,
      ipProtocol: 'tcp',
      fromPort: props.source.port,
      toPort: props.source.port,
      description: `PostgreSQL to the legacy database ${props.source.databaseName} over the peering`,
    });
    new VpcSecurityGroupEgressRule(this, 'to-target', {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: props.target.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: props.target.port,
      toPort: props.target.port,
      description: `PostgreSQL to the new database ${props.target.databaseName}`,
    });
    new VpcSecurityGroupEgressRule(this, 'to-aws-apis', {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to Secrets Manager, KMS and CloudWatch (NAT or interface endpoints)',
    });
    props.target.allowFrom({ securityGroupId: this.securityGroup.id, description: `DMS CDC replication ${instanceId}` });

    const subnetGroup = new DmsReplicationSubnetGroup(this, 'subnet-group', {
      replicationSubnetGroupId: naming.resource('db-subnet-group', `${name}-dms`),
      replicationSubnetGroupDescription: `Private subnets of DMS ${instanceId}`,
      subnetIds: [...props.network.privateSubnetIds],
      dependsOn,
    });

    // DMS writes task logs to `dms-tasks-<instance id>`; creating it first gives it a key and a retention.
    this.logGroup = new CloudwatchLogGroup(this, 'task-logs', {
      name: `dms-tasks-${instanceId}`,
      kmsKeyId: props.encryptionKey.keyArn,
      retentionInDays: props.logRetentionDays,
    });

    this.instance = new DmsReplicationInstance(this, 'instance', {
      replicationInstanceId: instanceId,
      replicationInstanceClass: settings.dmsInstanceClass,
      allocatedStorage: settings.dmsAllocatedStorageGb,
      multiAz: settings.dmsMultiAz,
      engineVersion: props.engineVersion ?? '3.5.4',
      kmsKeyArn: props.encryptionKey.keyArn,
      publiclyAccessible: false,
      replicationSubnetGroupId: subnetGroup.replicationSubnetGroupId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      applyImmediately: false,
      dependsOn: [...(dependsOn ?? []), this.logGroup],
      tags: { Name: instanceId },
    });

    const secret = (secretId: string, side: string, content: string) =>
      new SecretsmanagerSecret(this, secretId, {
        name: naming.resource('secret', `${name}/dms/${side}`),
        description: `DMS ${side} endpoint of ${instanceId}: ${content}. Filled by the migration runner; JSON {username,password,host,port}.`,
        kmsKeyId: props.encryptionKey.keyArn,
        recoveryWindowInDays: 7,
      });
    this.sourceSecret = secret('source-secret', 'source', `legacy database ${props.source.databaseName}`);
    this.targetSecret = secret('target-secret', 'target', `new database ${props.target.databaseName}`);

    this.secretsAccessRole = new Role(this, 'secrets-access', {
      roleName: naming.resource('iam-role', `${name}-dms-secrets`),
      description: `DMS ${instanceId} reads its two endpoint secrets`,
      // DMS assumes secret access roles through its regional service principal.
      assumedBy: servicePrincipal(`dms.${props.region}.amazonaws.com`),
    });
    this.secretsAccessRole.addToPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [this.sourceSecret.arn, this.targetSecret.arn],
      }),
    );
    props.encryptionKey.grantDecrypt(this.secretsAccessRole);

    const endpoint = (endpointId: string, type: 'source' | 'target', databaseName: string, secretArn: string) =>
      new DmsEndpoint(this, endpointId, {
        endpointId: naming.resource('dms-endpoint', `${name}-${type}`),
        endpointType: type,
        engineName: 'postgres',
        databaseName,
        secretsManagerArn: secretArn,
        secretsManagerAccessRoleArn: this.secretsAccessRole.roleArn,
        sslMode,
        certificateArn: props.certificateArn,
        kmsKeyArn: props.encryptionKey.keyArn,
        postgresSettings:
          type === 'source'
            ? {
                slotName: this.slotName,
                pluginName: 'test_decoding',
                heartbeatEnable: true,
                heartbeatFrequency: 5,
                captureDdls: false,
                heartbeatSchema: DMS_CONTROL_SCHEMA,
                // Limited LOB mode truncates silently unless the source endpoint says fail.
                failTasksOnLobTruncation: true,
              }
            : // Applied changes must not fire the restored database's triggers (they already ran
              // on legacy) nor trip deferred foreign keys mid-transaction: apply as a replica.
              { afterConnectScript: TARGET_AFTER_CONNECT },
        // The role's policy must be in place before DMS first reads the secret.
        dependsOn: [this.secretsAccessRole.resource],
        tags: { Name: naming.resource('dms-endpoint', `${name}-${type}`) },
      });
    this.sourceEndpoint = endpoint('source', 'source', props.source.databaseName, this.sourceSecret.arn);
    this.targetEndpoint = endpoint('target', 'target', props.target.databaseName, this.targetSecret.arn);

    this.task = new DmsReplicationTask(this, 'task', {
      replicationTaskId: naming.resource('dms-task', `${name}-cdc`),
      migrationType: 'cdc',
      cdcStartPosition: props.cdcStartPosition,
      replicationInstanceArn: this.instance.replicationInstanceArn,
      sourceEndpointArn: this.sourceEndpoint.endpointArn,
      targetEndpointArn: this.targetEndpoint.endpointArn,
      tableMappings: renderTableMappings(props.tables),
      replicationTaskSettings: JSON.stringify(taskSettings({ lobMaxSizeKb })),
      // The runner starts and stops the task. The provider stops a running task to modify it
      // and restarts it only when start_replication_task is true (resourceReplicationTaskUpdate),
      // so a later apply that touched these would silently end CDC: Terraform creates the
      // task and never modifies it afterwards.
      startReplicationTask: false,
      lifecycle: { ignoreChanges: [...TASK_IGNORED_CHANGES] },
      tags: { Name: naming.resource('dms-task', `${name}-cdc`) },
    });
    this.replicationTaskArn = this.task.replicationTaskArn;
  }
}

/** What the target endpoint runs on connecting: apply as a replica (no user triggers, no FK triggers). */
export const TARGET_AFTER_CONNECT = 'SET session_replication_role = replica';
export const DEFAULT_LOB_MAX_SIZE_KB = 8192;
/** Task arguments Terraform never changes after creation (any change would stop a running task). */
export const TASK_IGNORED_CHANGES = ['cdc_start_position', 'cdc_start_time', 'replication_task_settings', 'table_mappings', 'migration_type', 'start_replication_task'] as const;

/**
 * CDC task settings: apply changes transactionally, validate every row (LOBs up to the
 * limit), log to CloudWatch. LOBs in limited mode up to `lobMaxSizeKb`; the source endpoint
 * fails the task on a larger one (FailTasksOnLobTruncation) rather than truncating it.
 */
export function taskSettings(options: { readonly lobMaxSizeKb?: number } = {}): Record<string, unknown> {
  const lobMaxSizeKb = options.lobMaxSizeKb ?? DEFAULT_LOB_MAX_SIZE_KB;
  return {
    TargetMetadata: { SupportLobs: true, FullLobMode: false, LimitedSizeLobMode: true, LobMaxSize: lobMaxSizeKb },
    FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING' },
    // awsdms_apply_exceptions and friends go to their own schema on the target, not into public.
    ControlTablesSettings: { ControlSchema: DMS_CONTROL_SCHEMA },
    ChangeProcessingTuning: { BatchApplyEnabled: false, CommitTimeout: 1, MemoryLimitTotal: 1024 },
    ErrorBehavior: { ApplyErrorDeletePolicy: 'LOG_ERROR', ApplyErrorInsertPolicy: 'LOG_ERROR', ApplyErrorUpdatePolicy: 'LOG_ERROR', DataErrorPolicy: 'LOG_ERROR' },
    ValidationSettings: {
      EnableValidation: true,
      ValidationMode: 'ROW_LEVEL',
      ThreadCount: 5,
      FailureMaxCount: 10000,
      TableFailureMaxCount: 1000,
      ValidationOnly: false,
      // Validation compares LOBs only up to this size; equal to LobMaxSize, it compares them whole.
      ValidationPartialLobSize: lobMaxSizeKb,
    },
    // The log group itself cannot be named on create; DMS uses dms-tasks-<instance id>.
    Logging: {
      EnableLogging: true,
      LogComponents: ['SOURCE_CAPTURE', 'TARGET_APPLY', 'TASK_MANAGER', 'VALIDATOR_EXT'].map((Id) => ({ Id, Severity: 'LOGGER_SEVERITY_DEFAULT' })),
    },
  };
}

function validate(id: string, props: CdcReplicationProps, slotName: string, sslMode: DmsSslMode, lobMaxSizeKb: number): void {
  const where = `CdcReplication ${id} (${props.name})`;
  const lsn = Token.isUnresolved(props.cdcStartPosition) ? undefined : lsnProblem(props.cdcStartPosition);
  const rules: { readonly ok: boolean; readonly message: string }[] = [
    { ok: lsn === undefined, message: lsn ?? '' },
    ...tablePatternProblems(props.tables).map((message) => ({ ok: false, message })),
    { ok: /^[a-z0-9_]{1,63}$/.test(slotName), message: `slotName '${slotName}' must be 1-63 lowercase letters, digits and underscores` },
    { ok: /^dms\.[a-z0-9]+\.[a-z0-9]+$/.test(props.settings.dmsInstanceClass), message: `dmsInstanceClass '${props.settings.dmsInstanceClass}' is not a DMS class (expected e.g. dms.t3.medium)` },
    { ok: props.settings.dmsAllocatedStorageGb >= 5 && props.settings.dmsAllocatedStorageGb <= 6144, message: `dmsAllocatedStorageGb ${props.settings.dmsAllocatedStorageGb} must be 5..6144` },
    { ok: (LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays), message: `logRetentionDays ${props.logRetentionDays} is not a CloudWatch retention (${LOG_RETENTION_DAYS.join(', ')})` },
    { ok: sslMode === 'require' || !!props.certificateArn, message: `sslMode '${sslMode}' needs certificateArn (a DMS certificate with the RDS CA bundle)` },
    // DMS's limit for LobMaxSize in limited LOB mode is 102400 KB (CHAP_Tasks.LOBSupport).
    { ok: Number.isInteger(lobMaxSizeKb) && lobMaxSizeKb >= 1 && lobMaxSizeKb <= 102400, message: `lobMaxSizeKb ${lobMaxSizeKb} must be a whole number 1..102400 (DMS's limited LOB mode maximum)` },
    { ok: Number.isInteger(props.source.port) && props.source.port > 0 && props.source.port < 65536, message: `source port ${props.source.port} is not a TCP port` },
    { ok: Token.isUnresolved(props.source.cidr) || /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(props.source.cidr), message: `source cidr '${props.source.cidr}' is not an IPv4 CIDR` },
  ];
  const failed = rules.filter((r) => !r.ok).map((r) => r.message);
  if (failed.length > 0) throw new Error(`${where}: ${failed.join('; ')}`);
}
