import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { DatabaseConfig, DatabaseSettings, Naming, Tier } from '@estate/config';
import { PolicyStatement, Role, servicePrincipal, type EncryptionKey, type Grantable } from '@estate/iam';

/** Where the database lives: the VPC and its isolated data subnets. `VpcNetwork` satisfies it. */
export interface DatabaseNetwork {
  readonly vpcId: string;
  /** Isolated data subnets (no route to the internet), at least two AZs. */
  readonly dataSubnetIds: readonly string[];
}

/** A security group allowed to reach the database port, and why. */
export interface DatabaseClient {
  readonly securityGroupId: string;
  /** Shown on the ingress rule, e.g. `api tasks` or `DMS CDC replication`. */
  readonly description: string;
}

export interface PostgresDatabaseProps {
  /** The environment's naming (prefix and length limits). */
  readonly naming: Naming;
  /** The database as the organisation model describes it. */
  readonly config: DatabaseConfig;
  /** Sizing and protections of the environment (`EnvironmentContext.settings.database`). */
  readonly settings: DatabaseSettings;
  /** The environment's tier: production enforces the production minimums. */
  readonly tier: Tier;
  readonly network: DatabaseNetwork;
  /** Customer KMS key for storage, Performance Insights and the managed master secret. */
  readonly encryptionKey: EncryptionKey;
  /** Security groups admitted on the database port. @default - none (add with {@link PostgresDatabase.allowFrom}) */
  readonly clients?: readonly DatabaseClient[];
  /**
   * Restore from this DB snapshot (identifier or ARN, in this account) instead of creating an
   * empty database. Later changes of the identifier are ignored, so re-applies never replace the instance.
   * @default - a new, empty database
   */
  readonly snapshotIdentifier?: string;
  /** Master user name of a new database (a restored one keeps the snapshot's). @default 'estate_admin' */
  readonly masterUsername?: string;
  /** Database user that IAM authentication maps to, for {@link PostgresDatabase.grantConnect}. @default 'app' */
  readonly iamUser?: string;
}

/** Performance Insights accepts 7 days or a multiple of 31 up to 731. */
const PI_RETENTION_OK = (days: number) => days === 7 || (days % 31 === 0 && days >= 31 && days <= 731);
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
/** The shortest backup retention each tier accepts. */
export const MIN_BACKUP_RETENTION_DAYS: Record<Tier, number> = { production: 7, 'non-production': 1 };
/** Arguments that only matter when the instance is created (each forces replacement in the provider). */
export const CREATION_ONLY_ARGUMENTS = ['snapshot_identifier', 'username', 'db_name'] as const;
const ENHANCED_MONITORING_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole';

/**
 * An RDS for PostgreSQL instance built the one way this estate allows: encrypted with a
 * customer key, private in the isolated data subnets, reachable only from named security
 * groups, SSL forced and logical replication on (for CDC), logs exported, Performance
 * Insights and enhanced monitoring on, IAM authentication on, and the master password
 * either managed by RDS in Secrets Manager or read from an existing secret — never written here.
 */
export class PostgresDatabase extends Construct {
  public readonly instance: DbInstance;
  public readonly securityGroup: SecurityGroup;
  public readonly securityGroupId: string;
  public readonly parameterGroup: DbParameterGroup;
  public readonly subnetGroup: DbSubnetGroup;
  /** Host name of the instance. */
  public readonly address: string;
  /** `host:port`. */
  public readonly endpoint: string;
  public readonly port: number;
  public readonly instanceIdentifier: string;
  public readonly instanceArn: string;
  /** Database created inside the instance. */
  public readonly databaseName: string;
  /** ARN of the secret holding the master credentials (RDS-managed or the existing one). */
  public readonly secretArn: string;
  /** Key the secret is encrypted with, when this construct knows it (RDS-managed secrets). */
  public readonly secretKmsKeyArn?: string;
  public readonly encryptionKey: EncryptionKey;
  private readonly iamUser: string;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const { config, settings, naming } = props;
    validate(id, props);

    this.encryptionKey = props.encryptionKey;
    this.port = config.port;
    this.databaseName = config.databaseName;
    this.iamUser = props.iamUser ?? 'app';
    const identifier = naming.resource('rds-instance', config.name);
    const major = config.engineVersion.split('.')[0];

    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: naming.resource('security-group', `${config.name}-db`),
      description: `PostgreSQL ${identifier}: ${config.port}/tcp from its clients only`,
      vpcId: props.network.vpcId,
      tags: { Name: naming.resource('security-group', `${config.name}-db`) },
    });
    this.securityGroupId = this.securityGroup.id;
    for (const client of props.clients ?? []) this.allowFrom(client);

    this.subnetGroup = new DbSubnetGroup(this, 'subnet-group', {
      name: naming.resource('db-subnet-group', config.name),
      description: `Isolated data subnets of ${identifier}`,
      subnetIds: [...props.network.dataSubnetIds],
    });

    this.parameterGroup = new DbParameterGroup(this, 'parameters', {
      name: naming.resource('rds-parameter-group', `${config.name}-postgres${major}`),
      family: `postgres${major}`,
      description: `${identifier}: SSL forced, logical replication on`,
      parameter: [
        { name: 'rds.force_ssl', value: '1', applyMethod: 'immediate' },
        // Static parameter: takes effect at the next reboot.
        { name: 'rds.logical_replication', value: '1', applyMethod: 'pending-reboot' },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    const monitoringRole =
      settings.monitoringIntervalSeconds > 0
        ? new Role(this, 'monitoring-role', {
            roleName: naming.resource('iam-role', `${config.name}-rds-monitoring`),
            description: `Enhanced monitoring of ${identifier}`,
            assumedBy: servicePrincipal('monitoring.rds.amazonaws.com'),
            managedPolicyArns: [ENHANCED_MONITORING_POLICY],
          })
        : undefined;

    const existing =
      config.credentials === 'existing-secret'
        ? new DataAwsSecretsmanagerSecretVersion(this, 'master-secret', { secretId: config.masterSecretName as string })
        : undefined;

    this.instance = new DbInstance(this, 'instance', {
      identifier,
      engine: 'postgres',
      // The major only: a restore keeps the snapshot's minor, and the provider sends
      // engine_version as a modify after the restore, which RDS refuses as a downgrade
      // (16.6 snapshot, 16.4 pinned) or a major change. Stated the same way for a new
      // instance (auto minor upgrades pick the minor), so dropping `migrateFrom` later is
      // no change. The parameter group's family pins the major, and preflight compares the
      // snapshot's engine with it (snapshotEngineProblems) before anything runs.
      engineVersion: major,
      instanceClass: settings.instanceClass,
      allocatedStorage: settings.allocatedStorageGb,
      maxAllocatedStorage: settings.maxAllocatedStorageGb,
      storageType: 'gp3',
      storageEncrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      port: config.port,
      // Stated the same way whether restoring or not, and never changed after creation (see
      // lifecycle): a restored instance keeps the snapshot's database and master user, and
      // `username`, `db_name` and `snapshot_identifier` force replacement in the provider, so
      // removing `migrateFrom` after the restore must not show up as a change.
      dbName: config.databaseName,
      username: existing ? Fn.lookup(Fn.jsondecode(existing.secretString), 'username') : (props.masterUsername ?? 'estate_admin'),
      manageMasterUserPassword: existing ? undefined : true,
      masterUserSecretKmsKeyId: existing ? undefined : props.encryptionKey.keyArn,
      password: existing ? Fn.lookup(Fn.jsondecode(existing.secretString), 'password') : undefined,
      snapshotIdentifier: props.snapshotIdentifier,
      multiAz: settings.multiAz,
      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      parameterGroupName: this.parameterGroup.name,
      backupRetentionPeriod: settings.backupRetentionDays,
      backupWindow: settings.backupWindow,
      maintenanceWindow: settings.maintenanceWindow,
      deletionProtection: settings.deletionProtection,
      skipFinalSnapshot: settings.skipFinalSnapshot,
      finalSnapshotIdentifier: settings.skipFinalSnapshot ? undefined : naming.resource('db-snapshot', `${config.name}-final`),
      deleteAutomatedBackups: settings.skipFinalSnapshot,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.encryptionKey.keyArn,
      performanceInsightsRetentionPeriod: settings.performanceInsightsRetentionDays,
      monitoringInterval: settings.monitoringIntervalSeconds,
      monitoringRoleArn: monitoringRole?.roleArn,
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      applyImmediately: false,
      lifecycle: { ignoreChanges: [...CREATION_ONLY_ARGUMENTS] },
      tags: { Name: identifier },
    });

    this.address = this.instance.address;
    this.endpoint = this.instance.endpoint;
    this.instanceIdentifier = this.instance.identifier;
    this.instanceArn = this.instance.arn;
    if (existing) {
      this.secretArn = existing.arn;
    } else {
      this.secretArn = this.instance.masterUserSecret.get(0).secretArn;
      this.secretKmsKeyArn = props.encryptionKey.keyArn;
    }
  }

  /** Admits `client` on the database port (one described ingress rule). */
  allowFrom(client: DatabaseClient): VpcSecurityGroupIngressRule {
    const ruleId = `ingress-${this.node.children.filter((c) => c instanceof VpcSecurityGroupIngressRule).length}`;
    return new VpcSecurityGroupIngressRule(this, ruleId, {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: client.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: this.port,
      toPort: this.port,
      description: `PostgreSQL from ${client.description}`,
    });
  }

  /** Lets `grantee` log in as `dbUser` with IAM authentication (rds-db:connect). */
  grantConnect(grantee: Grantable, dbUser: string = this.iamUser): PolicyStatement {
    const region = (this.node.tryFindChild('region') as DataAwsRegion | undefined) ?? new DataAwsRegion(this, 'region');
    const account = (this.node.tryFindChild('account') as DataAwsCallerIdentity | undefined) ?? new DataAwsCallerIdentity(this, 'account');
    return grantee.addToPolicy(
      new PolicyStatement({
        actions: ['rds-db:connect'],
        resources: [`arn:aws:rds-db:${region.region}:${account.accountId}:dbuser:${this.instance.resourceId}/${dbUser}`],
      }),
    );
  }

  /** Lets `grantee` read the master secret (and decrypt it, for RDS-managed secrets). */
  grantSecretRead(grantee: Grantable): PolicyStatement {
    const statement = grantee.addToPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [this.secretArn] }),
    );
    if (this.secretKmsKeyArn) this.encryptionKey.grantDecrypt(grantee);
    return statement;
  }
}

function validate(id: string, props: PostgresDatabaseProps): void {
  const { config, settings, tier } = props;
  const where = `PostgresDatabase ${id} (${config.name})`;
  const minimum = MIN_BACKUP_RETENTION_DAYS[tier];
  const rules: { readonly ok: boolean; readonly message: string }[] = [
    { ok: /^[a-z][a-z0-9-]{0,30}$/.test(config.name), message: `name '${config.name}' must be lowercase letters, digits and dashes, starting with a letter` },
    { ok: /^\d{2}(\.\d+)?$/.test(config.engineVersion) && Number(config.engineVersion.split('.')[0]) >= 12, message: `engineVersion '${config.engineVersion}' must be a PostgreSQL version '<major>[.<minor>]' with major >= 12` },
    { ok: Number.isInteger(config.port) && config.port >= 1150 && config.port <= 65535, message: `port ${config.port} must be 1150..65535` },
    { ok: /^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(config.databaseName), message: `databaseName '${config.databaseName}' must start with a letter and contain letters, digits and underscores (max 63)` },
    { ok: config.credentials !== 'existing-secret' || !!config.masterSecretName, message: `credentials 'existing-secret' needs masterSecretName (the Secrets Manager entry holding {username,password})` },
    { ok: config.credentials === 'rds-managed' || config.credentials === 'existing-secret', message: `credentials '${String(config.credentials)}' must be 'rds-managed' or 'existing-secret'` },
    { ok: /^db\.[a-z0-9]+\.[a-z0-9]+$/.test(settings.instanceClass), message: `instanceClass '${settings.instanceClass}' is not an RDS class (expected e.g. db.t4g.medium)` },
    { ok: settings.allocatedStorageGb >= 20 && settings.allocatedStorageGb <= 65536, message: `allocatedStorageGb ${settings.allocatedStorageGb} must be 20..65536` },
    { ok: settings.maxAllocatedStorageGb >= settings.allocatedStorageGb, message: `maxAllocatedStorageGb ${settings.maxAllocatedStorageGb} is below allocatedStorageGb ${settings.allocatedStorageGb}` },
    { ok: Number.isInteger(settings.backupRetentionDays) && settings.backupRetentionDays <= 35, message: `backupRetentionDays ${settings.backupRetentionDays} must be a whole number <= 35` },
    { ok: settings.backupRetentionDays >= minimum, message: `backupRetentionDays ${settings.backupRetentionDays} is below the ${tier} minimum of ${minimum} days` },
    { ok: tier !== 'production' || settings.multiAz, message: `multiAz must be on in production` },
    { ok: tier !== 'production' || settings.deletionProtection, message: `deletionProtection must be on in production` },
    { ok: tier !== 'production' || !settings.skipFinalSnapshot, message: `skipFinalSnapshot must be false in production (a final snapshot is taken on destroy)` },
    { ok: PI_RETENTION_OK(settings.performanceInsightsRetentionDays), message: `performanceInsightsRetentionDays ${settings.performanceInsightsRetentionDays} must be 7 or a multiple of 31 up to 731` },
    { ok: MONITORING_INTERVALS.includes(settings.monitoringIntervalSeconds), message: `monitoringIntervalSeconds ${settings.monitoringIntervalSeconds} must be one of ${MONITORING_INTERVALS.join(', ')}` },
    { ok: /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(settings.backupWindow), message: `backupWindow '${settings.backupWindow}' must be hh24:mi-hh24:mi (UTC)` },
    { ok: /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/.test(settings.maintenanceWindow), message: `maintenanceWindow '${settings.maintenanceWindow}' must be ddd:hh24:mi-ddd:hh24:mi (UTC)` },
    { ok: props.masterUsername === undefined || /^[a-z][a-z0-9_]{0,15}$/.test(props.masterUsername), message: `masterUsername '${props.masterUsername}' must be lowercase letters, digits and underscores, at most 16` },
    { ok: props.snapshotIdentifier === undefined || Token.isUnresolved(props.snapshotIdentifier) || props.snapshotIdentifier.length > 0, message: `snapshotIdentifier must not be empty` },
  ];
  const failed = rules.filter((r) => !r.ok).map((r) => r.message);
  if (failed.length > 0) throw new Error(`${where}: ${failed.join('; ')}`);
}

/** What a snapshot reports about its engine (RDS DescribeDBSnapshots: Engine, EngineVersion). */
export interface SnapshotEngine {
  readonly engine: string;
  readonly engineVersion: string;
}

/**
 * Why `snapshot` cannot be restored into a database whose parameter group family is
 * `family` (`postgres16`), or none: another engine, or another major version (a restore
 * keeps the snapshot's version; a major upgrade is a separate, deliberate step).
 */
export function snapshotEngineProblems(snapshot: SnapshotEngine, family: string, where: string): string[] {
  const problems: string[] = [];
  const expectedMajor = /^postgres(\d+)$/.exec(family)?.[1];
  if (!expectedMajor) return [`${where}: parameter group family '${family}' is not a PostgreSQL family ('postgres<major>')`];
  if (snapshot.engine !== 'postgres') problems.push(`${where}: snapshot engine is '${snapshot.engine}', expected 'postgres'`);
  const major = snapshot.engineVersion.split('.')[0];
  if (major !== expectedMajor) {
    problems.push(`${where}: snapshot engine version ${snapshot.engineVersion} is PostgreSQL ${major}, but the parameter group family is ${family}; set engineVersion to '${major}' (or upgrade the legacy snapshot first)`);
  }
  return problems;
}
