import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, TerraformOutput, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { DatabaseAccessTask } from '@estate/compute';
import { snapshotIdentifierFor, type DatabaseConfig, type LegacyDatabaseConfig } from '@estate/config';
import {
  CdcReplication,
  DmsServiceRoles,
  LegacyDatabase,
  LSN_PATTERN,
  PostgresDatabase,
  SecureBucket,
  SnapshotMigration,
  type DatabaseNetwork,
  type ReplicationNetwork,
} from '@estate/data';
import { suppressRules } from '@estate/guardrails';
import { EncryptionKey } from '@estate/iam';
import { BaseStack } from '@estate/platform';
import type { NetworkStack } from './network-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface DataStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
}

/** What the app stack needs about one database. */
export interface DataStackDatabase {
  readonly config: DatabaseConfig;
  readonly database: PostgresDatabase;
  /** Attach this security group to whatever must reach the database (it is admitted on the port). */
  readonly clientSecurityGroupId: string;
  /** Master credentials secret (read it with `database.grantSecretRead(role)`). */
  readonly secretArn: string;
  /** Snapshot migration from legacy, when this database is migrated (never in previews). */
  readonly migration?: SnapshotMigration;
  /** Change data capture from legacy, when this database is migrated. */
  readonly replication?: CdcReplication;
  /**
   * While migrating: the application's connection (`{host, port, dbname, username, password}`
   * of its own role), owned by the migration runner — legacy until the switch, then this
   * database. The services read it instead of the master secret. Created empty.
   */
  readonly appConnectionSecret?: SecretsmanagerSecret;
}

/**
 * The environment's data: one customer KMS key, the databases of the organisation model
 * (restored from the legacy snapshot and kept in sync by DMS CDC when `migrateFrom` is set,
 * fresh and empty in preview copies), and the assets bucket (with access logs in prod).
 */
export class DataStack extends BaseStack {
  public readonly encryptionKey: EncryptionKey;
  public readonly databases: ReadonlyMap<string, DataStackDatabase>;
  public readonly assetsBucket: SecureBucket;
  /** Receives the assets bucket's server access logs (when `settings.storage.accessLogs`). */
  public readonly accessLogsBucket?: SecureBucket;
  public readonly dmsServiceRoles?: DmsServiceRoles;
  /** The migration runner's path to the databases in their isolated subnets (never in previews, which never migrate). */
  public readonly access?: DatabaseAccessTask;

  constructor(scope: Construct, unit: string, props: DataStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
    const { environment, organisation } = props;
    const { naming, settings } = environment;
    const network: DatabaseNetwork & ReplicationNetwork = props.network.network;

    this.encryptionKey = new EncryptionKey(this, 'key', {
      alias: naming.resource('kms-alias', 'data'),
      description: `${naming.qualifier}: databases, snapshots, DMS, secrets, assets and their logs`,
      servicePrincipals: [`logs.${environment.region}.amazonaws.com`],
      deletionWindowDays: environment.isPreview ? 7 : 30,
    });

    // Previews start empty, and so does an environment whose migration.data is seed or empty (the
    // runner loads the seed); otherwise everything with `migrateFrom` is moved from legacy.
    const copiesProduction = !environment.isPreview && settings.migration.data === 'production-copy';
    const migrating = copiesProduction ? organisation.databases.filter((db) => db.migrateFrom !== undefined) : [];
    if (migrating.length > 0) {
      this.dmsServiceRoles = new DmsServiceRoles(this, 'dms-service-roles');
      suppressRules(this.dmsServiceRoles, [
        { id: 'MIG-NAME-1', reason: 'DMS looks these account-level roles up by the fixed names dms-vpc-role and dms-cloudwatch-logs-role; a prefix would break DMS' },
      ]);
    }

    const databases = new Map<string, DataStackDatabase>();
    for (const config of organisation.databases) {
      const legacy = migrating.includes(config) ? environmentSnapshot(legacyDatabaseOf(organisation.legacyDatabase(config.migrateFrom as string), config), naming.qualifier) : undefined;
      const migration = legacy
        ? new SnapshotMigration(this, `${config.name}-snapshot`, {
            naming,
            legacy,
            legacyProvider: this.legacyProvider,
            targetAccountId: environment.accountId,
            targetKey: this.encryptionKey,
          })
        : undefined;

      const database = new PostgresDatabase(this, config.name, {
        naming,
        config,
        settings: settings.database,
        tier: environment.tier,
        network,
        encryptionKey: this.encryptionKey,
        snapshotIdentifier: migration?.snapshotIdentifier,
      });

      const client = new SecurityGroup(this, `${config.name}-client`, {
        name: naming.resource('security-group', `${config.name}-db-client`),
        description: `Clients of ${config.name}: attach to tasks that use the database`,
        vpcId: network.vpcId,
        tags: { Name: naming.resource('security-group', `${config.name}-db-client`) },
      });
      new VpcSecurityGroupEgressRule(this, `${config.name}-client-egress`, {
        securityGroupId: client.id,
        referencedSecurityGroupId: database.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: config.port,
        toPort: config.port,
        description: `PostgreSQL to ${config.name}`,
      });
      database.allowFrom({ securityGroupId: client.id, description: `${config.name} clients (application tasks)` });

      const replication = legacy ? this.replicate(props, config, legacy, database, network) : undefined;
      let appConnectionSecret: SecretsmanagerSecret | undefined;
      let replicationUserSecret: SecretsmanagerSecret | undefined;
      if (legacy) {
        // Compute first: until the switch the services use the legacy database over the peering.
        new VpcSecurityGroupEgressRule(this, `${config.name}-client-egress-legacy`, {
          securityGroupId: client.id,
          cidrIpv4: organisation.legacy.vpcCidr,
          ipProtocol: 'tcp',
          fromPort: legacy.port,
          toPort: legacy.port,
          description: `PostgreSQL to the legacy ${legacy.name} over the peering (until the switch)`,
        });
        // Reverse replication in the rollback window: legacy subscribes to this database.
        new VpcSecurityGroupIngressRule(this, `${config.name}-from-legacy`, {
          securityGroupId: database.securityGroupId,
          cidrIpv4: organisation.legacy.vpcCidr,
          ipProtocol: 'tcp',
          fromPort: config.port,
          toPort: config.port,
          description: `Reverse replication from the legacy ${legacy.name} (rollback window)`,
        });
        appConnectionSecret = new SecretsmanagerSecret(this, `${config.name}-app-connection`, {
          name: naming.resource('secret', `${config.name}/app-connection`),
          description: `Connection of the application to ${config.name}: {host,port,dbname,username,password} of its own role. Written by the migration runner (legacy until the switch).`,
          kmsKeyId: this.encryptionKey.keyArn,
          recoveryWindowInDays: settings.storage.secretRecoveryWindowDays,
        });
        replicationUserSecret = new SecretsmanagerSecret(this, `${config.name}-replication-user`, {
          name: naming.resource('secret', `${config.name}/replication-user`),
          description: `The replication login of ${config.name}'s migration: {username,password}, generated once by the migration runner (never the master user, so RDS's rotation of the master password cannot stop CDC).`,
          kmsKeyId: this.encryptionKey.keyArn,
          recoveryWindowInDays: settings.storage.secretRecoveryWindowDays,
        });
      }
      databases.set(config.name, { config, database, clientSecurityGroupId: client.id, secretArn: database.secretArn, migration, replication, appConnectionSecret });

      const out = (name: string, value: string | number, description: string) =>
        new TerraformOutput(this, `${config.name.replace(/-/g, '_')}_${name}`, { value, description });
      out('endpoint', database.address, `Host name of ${config.name}`);
      out('port', database.port, `Port of ${config.name}`);
      out('instance_id', database.instanceIdentifier, `RDS instance identifier of ${config.name}`);
      out('secret_arn', database.secretArn, `ARN of the master credentials secret of ${config.name} (the ARN only)`);
      out('security_group_id', database.securityGroupId, `Security group of ${config.name}`);
      out('client_security_group_id', client.id, `Security group that ${config.name} admits`);
      if (replication) {
        out('dms_task_arn', replication.replicationTaskArn, `DMS CDC task of ${config.name} (created stopped)`);
        out('dms_slot_name', replication.slotName, `Logical replication slot on the legacy database that the CDC task reads`);
        out('dms_source_secret_arn', replication.sourceSecret.arn, `Secret the runner fills with the legacy connection of ${config.name}`);
        out('dms_target_secret_arn', replication.targetSecret.arn, `Secret the runner fills with the new connection of ${config.name}`);
      }
      if (replicationUserSecret) out('replication_user_secret_arn', replicationUserSecret.arn, `Secret the runner fills with the replication login of ${config.name} (generated once)`);
      if (appConnectionSecret) out('app_connection_secret_arn', appConnectionSecret.arn, `Secret the runner fills with the application's connection to ${config.name} (legacy until the switch)`);
    }
    this.databases = databases;

    if (!environment.isPreview && databases.size > 0) {
      this.access = new DatabaseAccessTask(this, 'db-access', {
        naming,
        region: environment.region,
        logRetentionDays: settings.logs.retentionDays,
        logKeyArn: this.encryptionKey.keyArn,
        network: props.network.network,
        clientSecurityGroupIds: [...databases.values()].map((d) => d.clientSecurityGroupId),
        permissionsBoundaryArn: organisation.deployBoundaryArn(environment.name),
      });
      const access = this.access;
      new TerraformOutput(this, 'db_access_cluster_name', { value: access.cluster.clusterName, description: 'ECS cluster the migration runner starts its database access task in' });
      new TerraformOutput(this, 'db_access_task_definition_arn', { value: access.taskDefinition.arn, description: 'Task definition of the database access task (SSM port forwarding to the databases)' });
      new TerraformOutput(this, 'db_access_security_group_ids', { value: Fn.join(',', [...access.securityGroupIds]), description: 'Security groups of the access task, comma-separated: its own and the databases\' client groups' });
      new TerraformOutput(this, 'db_access_container_name', { value: access.containerName, description: 'Container of the access task (part of the SSM target)' });
      new TerraformOutput(this, 'db_access_subnet_ids', { value: Fn.join(',', [...access.subnetIds]), description: 'Private subnets the access task runs in, comma-separated' });
    }

    const storage = settings.storage;
    if (storage.accessLogs) {
      this.accessLogsBucket = new SecureBucket(this, 'access-logs', {
        bucketName: naming.resource('s3-bucket', `access-logs-${environment.accountId}`),
        // S3 server access logging delivers only to SSE-S3 buckets.
        kmsKeyArn: undefined,
        noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
        expirationDays: settings.logs.retentionDays,
        forceDestroy: storage.forceDestroy,
      });
    }
    this.assetsBucket = new SecureBucket(this, 'assets', {
      bucketName: naming.resource('s3-bucket', `assets-${environment.accountId}`),
      kmsKeyArn: this.encryptionKey.keyArn,
      noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
      forceDestroy: storage.forceDestroy,
      accessLogsBucket: this.accessLogsBucket,
    });
    new TerraformOutput(this, 'assets_bucket_name', { value: this.assetsBucket.bucketName });
    new TerraformOutput(this, 'assets_bucket_arn', { value: this.assetsBucket.bucketArn });
    new TerraformOutput(this, 'data_key_arn', { value: this.encryptionKey.keyArn });
  }

  /** The database named `name` in the organisation model, with its handles. */
  database(name: string): DataStackDatabase {
    const found = this.databases.get(name);
    if (!found) throw new Error(`${this.node.id}: no database '${name}'; the organisation model has ${[...this.databases.keys()].join(', ') || 'none'}`);
    return found;
  }

  private replicate(
    props: DataStackProps,
    config: DatabaseConfig,
    legacy: LegacyDatabaseConfig,
    database: PostgresDatabase,
    network: ReplicationNetwork,
  ): CdcReplication {
    const { environment, organisation } = props;
    const variableName = `${config.name.replace(/-/g, '_')}_cdc_start_position`;
    // Recorded by the migration runner (with the replication slot) before the snapshot: TF_VAR_<name>.
    const startPosition = new TerraformVariable(this, variableName, {
      type: 'string',
      nullable: false,
      description: `LSN at which CDC of ${config.name} starts: the position of the replication slot created before snapshot '${legacy.snapshotIdentifier}'`,
      validation: [
        {
          condition: `\${can(regex("${LSN_PATTERN.source.replace('\\/', '/')}", var.${variableName}))}`,
          errorMessage: `${variableName} must be a PostgreSQL LSN in upper-case hex, e.g. 16/B374D848.`,
        },
      ],
    });
    const source = new LegacyDatabase(this, `${config.name}-legacy`, {
      legacy,
      vpcCidr: organisation.legacy.vpcCidr,
      legacyProvider: this.legacyProvider,
    });
    const replication = new CdcReplication(this, `${config.name}-cdc`, {
      naming: environment.naming,
      name: config.name,
      region: environment.region,
      network,
      settings: environment.settings.migration,
      logRetentionDays: environment.settings.logs.retentionDays,
      encryptionKey: this.encryptionKey,
      source: source.cdcSource,
      target: database,
      tables: legacy.tables,
      cdcStartPosition: startPosition.stringValue,
      dependsOn: this.dmsServiceRoles?.dependables,
    });
    suppressRules(replication.logGroup, [
      { id: 'MIG-NAME-1', reason: 'DMS writes task logs to dms-tasks-<replication instance id> (the id carries the prefix); the group is pre-created only to set its key and retention' },
    ]);
    return replication;
  }
}

/** The legacy database with the snapshot this environment takes of it (one per environment). */
function environmentSnapshot(legacy: LegacyDatabaseConfig, qualifier: string): LegacyDatabaseConfig {
  return { ...legacy, snapshotIdentifier: snapshotIdentifierFor(legacy, qualifier) };
}

function legacyDatabaseOf(legacy: LegacyDatabaseConfig | undefined, config: DatabaseConfig): LegacyDatabaseConfig {
  if (!legacy) {
    throw new Error(`database '${config.name}': migrateFrom '${config.migrateFrom}' is not in legacy.databases`);
  }
  return legacy;
}
