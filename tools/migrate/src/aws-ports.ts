import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { CreateDBSnapshotCommand, DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { DatabaseConfig, EnvironmentContext, LegacyDatabaseConfig, Organisation } from '@estate/config';
import { checkCredentials, locateTerraform, runDriver } from '@estate/deploy';
import type { AlarmState, MigrationPorts, WeightedRecord } from './steps';
import { migratedDatabases } from './steps';

/** The SDK clients the migration uses, per account. Tests build the ports with their own. */
export interface MigrationClients {
  readonly target: { sts: STSClient; s3: S3Client; cloudwatch: CloudWatchClient; dms: DatabaseMigrationServiceClient; rds: RDSClient };
  readonly legacy: { rds: RDSClient; route53: Route53Client };
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
    },
    legacy: {
      rds: new RDSClient({ region, credentials: legacyCredentials }),
      // The cutover records live in the legacy hosted zone for the whole transition.
      // Route 53 is global; its API lives in us-east-1.
      route53: new Route53Client({ region: 'us-east-1', credentials: legacyCredentials }),
    },
    base: { sts: new STSClient({ region }) },
    legacyCredentials,
    targetCredentials,
  };
}

/** Loads an SDK client package that is not a dependency yet; a clear error names it. */
function optionalClient<T>(name: string): T {
  try {
    return require(name) as T;
  } catch {
    throw new Error(`${name} is not installed; it is needed for this step (npm install ${name})`);
  }
}

/**
 * UPSERTs new weights on the `legacy` and `migrated` records of one name: reads the
 * current record sets (type, alias target or values, TTL) and changes only `Weight`.
 */
export async function setRecordWeights(route53: Route53Client, record: WeightedRecord, weights: { legacy: number; migrated: number }): Promise<void> {
  const name = record.recordName.endsWith('.') ? record.recordName : `${record.recordName}.`;
  const listed = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: record.hostedZoneId, StartRecordName: name, MaxItems: 20 }));
  const sets = (listed.ResourceRecordSets ?? []).filter((r) => r.Name === name && (r.SetIdentifier === 'legacy' || r.SetIdentifier === 'migrated'));
  const missing = ['legacy', 'migrated'].filter((id) => !sets.some((r) => r.SetIdentifier === id));
  if (missing.length > 0) throw new Error(`${name} in zone ${record.hostedZoneId} has no weighted record '${missing.join("', '")}'; deploy the cutover stack first`);
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: record.hostedZoneId,
      ChangeBatch: {
        Comment: `estate-migrate: ${record.service} legacy=${weights.legacy} migrated=${weights.migrated}`,
        Changes: sets.map((set) => ({
          Action: 'UPSERT',
          ResourceRecordSet: { ...set, Weight: set.SetIdentifier === 'legacy' ? weights.legacy : weights.migrated },
        })),
      },
    }),
  );
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

async function withLegacyDatabase<T>(db: LegacyDatabaseConfig, env: NodeJS.ProcessEnv, body: (query: (sql: string, values?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const url = env[legacyUrlVariable(db)];
  if (!url) throw new Error(`set ${legacyUrlVariable(db)} to a postgres:// URL of ${db.instanceIdentifier} (a user with rds_replication), from a host that reaches it`);
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, ssl: { rejectUnauthorized: false } });
  await client.connect();
  try {
    return await body(async (sql, values) => (await client.query(sql, values)).rows as Record<string, unknown>[]);
  } finally {
    await client.end();
  }
}

/** Overrides the new database's connection for the verifier (`TARGET_<NAME>_DATABASE_URL`). */
export function targetUrlVariable(db: DatabaseConfig): string {
  return `TARGET_${db.name.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
}

/** The real ports: every AWS call through the SDK v3 clients in `clients`. */
export function awsPorts(organisation: Organisation, environment: EnvironmentContext, clients: MigrationClients, options: PortOptions): MigrationPorts {
  const env = options.env ?? process.env;
  const outputsFile = join(options.workspaceRoot, 'apps', environment.name, 'cfn-outputs', 'flat-outputs.json');
  const outputs = () => (existsSync(outputsFile) ? (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, unknown>) : {});
  const { dms, cloudwatch } = clients.target;
  const describeTask = async (arn: string) => {
    const { ReplicationTasks } = await dms.send(new DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [arn] }] }));
    const task = ReplicationTasks?.[0];
    if (!task) throw new Error(`DMS task ${arn} does not exist`);
    return task;
  };

  /** postgres:// URL of the new database from its endpoint output and RDS-managed master secret. */
  const targetUrlFromSecret = async (database: DatabaseConfig): Promise<string> => {
    const prefix = `${environment.naming.stack('data')}_${database.name.replace(/-/g, '_')}_`;
    const current = outputs();
    const host = current[`${prefix}endpoint`];
    const secretArn = current[`${prefix}secret_arn`];
    if (typeof host !== 'string' || typeof secretArn !== 'string') {
      throw new Error(`outputs ${prefix}endpoint / ${prefix}secret_arn are missing from ${outputsFile}; deploy ${environment.name} first, or set ${targetUrlVariable(database)}`);
    }
    const sm = optionalClient<{ SecretsManagerClient: new (c: object) => { send(c: object): Promise<{ SecretString?: string }> }; GetSecretValueCommand: new (i: object) => object }>('@aws-sdk/client-secrets-manager');
    const client = new sm.SecretsManagerClient({ region: environment.region, credentials: clients.targetCredentials });
    const secret = JSON.parse((await client.send(new sm.GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? '{}') as { username?: string; password?: string };
    if (!secret.username || !secret.password) throw new Error(`secret ${secretArn} has no username/password`);
    return `postgres://${encodeURIComponent(secret.username)}:${encodeURIComponent(secret.password)}@${host}:${database.port}/${database.databaseName}`;
  };

  return {
    preflight: async () => {
      const problems: string[] = [];
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
      for (const { legacy } of migratedDatabases(organisation)) {
        try {
          const { DBInstances } = await clients.legacy.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: legacy.instanceIdentifier }));
          if (!DBInstances?.[0]?.StorageEncrypted) problems.push(`legacy instance ${legacy.instanceIdentifier} is not encrypted`);
        } catch (error) {
          problems.push(`legacy instance ${legacy.instanceIdentifier}: ${(error as Error).message}`);
        }
        try {
          const kms = optionalClient<{ KMSClient: new (c: object) => { send(c: object): Promise<{ KeyMetadata?: { KeyManager?: string; KeyState?: string; Arn?: string } }> }; DescribeKeyCommand: new (i: object) => object }>('@aws-sdk/client-kms');
          const client = new kms.KMSClient({ region: environment.region, credentials: clients.legacyCredentials });
          const { KeyMetadata } = await client.send(new kms.DescribeKeyCommand({ KeyId: legacy.shareKmsKey }));
          if (KeyMetadata?.KeyManager !== 'CUSTOMER') problems.push(`share key ${legacy.shareKmsKey} is ${KeyMetadata?.KeyManager ?? 'unknown'}-managed; a snapshot can only be shared encrypted with a CUSTOMER key`);
          if (KeyMetadata?.KeyState !== 'Enabled') problems.push(`share key ${legacy.shareKmsKey} is ${KeyMetadata?.KeyState}, not Enabled`);
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
    legacy: {
      createReplicationSlot: (db, slot) =>
        withLegacyDatabase(db, env, async (query) => {
          const existing = await query('SELECT confirmed_flush_lsn::text AS lsn, restart_lsn::text AS restart FROM pg_replication_slots WHERE slot_name = $1', [slot]);
          if (existing.length > 0) return { lsn: String(existing[0]['lsn'] ?? existing[0]['restart']), created: false };
          const [row] = await query("SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
          return { lsn: String(row['lsn']), created: true };
        }),
      dropReplicationSlot: (db, slot) =>
        withLegacyDatabase(db, env, async (query) => (await query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot])).length > 0),
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
      createSnapshot: async (db) => {
        await clients.legacy.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: db.instanceIdentifier, DBSnapshotIdentifier: db.snapshotIdentifier, Tags: [{ Key: 'Purpose', Value: 'estate-migration' }] }));
      },
    },
    fillReplicationSecrets: async (database, legacy, current) => {
      const sm = optionalClient<{ SecretsManagerClient: new (c: object) => { send(c: object): Promise<{ SecretString?: string }> }; GetSecretValueCommand: new (i: object) => object; PutSecretValueCommand: new (i: object) => object }>('@aws-sdk/client-secrets-manager');
      const prefix = `${environment.naming.stack('data')}_${database.name.replace(/-/g, '_')}_`;
      const legacySm = new sm.SecretsManagerClient({ region: environment.region, credentials: clients.legacyCredentials });
      const targetSm = new sm.SecretsManagerClient({ region: environment.region, credentials: clients.targetCredentials });
      const { DBInstances } = await clients.legacy.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: legacy.instanceIdentifier }));
      const source = JSON.parse((await legacySm.send(new sm.GetSecretValueCommand({ SecretId: legacy.secretName }))).SecretString ?? '{}') as Record<string, unknown>;
      const target = JSON.parse((await targetSm.send(new sm.GetSecretValueCommand({ SecretId: current[`${prefix}secret_arn`] }))).SecretString ?? '{}') as Record<string, unknown>;
      const write = (id: unknown, value: object) => targetSm.send(new sm.PutSecretValueCommand({ SecretId: id, SecretString: JSON.stringify(value) }));
      await write(current[`${prefix}dms_source_secret_arn`], { username: source['username'], password: source['password'], host: DBInstances?.[0]?.Endpoint?.Address, port: legacy.port });
      await write(current[`${prefix}dms_target_secret_arn`], { username: target['username'], password: target['password'], host: current[`${prefix}endpoint`], port: database.port });
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
      latency: async (arn) => {
        const task = await describeTask(arn);
        const { ReplicationInstances } = await dms.send(new DescribeReplicationInstancesCommand({ Filters: [{ Name: 'replication-instance-arn', Values: [task.ReplicationInstanceArn ?? ''] }] }));
        const dimensions = [
          { Name: 'ReplicationInstanceIdentifier', Value: ReplicationInstances?.[0]?.ReplicationInstanceIdentifier },
          // DMS publishes task metrics under the task's resource id (the last part of its ARN).
          { Name: 'ReplicationTaskIdentifier', Value: arn.split(':').pop() },
        ];
        const latest = async (metric: string) => {
          const end = new Date();
          const { Datapoints } = await cloudwatch.send(
            new GetMetricStatisticsCommand({ Namespace: 'AWS/DMS', MetricName: metric, Dimensions: dimensions, StartTime: new Date(end.getTime() - 10 * 60_000), EndTime: end, Period: 60, Statistics: ['Maximum'] }),
          );
          const sorted = [...(Datapoints ?? [])].sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0));
          return sorted[0]?.Maximum;
        };
        return { source: await latest('CDCLatencySource'), target: await latest('CDCLatencyTarget') };
      },
    },
    alarms: () => environmentAlarms(cloudwatch, environment),
    setWeights: (record, weights) => setRecordWeights(clients.legacy.route53, record, weights),
    verify: async (database, log) => {
      // In-process: the verifier library over two real connections (legacy over the
      // peering, the new database with its RDS-managed master secret).
      const legacy = organisation.legacyDatabase(database.migrateFrom ?? '');
      if (!legacy) throw new Error(`database ${database.name} has no legacy source (migrateFrom)`);
      const sourceUrl = env[legacyUrlVariable(legacy)];
      if (!sourceUrl) throw new Error(`set ${legacyUrlVariable(legacy)} to a postgres:// URL of ${legacy.instanceIdentifier} (read access to the migrated tables)`);
      const targetUrl = env[targetUrlVariable(database)] ?? (await targetUrlFromSecret(database));
      const { verifyDatabases, formatReport, DMS_ARTEFACT_TABLES } = await import('@estate/verify-data');
      // TLS with the certificate and host name checked (the RDS CA bundle from PGSSLROOTCERT);
      // only the migrated tables, never DMS's own; strict: this runs inside the write freeze, so
      // a source that changes fails, and differing ranges are re-read to let CDC drain.
      const report = await verifyDatabases({ url: sourceUrl, caFile: env['PGSSLROOTCERT'] }, { url: targetUrl, caFile: env['PGSSLROOTCERT'] }, {
        tables: { include: legacy.tables, exclude: DMS_ARTEFACT_TABLES },
        strict: true,
        recheck: { attempts: 5, delayMs: 2000 },
        onProgress: (p) => (p.phase === 'hashing' && p.fraction === 1 ? log(`  hashed ${p.table}: ${p.rowsDone} rows`) : undefined),
      });
      for (const line of formatReport(report).split('\n')) log(`  ${line}`);
      const differing = report.tables.filter((t) => !t.identical).map((t) => t.table);
      return { ok: differing.length === 0, summary: differing.length === 0 ? `${report.tables.length} tables identical` : `differences in ${differing.join(', ')}` };
    },
  };
}
