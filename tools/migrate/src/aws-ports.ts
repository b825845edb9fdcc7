import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { ECSClient, UpdateServiceCommand, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBLogFilesCommand,
  DescribeDBSnapshotsCommand,
  DownloadDBLogFilePortionCommand,
  type DownloadDBLogFilePortionCommandOutput,
  RDSClient,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { DatabaseConfig, EnvironmentContext, LegacyDatabaseConfig, Organisation } from '@estate/config';
import { checkCredentials, locateTerraform, runDriver } from '@estate/deploy';
import { DatabaseTunnels, PLUGIN_VARIABLE } from './database-tunnel';
import { createSlot, type Query } from './postgres-sql';
import type { ConnectionConfig } from '@estate/verify-data';
import type { AlarmState, DatabaseSide, MigratedDatabase, MigrationPorts, WeightedRecord } from './steps';
import { migratedDatabases, replicationRoleName } from './steps';

/** The SDK clients the migration uses, per account. Tests build the ports with their own. */
export interface MigrationClients {
  readonly target: {
    sts: STSClient;
    s3: S3Client;
    cloudwatch: CloudWatchClient;
    dms: DatabaseMigrationServiceClient;
    rds: RDSClient;
    ecs: ECSClient;
    /** SSM sessions through the database access task. */
    ssm: SSMClient;
    secrets: SecretsManagerClient;
  };
  readonly legacy: { rds: RDSClient; route53: Route53Client; kms: KMSClient; secrets: SecretsManagerClient };
  readonly base: { sts: STSClient };
  /** Credentials of the legacy migration role (for the optional KMS and Secrets Manager clients). */
  readonly legacyCredentials: AwsCredentialIdentityProvider;
  readonly targetCredentials: AwsCredentialIdentityProvider;
}

function assumed(organisation: Organisation, roleArn: string, region: string, through?: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  return fromTemporaryCredentials({
    masterCredentials: through,
    params: {
      RoleArn: roleArn,
      ExternalId: organisation.iam.externalId,
      RoleSessionName: 'estate-migrate',
      // A chained session (role → role) may last one hour at most.
      DurationSeconds: through ? 3600 : organisation.iam.maxSessionDurationSeconds,
    },
    clientConfig: { region },
  });
}

/** Clients for the environment account (its deploy role) and the legacy account (the migration role). */
export function createClients(organisation: Organisation, environment: EnvironmentContext): MigrationClients {
  const region = environment.region;
  const targetCredentials = assumed(organisation, environment.deployRoleArn, region);
  // The legacy migration role trusts only the environment deploy roles: chain through ours.
  const legacyCredentials = assumed(organisation, organisation.deployRoleArn('legacy'), region, targetCredentials);
  const target = { region, credentials: targetCredentials };
  return {
    target: {
      sts: new STSClient(target),
      s3: new S3Client(target),
      // Route 53 is global; its API lives in us-east-1.
      cloudwatch: new CloudWatchClient(target),
      dms: new DatabaseMigrationServiceClient(target),
      rds: new RDSClient(target),
      ecs: new ECSClient(target),
      ssm: new SSMClient(target),
      secrets: new SecretsManagerClient(target),
    },
    legacy: {
      rds: new RDSClient({ region, credentials: legacyCredentials }),
      kms: new KMSClient({ region, credentials: legacyCredentials }),
      secrets: new SecretsManagerClient({ region, credentials: legacyCredentials }),
      // The cutover records live in the legacy hosted zone for the whole transition.
      // Route 53 is global; its API lives in us-east-1.
      route53: new Route53Client({ region: 'us-east-1', credentials: legacyCredentials }),
    },
    base: { sts: new STSClient({ region }) },
    legacyCredentials,
    targetCredentials,
  };
}

/** The `legacy` and `migrated` record sets of one name, as Route 53 holds them. */
async function weightedSets(route53: Route53Client, record: WeightedRecord): Promise<{ name: string; sets: ResourceRecordSet[] }> {
  const name = record.recordName.endsWith('.') ? record.recordName : `${record.recordName}.`;
  const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: record.hostedZoneId, StartRecordName: name, MaxItems: 20 }));
  const sets = (listed.ResourceRecordSets ?? []).filter((r) => r.Name === name && (r.SetIdentifier === 'legacy' || r.SetIdentifier === 'migrated'));
  return { name, sets };
}

/**
 * UPSERTs new weights on the `legacy` and `migrated` records of one name: reads the
 * current record sets (type, alias target or values, TTL) and changes only `Weight` and the
 * health-check association. Both records carry their health check while both sides have
 * weight; with one side at 0 neither does, because Route 53 answers with the zero-weight
 * record when every weighted record is unhealthy (an unplanned cutover or failback).
 */
export async function setRecordWeights(route53: Route53Client, record: WeightedRecord, weights: { legacy: number; migrated: number }): Promise<void> {
  for (const [side, weight] of Object.entries(weights)) {
    if (!Number.isInteger(weight) || weight < 0 || weight > 255) throw new Error(`weight ${side}=${weight} must be a whole number 0..255`);
  }
  if (weights.legacy + weights.migrated === 0) throw new Error(`weights of ${record.recordName} are both 0; Route 53 would then split traffic evenly`);
  const { name, sets } = await weightedSets(route53, record);
  const missing = ['legacy', 'migrated'].filter((id) => !sets.some((r) => r.SetIdentifier === id));
  if (missing.length > 0) throw new Error(`${name} in zone ${record.hostedZoneId} has no weighted record '${missing.join("', '")}'; deploy the cutover stack first`);
  const checked = weights.legacy > 0 && weights.migrated > 0;
  if (checked && !record.healthCheckIds) throw new Error(`${name}: both sides carry weight but the health check ids are unknown (outputs <cutover>_<service>_<side>_health_check_id)`);
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: record.hostedZoneId,
      ChangeBatch: {
        Comment: `estate-migrate: ${record.service} legacy=${weights.legacy} migrated=${weights.migrated}`,
        Changes: sets.map((set) => {
          const side = set.SetIdentifier as DatabaseSide;
          const { HealthCheckId: _previous, ...rest } = set;
          return {
            Action: 'UPSERT' as const,
            ResourceRecordSet: { ...rest, Weight: weights[side], ...(checked ? { HealthCheckId: record.healthCheckIds?.[side] } : {}) },
          };
        }),
      },
    }),
  );
}

/** Deletes the `legacy` weighted record of one name (finalize); the `migrated` one then answers alone. */
export async function removeLegacyRecord(route53: Route53Client, record: WeightedRecord): Promise<boolean> {
  const { name, sets } = await weightedSets(route53, record);
  const legacy = sets.find((r) => r.SetIdentifier === 'legacy');
  if (!legacy) return false;
  const migrated = sets.find((r) => r.SetIdentifier === 'migrated');
  if (!migrated || !migrated.Weight) throw new Error(`${name}: refusing to delete the legacy record while the migrated one has weight ${migrated?.Weight ?? 'none'}`);
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: record.hostedZoneId,
      ChangeBatch: { Comment: `estate-migrate: ${record.service} finalized, legacy record removed`, Changes: [{ Action: 'DELETE', ResourceRecordSet: legacy }] },
    }),
  );
  return true;
}

/** The environment's alarms (`<prefix>*`), without those of preview copies (`dev-pr42-*`) when this is not one. */
export async function environmentAlarms(cloudwatch: CloudWatchClient, environment: EnvironmentContext, previewSuffixes: readonly string[] = []): Promise<AlarmState[]> {
  const alarms: MetricAlarm[] = [];
  let token: string | undefined;
  do {
    const page = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: environment.naming.prefix, NextToken: token, AlarmTypes: ['MetricAlarm'] }));
    alarms.push(...(page.MetricAlarms ?? []));
    token = page.NextToken;
  } while (token);
  return alarms
    .filter((a) => !previewSuffixes.some((suffix) => a.AlarmName?.startsWith(`${environment.naming.base}-${suffix}-`)))
    .map((a) => ({ name: a.AlarmName ?? '', state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState['state'], reason: a.StateReason }));
}

export interface PortOptions {
  readonly workspaceRoot: string;
  readonly confirmProd?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** Connection URL of a legacy database for the replication slot (`LEGACY_<NAME>_DATABASE_URL`). */
export function legacyUrlVariable(db: LegacyDatabaseConfig): string {
  return `LEGACY_${db.name.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
}

/** Opens a SQL session on `url` (TLS, as RDS forces it). */
async function openSession(side: DatabaseSide, endpoint: Endpoint): Promise<{ query: Query; close: () => Promise<void> }> {
  const { Client } = await import('pg');
  const { clientConfig } = await import('@estate/verify-data');
  let client: InstanceType<typeof Client> | undefined;
  try {
    // TLS with the chain and the host name checked (verify-full unless the URL says otherwise), as the verifier does.
    client = new Client(clientConfig(side === 'legacy' ? 'source' : 'target', endpoint.config, 'estate-migrate'));
    await client.connect();
  } catch (error) {
    await client?.end().catch(() => undefined);
    await endpoint.close();
    throw new Error(`${side} database: ${(error as Error).message}`);
  }
  const open = client;
  return {
    query: async (sql, values) => (await open.query(sql, values as unknown[])).rows as Record<string, unknown>[],
    close: async () => {
      await open.end().catch(() => undefined);
      await endpoint.close();
    },
  };
}

/** How the runner reaches one database: the connection and what to close after it (a tunnel). */
interface Endpoint {
  readonly config: ConnectionConfig;
  readonly close: () => Promise<void>;
}

/** The LSN up to which a restored instance replayed its snapshot's WAL (its postgres log: `redo done at X/Y`). */
export function redoDoneAt(log: string): string | undefined {
  const matches = [...log.matchAll(/redo done at ([0-9A-F]{1,8}\/[0-9A-F]{1,8})/g)];
  return matches.length > 0 ? matches[matches.length - 1][1] : undefined;
}

/** libpq keyword/value connection string (values quoted). */
export function conninfo(parts: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(parts)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}='${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)
    .join(' ');
}

/** Overrides the new database's connection for the verifier (`TARGET_<NAME>_DATABASE_URL`). */
export function targetUrlVariable(db: DatabaseConfig): string {
  return `TARGET_${db.name.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
}

/** Output keys of the app connection secret and the services (data-stack.ts, app-stack.ts). */
export const connectionOutputKeys = {
  appConnectionSecret: (env: EnvironmentContext, db: DatabaseConfig) => `${env.naming.stack('data')}_${db.name.replace(/-/g, '_')}_app_connection_secret_arn`,
  endpoint: (env: EnvironmentContext, db: DatabaseConfig) => `${env.naming.stack('data')}_${db.name.replace(/-/g, '_')}_endpoint`,
  masterSecret: (env: EnvironmentContext, db: DatabaseConfig) => `${env.naming.stack('data')}_${db.name.replace(/-/g, '_')}_secret_arn`,
  replicationUserSecret: (env: EnvironmentContext, db: DatabaseConfig) => `${env.naming.stack('data')}_${db.name.replace(/-/g, '_')}_replication_user_secret_arn`,
  instanceId: (env: EnvironmentContext, db: DatabaseConfig) => `${env.naming.stack('data')}_${db.name.replace(/-/g, '_')}_instance_id`,
  cluster: (env: EnvironmentContext) => `${env.naming.stack('app')}_cluster_name`,
  accessCluster: (env: EnvironmentContext) => `${env.naming.stack('data')}_db_access_cluster_name`,
  accessTaskDefinition: (env: EnvironmentContext) => `${env.naming.stack('data')}_db_access_task_definition_arn`,
  accessSubnets: (env: EnvironmentContext) => `${env.naming.stack('data')}_db_access_subnet_ids`,
  accessSecurityGroups: (env: EnvironmentContext) => `${env.naming.stack('data')}_db_access_security_group_ids`,
  accessContainer: (env: EnvironmentContext) => `${env.naming.stack('data')}_db_access_container_name`,
  service: (env: EnvironmentContext, service: string) => `${env.naming.stack('app')}_${service.replace(/-/g, '_')}_service_name`,
};

/** The real ports: every AWS call through the SDK v3 clients in `clients`. */
export function awsPorts(organisation: Organisation, environment: EnvironmentContext, clients: MigrationClients, options: PortOptions): MigrationPorts {
  const env = options.env ?? process.env;
  const outputsFile = join(options.workspaceRoot, 'apps', environment.name, 'cfn-outputs', 'flat-outputs.json');
  const outputs = () => (existsSync(outputsFile) ? (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, unknown>) : {});
  const { dms, cloudwatch } = clients.target;
  const output = (key: string, hint: string): string => {
    const value = outputs()[key];
    if (typeof value !== 'string' || value === '') throw new Error(`output ${key} is missing from ${outputsFile}; ${hint}`);
    return value;
  };
  const describeTask = async (arn: string) => {
    const { ReplicationTasks } = await dms.send(new DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }));
    const task = ReplicationTasks?.[0];
    if (!task) throw new Error(`DMS task ${arn} does not exist`);
    return task;
  };
  const secretJson = async (client: SecretsManagerClient, secretId: string): Promise<Record<string, unknown>> => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = JSON.parse(SecretString ?? '{}') as Record<string, unknown>;
    if (typeof value['username'] !== 'string' || typeof value['password'] !== 'string') throw new Error(`secret ${secretId} has no username/password`);
    return value;
  };
  const legacyHost = async (db: MigratedDatabase): Promise<string> => {
    const { DBInstances } = await clients.legacy.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.legacy.instanceIdentifier }));
    const host = DBInstances?.[0]?.Endpoint?.Address;
    if (!host) throw new Error(`legacy instance ${db.legacy.instanceIdentifier} has no endpoint address yet`);
    return host;
  };
  /** Host and credentials of one side, as a server (or the application) reaches it. */
  const connectionOf = async (side: DatabaseSide, db: MigratedDatabase) => {
    if (side === 'legacy') {
      const secret = await secretJson(clients.legacy.secrets, db.legacy.secretName);
      return { host: await legacyHost(db), port: db.legacy.port, dbname: db.legacy.databaseName, user: String(secret['username']), password: String(secret['password']) };
    }
    const deployHint = `deploy ${environment.name} first`;
    const secret = await secretJson(clients.target.secrets, output(connectionOutputKeys.masterSecret(environment, db.database), deployHint));
    return {
      host: output(connectionOutputKeys.endpoint(environment, db.database), deployHint),
      port: db.database.port,
      dbname: db.database.databaseName,
      user: String(secret['username']),
      password: String(secret['password']),
    };
  };
  /**
   * The replication login's credentials, from the secret the data stack creates empty: read if
   * the runner wrote it before, else generated (24 random bytes, base64url) and written first,
   * so a rerun after a crash sets the same password.
   */
  const replicationUser = async (db: MigratedDatabase): Promise<{ username: string; password: string }> => {
    const secretId = output(connectionOutputKeys.replicationUserSecret(environment, db.database), `deploy ${environment.name} first`);
    const username = replicationRoleName(environment, db);
    try {
      const { SecretString } = await clients.target.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
      const value = JSON.parse(SecretString ?? '{}') as Record<string, unknown>;
      if (typeof value['username'] === 'string' && typeof value['password'] === 'string') return { username: value['username'], password: value['password'] };
      throw new Error(`secret ${secretId} holds no username/password`);
    } catch (error) {
      // A secret created without a value has no AWSCURRENT version yet.
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
    const password = randomBytes(24).toString('base64url');
    await clients.target.secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify({ username, password }) }));
    return { username, password };
  };
  const tunnels = new DatabaseTunnels({
    ecs: clients.target.ecs,
    ssm: clients.target.ssm,
    region: environment.region,
    startedBy: `estate-migrate-${environment.naming.qualifier}`,
    plugin: env[PLUGIN_VARIABLE],
    log: (line) => process.stderr.write(`${line}\n`),
    access: () => {
      const hint = `deploy ${environment.name} first (the data stack defines the database access task)`;
      const list = (key: string) => output(key, hint).split(',').filter((id) => id !== '');
      return {
        cluster: output(connectionOutputKeys.accessCluster(environment), hint),
        taskDefinitionArn: output(connectionOutputKeys.accessTaskDefinition(environment), hint),
        subnetIds: list(connectionOutputKeys.accessSubnets(environment)),
        securityGroupIds: list(connectionOutputKeys.accessSecurityGroups(environment)),
        containerName: output(connectionOutputKeys.accessContainer(environment), hint),
      };
    },
  });
  const caFile = env['PGSSLROOTCERT'];
  const endpointOf = async (side: DatabaseSide, db: MigratedDatabase): Promise<Endpoint> => {
    const variable = side === 'legacy' ? legacyUrlVariable(db.legacy) : targetUrlVariable(db.database);
    const given = env[variable];
    if (given) return { config: { url: given, caFile }, close: async () => undefined };
    if (side === 'legacy') {
      throw new Error(`set ${variable} to a postgres:// URL of ${db.legacy.instanceIdentifier} (a user with rds_superuser: replication slots, roles, subscriptions), from a host that reaches it`);
    }
    // The new database lives in isolated subnets: an SSM port-forwarding session through the
    // environment's database access task, TLS end to end and the certificate checked against
    // the endpoint's name. TARGET_<NAME>_DATABASE_URL replaces it (a runner inside the VPC, a VPN).
    const c = await connectionOf('migrated', db);
    const tunnel = await tunnels.tunnel(c.host, c.port);
    return {
      config: { url: `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${tunnel.localHost}:${tunnel.localPort}/${encodeURIComponent(c.dbname)}`, caFile, serverName: c.host },
      close: tunnel.close,
    };
  };

  return {
    preflight: async () => {
      const problems: string[] = [];
      if (environment.settings.migration.data === 'seed') {
        for (const { database } of migratedDatabases(organisation)) {
          if (database.seedFile && !existsSync(join(options.workspaceRoot, database.seedFile))) problems.push(`seed file ${database.seedFile} of ${database.name} (databases[].seedFile) does not exist under ${options.workspaceRoot}`);
        }
      }
      const terraform = locateTerraform(env);
      if (typeof terraform === 'string') problems.push(terraform);
      const identity = await checkCredentials(env);
      if (typeof identity === 'string') return [...problems, identity];
      const hops = [
        ['deploy role', environment.deployRoleArn, clients.base.sts],
        // Chained: the legacy migration role trusts only the environment deploy roles.
        ['legacy migration role (through the deploy role)', organisation.deployRoleArn('legacy'), clients.target.sts],
      ] as const;
      for (const [what, roleArn, sts] of hops) {
        try {
          await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'estate-migrate-preflight', ExternalId: organisation.iam.externalId, DurationSeconds: 900 }));
        } catch (error) {
          problems.push(`${identity.arn} cannot assume the ${what} ${roleArn}: ${(error as Error).message}`);
        }
      }
      try {
        await clients.target.s3.send(new HeadBucketCommand({ Bucket: environment.state.bucket }));
      } catch (error) {
        problems.push(`state bucket ${environment.state.bucket} is not reachable (${(error as Error).name}): deploy backend-bootstrap first`);
      }
      const data = environment.settings.migration.data;
      for (const { legacy } of data === 'production-copy' ? migratedDatabases(organisation) : []) {
        try {
          const { DBInstances } = await clients.legacy.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: legacy.instanceIdentifier }));
          if (!DBInstances?.[0]?.StorageEncrypted) problems.push(`legacy instance ${legacy.instanceIdentifier} is not encrypted`);
        } catch (error) {
          problems.push(`legacy instance ${legacy.instanceIdentifier}: ${(error as Error).message}`);
        }
        try {
          const { KeyMetadata } = await clients.legacy.kms.send(new DescribeKeyCommand({ KeyId: legacy.shareKmsKey }));
          if (KeyMetadata?.KeyManager !== 'CUSTOMER') problems.push(`share key ${legacy.shareKmsKey} is ${KeyMetadata?.KeyManager ?? 'unknown'}-managed; a snapshot can only be shared encrypted with a CUSTOMER key`);
          if (KeyMetadata?.KeyState !== 'Enabled') problems.push(`share key ${legacy.shareKmsKey} is ${KeyMetadata?.KeyState ?? 'in an unknown state'}, not Enabled`);
        } catch (error) {
          problems.push(`share key ${legacy.shareKmsKey}: ${(error as Error).message}`);
        }
      }
      return problems;
    },
    deploy: async (variables, log) => {
      const tfVars = Object.fromEntries(Object.entries(variables).map(([k, v]) => [`TF_VAR_${k}`, v]));
      await runDriver({ action: 'deploy', app: environment.name, workspaceRoot: options.workspaceRoot, confirmProd: options.confirmProd, env: { ...env, ...tfVars }, log });
      return outputs();
    },
    outputs,
    sql: async (side, db) => openSession(side, await endpointOf(side, db)),
    close: () => tunnels.close(),
    replicationConnection: async (publisher, db) => {
      const c = await connectionOf(publisher, db);
      const login = await replicationUser(db);
      return conninfo({ host: c.host, port: c.port, dbname: c.dbname, user: login.username, password: login.password, sslmode: 'require' });
    },
    replicationUser: (db) => replicationUser(db),
    readSeed: async (file) => {
      const path = join(options.workspaceRoot, file);
      if (!existsSync(path)) throw new Error(`seed file ${file} (databases[].seedFile) does not exist under ${options.workspaceRoot}`);
      return readFileSync(path, 'utf8');
    },
    restoredPosition: async (db) => {
      // The restored instance logs where its recovery of the snapshot ended; it holds every
      // change up to there, so the subscription starts after it.
      const instance = output(connectionOutputKeys.instanceId(environment, db.database), `deploy ${environment.name} first`);
      const { DescribeDBLogFiles } = await clients.target.rds.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: instance, FilenameContains: 'postgresql.log' }));
      const files = [...(DescribeDBLogFiles ?? [])].sort((a, b) => (a.LastWritten ?? 0) - (b.LastWritten ?? 0));
      for (const file of files) {
        let marker: string | undefined = '0';
        let text = '';
        do {
          const page: DownloadDBLogFilePortionCommandOutput = await clients.target.rds.send(new DownloadDBLogFilePortionCommand({ DBInstanceIdentifier: instance, LogFileName: file.LogFileName, Marker: marker, NumberOfLines: 10000 }));
          text += page.LogFileData ?? '';
          marker = page.AdditionalDataPending ? page.Marker : undefined;
        } while (marker);
        const position = redoDoneAt(text);
        if (position) return position;
      }
      throw new Error(`no "redo done at" line in the logs of ${instance}: cannot tell where its snapshot ends, so a subscription could replay changes it already holds`);
    },
    legacy: {
      createSlot: async (db, slot, plugin) => {
        const session = await openSession('legacy', await endpointOf('legacy', db));
        try {
          return await createSlot(session.query, slot, plugin);
        } finally {
          await session.close();
        }
      },
      describeSnapshot: async (identifier) => {
        try {
          const { DBSnapshots } = await clients.legacy.rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }));
          const snap = DBSnapshots?.[0];
          return snap ? { status: snap.Status ?? 'unknown', percentProgress: snap.PercentProgress ?? 0, createdAt: snap.SnapshotCreateTime, encrypted: snap.Encrypted ?? false, kmsKeyId: snap.KmsKeyId } : undefined;
        } catch (error) {
          if ((error as Error).name === 'DBSnapshotNotFoundFault') return undefined;
          throw error;
        }
      },
      createSnapshot: async (db, identifier) => {
        await clients.legacy.rds.send(
          new CreateDBSnapshotCommand({
            DBInstanceIdentifier: db.instanceIdentifier,
            DBSnapshotIdentifier: identifier,
            Tags: [
              { Key: 'Purpose', Value: 'estate-migration' },
              { Key: 'Environment', Value: environment.naming.qualifier },
            ],
          }),
        );
      },
    },
    fillReplicationSecrets: async (database, legacy) => {
      const db = { database, legacy };
      const write = (id: string, value: object) => clients.target.secrets.send(new PutSecretValueCommand({ SecretId: id, SecretString: JSON.stringify(value) }));
      const prefix = `${environment.naming.stack('data')}_${database.name.replace(/-/g, '_')}_`;
      const hint = `deploy ${environment.name} first`;
      // The replication login on both sides (the restored copy does not carry it: it is made after the snapshot).
      const login = await replicationUser(db);
      const source = await connectionOf('legacy', db);
      const target = await connectionOf('migrated', db);
      await write(output(`${prefix}dms_source_secret_arn`, hint), { username: login.username, password: login.password, host: source.host, port: source.port });
      await write(output(`${prefix}dms_target_secret_arn`, hint), { username: login.username, password: login.password, host: target.host, port: target.port });
    },
    dms: {
      start: async (arn, position) => {
        await dms.send(new StartReplicationTaskCommand({ ReplicationTaskArn: arn, StartReplicationTaskType: 'start-replication', CdcStartPosition: position }));
      },
      stop: async (arn) => {
        await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: arn }));
      },
      describe: async (arn) => {
        const task = await describeTask(arn);
        return { status: task.Status ?? 'unknown', stopReason: task.StopReason ?? task.LastFailureMessage };
      },
    },
    alarms: () => environmentAlarms(cloudwatch, environment),
    setWeights: (record, weights) => setRecordWeights(clients.legacy.route53, record, weights),
    removeLegacyRecord: async (record) => {
      await removeLegacyRecord(clients.legacy.route53, record);
    },
    services: {
      pointAt: async (db, side, log) => {
        // The application's connection (host, port, database, its own role) lives in the secret
        // the runner owns; the services read it when their tasks start.
        const hint = `deploy ${environment.name} first`;
        const secretArn = output(connectionOutputKeys.appConnectionSecret(environment, db.database), hint);
        const appRole = db.legacy.appRole ?? 'app';
        const credentials = await secretJson(clients.legacy.secrets, env[appSecretVariable(db.legacy)] ?? `${db.legacy.secretName}-${appRole}`).catch((error: Error) => {
          throw new Error(`credentials of the application role ${appRole}: ${error.message} (set ${appSecretVariable(db.legacy)} to its legacy secret)`);
        });
        const where = side === 'legacy' ? { host: await legacyHost(db), port: db.legacy.port, dbname: db.legacy.databaseName } : { host: output(connectionOutputKeys.endpoint(environment, db.database), hint), port: db.database.port, dbname: db.database.databaseName };
        await clients.target.secrets.send(
          new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ ...where, username: credentials['username'], password: credentials['password'], side }) }),
        );
        const cluster = output(connectionOutputKeys.cluster(environment), hint);
        const names = organisation.services.filter((s) => s.database === db.database.name).map((s) => output(connectionOutputKeys.service(environment, s.name), hint));
        for (const service of names) {
          await clients.target.ecs.send(new UpdateServiceCommand({ cluster, service, forceNewDeployment: true }));
          log(`  ${service}: new deployment reading the ${side} database`);
        }
        if (names.length > 0) {
          await waitUntilServicesStable({ client: clients.target.ecs, maxWaitTime: 1800, minDelay: 15, maxDelay: 30 }, { cluster, services: names });
          log(`  ${names.join(', ')}: steady on the ${side} database`);
        }
      },
    },
    verify: async (db, tables, log) => {
      // In-process, hashed inside both databases (legacy over the peering, the new database
      // through TARGET_<NAME>_DATABASE_URL or from inside the VPC); TLS with the certificate and
      // host name checked (the RDS CA bundle from PGSSLROOTCERT); only the migrated tables, never
      // DMS's own; strict: this runs inside the write freeze, so a source that changes fails.
      const { verifyDatabases, formatReport, DMS_ARTEFACT_TABLES } = await import('@estate/verify-data');
      const legacy = await endpointOf('legacy', db);
      const migrated = await endpointOf('migrated', db).catch(async (error: unknown) => {
        await legacy.close();
        throw error;
      });
      const report = await verifyDatabases(legacy.config, migrated.config, {
        tables: { include: tables, exclude: DMS_ARTEFACT_TABLES },
        strict: true,
        recheck: { attempts: 5, delayMs: 2000 },
        onProgress: (p) => (p.phase === 'hashing' && p.fraction === 1 ? log(`  hashed ${p.table}: ${p.rowsDone} rows`) : undefined),
      }).finally(() => Promise.all([legacy.close(), migrated.close()]));
      for (const line of formatReport(report).split('\n')) log(`  ${line}`);
      const differing = report.tables.filter((t) => !t.identical).map((t) => t.table);
      return {
        ok: report.identical && differing.length === 0,
        rows: report.rowsCompared,
        summary: differing.length === 0 ? `${report.tables.length} tables identical, ${report.rowsCompared} rows` : `differences in ${differing.join(', ')}`,
      };
    },
  };
}

/** Secret (legacy account) with the application role's credentials: `APP_SECRET_<NAME>`, default `<secretName>-<appRole>`. */
export function appSecretVariable(db: LegacyDatabaseConfig): string {
  return `APP_SECRET_${db.name.toUpperCase().replace(/-/g, '_')}`;
}
