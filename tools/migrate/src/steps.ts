import type { DatabaseConfig, EnvironmentContext, LegacyDatabaseConfig, Organisation, ServiceConfig } from '@estate/config';
import { snapshotIdentifierFor } from '@estate/config';
import { createHash } from 'node:crypto';
import type { MigrationStep, StepContext, StepOutputs } from './engine';
import {
  advanceSequences,
  currentLsn,
  dropPublication,
  dropSlot,
  dropSubscription,
  dropReplicationRole,
  ensurePublication,
  ensureSubscription,
  ensureReplicationRole,
  freezeRole,
  lsnDistance,
  lsnValue,
  quoteIdent,
  resolveTables,
  roleFrozen,
  slotState,
  subscriptionState,
  unfreezeRole,
  type Query,
} from './postgres-sql';

/** The traffic shares (percent on the migrated side) the cutover moves through. */
export const TRAFFIC_STEPS = [25, 50, 75, 100] as const;

export interface AlarmState {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason?: string;
}

export interface WeightedRecord {
  readonly service: string;
  readonly hostedZoneId: string;
  /** Fully qualified record name (`api.dev.fintech.example.com`). */
  readonly recordName: string;
  /** Route 53 health checks of both sides, attached only while both carry weight. @default - none attached */
  readonly healthCheckIds?: Readonly<Record<DatabaseSide, string>>;
}

export interface ReplicationTaskState {
  readonly status: string;
  readonly stopReason?: string;
}

export interface SnapshotState {
  readonly status: string;
  readonly percentProgress: number;
  readonly createdAt?: Date;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
}

/** The two databases of a migrated database: the legacy source and the new one. */
export type DatabaseSide = 'legacy' | 'migrated';

/** An open SQL session on one side; `close` ends it. */
export interface SqlSession {
  readonly query: Query;
  readonly close: () => Promise<void>;
}

/** How changes flow legacy → new while both exist: AWS DMS, or PostgreSQL logical replication. */
export type CdcEngine = 'dms' | 'logical';

/**
 * Everything the steps do to the world, injected: the real implementation wraps AWS SDK v3
 * clients (aws-ports.ts), the rehearsal runs loopback PostgreSQL (rehearsal/local-ports.ts),
 * tests pass recording functions. The SQL itself is the same everywhere (postgres-sql.ts).
 */
export interface MigrationPorts {
  /** Ends what the ports opened for the run (tunnels, the database access task). @default - nothing to end */
  readonly close?: () => Promise<void>;
  /** Problems found by the preflight checks (empty: all good). */
  readonly preflight: () => Promise<string[]>;
  /** Deploys the environment's app through the deploy driver; returns its flat outputs. */
  readonly deploy: (terraformVariables: Readonly<Record<string, string>>, log: (line: string) => void) => Promise<Readonly<Record<string, unknown>>>;
  /** Flat outputs of the last deploy (`<stack>_<output>`). */
  readonly outputs: () => Readonly<Record<string, unknown>>;
  /** A SQL session on one side of a migrated database, as a user that may manage replication and roles. */
  readonly sql: (side: DatabaseSide, db: MigratedDatabase) => Promise<SqlSession>;
  /** libpq connection string with which the other side's server reaches `publisher` as the replication login (for a subscription). */
  readonly replicationConnection: (publisher: DatabaseSide, db: MigratedDatabase) => Promise<string>;
  /**
   * The dedicated replication login of a database (`username` is its `replicationRole`): the
   * password is generated once and kept (the environment's replication-user secret), so every
   * rerun sets the same one; RDS never rotates it.
   */
  readonly replicationUser: (db: MigratedDatabase) => Promise<{ readonly username: string; readonly password: string }>;
  /** The text of a seed file (`databases[].seedFile`, relative to the workspace root). */
  readonly readSeed: (file: string) => Promise<string>;
  readonly legacy: {
    /**
     * Creates the logical replication slot (or finds it) and returns its position: where CDC
     * starts. (postgres-sql `createSlot`; the rehearsal also dumps at the slot's exported snapshot.)
     */
    readonly createSlot: (db: MigratedDatabase, slot: string, plugin: 'pgoutput' | 'test_decoding') => Promise<{ lsn: string; created: boolean }>;
    readonly describeSnapshot: (identifier: string) => Promise<SnapshotState | undefined>;
    readonly createSnapshot: (db: LegacyDatabaseConfig, identifier: string) => Promise<void>;
  };
  /**
   * The legacy position the restored database already contains (where its snapshot ends), for
   * a subscription to start after; undefined when it is the slot's own position.
   */
  readonly restoredPosition: (db: MigratedDatabase) => Promise<string | undefined>;
  /** Writes the DMS endpoint secrets ({username,password,host,port}, the replication login on each side) for one database. */
  readonly fillReplicationSecrets: (database: DatabaseConfig, legacy: LegacyDatabaseConfig, outputs: Readonly<Record<string, unknown>>) => Promise<void>;
  readonly dms: {
    readonly start: (taskArn: string, cdcStartPosition: string) => Promise<void>;
    readonly stop: (taskArn: string) => Promise<void>;
    readonly describe: (taskArn: string) => Promise<ReplicationTaskState>;
  };
  /** States of the environment's alarms. */
  readonly alarms: () => Promise<readonly AlarmState[]>;
  /** UPSERTs the weights of the `legacy` and `migrated` records of one name (and their health checks). */
  readonly setWeights: (record: WeightedRecord, weights: { legacy: number; migrated: number }) => Promise<void>;
  /** Deletes the `legacy` weighted record of one name (finalize): the name then has one answer. */
  readonly removeLegacyRecord: (record: WeightedRecord) => Promise<void>;
  /** Compares the frozen tables of both sides; `ok` false fails the step. */
  readonly verify: (db: MigratedDatabase, tables: readonly string[], log: (line: string) => void) => Promise<{ ok: boolean; summary: string; rows?: number }>;
  readonly services: {
    /**
     * Points the new environment's services that use `db` at one side's database (the
     * connection setting the runner owns) and waits until they run steadily on it.
     */
    readonly pointAt: (db: MigratedDatabase, side: DatabaseSide, log: (line: string) => void) => Promise<void>;
  };
}

export interface StepOptions {
  /** Wait with the alarm gate after each traffic shift, seconds. @default 900 in production, 300 otherwise */
  readonly shiftWaitSeconds?: number;
  /** How often alarms and replication positions are polled, seconds. @default 30 */
  readonly pollSeconds?: number;
  /** CDC counts as caught up when the replication slot is at most this many bytes behind the source's WAL. @default 16 MiB */
  readonly catchUpBytes?: number;
  /** Consecutive polls under the threshold needed. @default 3 */
  readonly catchUpSamples?: number;
  /** Give up catching up after this many minutes. @default 240 */
  readonly catchUpTimeoutMinutes?: number;
  /** Wait for a snapshot or a task state at most this many minutes. @default 240 */
  readonly waitTimeoutMinutes?: number;
  /** Polls while draining in the write freeze, milliseconds. @default 200 */
  readonly drainPollMs?: number;
  /**
   * Longest write freeze, seconds: past it, before the point of switch, the switch aborts and
   * the source takes writes again. @default - the environment's `migration.freezeBudgetSeconds` (30)
   */
  readonly freezeBudgetSeconds?: number;
  /** How long after the switch changes still flow back to legacy, so a rollback loses nothing; finalize waits for it. @default - the environment's `migration.rollbackWindowMinutes` (1440 in production, 60 otherwise) */
  readonly rollbackWindowMinutes?: number;
  /** The CDC engine per database. @default - the database's `cdcEngine`, else 'dms' */
  readonly engine?: (db: MigratedDatabase) => CdcEngine;
  /** The application's database role, frozen during the switch. @default - the legacy database's `appRole`, else 'app' */
  readonly appRole?: (db: MigratedDatabase) => string;
  /** Clock for freeze measurements (tests). @default Date.now */
  readonly now?: () => number;
}

/** A database that moves, with its legacy source. */
export interface MigratedDatabase {
  readonly database: DatabaseConfig;
  readonly legacy: LegacyDatabaseConfig;
}

export function migratedDatabases(organisation: Organisation): MigratedDatabase[] {
  return organisation.databases
    .filter((d) => d.migrateFrom)
    .map((database) => {
      const legacy = organisation.legacyDatabase(database.migrateFrom ?? '');
      if (!legacy) throw new Error(`database '${database.name}': migrateFrom '${database.migrateFrom}' is not in legacy.databases`);
      return { database, legacy };
    });
}


/** Slot on legacy that the forward CDC reads: `<qualifier>_<name>_dms` (DMS, as libs/data CdcReplication names it) or `_cdc` (subscription). */
export const slotNameOf = (environment: EnvironmentContext, database: DatabaseConfig, engine: CdcEngine = 'dms'): string =>
  `${environment.naming.qualifier}_${database.name}_${engine === 'dms' ? 'dms' : 'cdc'}`.replace(/-/g, '_');

/** Names of the replication objects of one database in one environment. */
/**
 * The replication login of one environment's migration of one database:
 * `<replicationRole>_<env>_<db>` (base `estate_replication`). Per environment and database,
 * because dev, staging and prod all replicate from the same legacy instance: each keeps its own
 * password, and finalizing one drops only its own login.
 */
export function replicationRoleName(environment: EnvironmentContext, db: MigratedDatabase): string {
  return `${db.legacy.replicationRole ?? 'estate_replication'}_${environment.naming.qualifier}_${db.database.name}`.replace(/-/g, '_');
}

export function replicationNames(environment: EnvironmentContext, database: DatabaseConfig, engine: CdcEngine) {
  const base = `estate_${environment.naming.qualifier}_${database.name}`.replace(/-/g, '_');
  return {
    /** Forward: publication on legacy, subscription on the new database, from the recorded slot. */
    forwardSlot: slotNameOf(environment, database, engine),
    forwardPublication: `${base}_forward`,
    forwardSubscription: `${base}_forward`,
    /** Reverse (rollback window): publication on the new database, subscription (and its slot) on legacy. */
    reversePublication: `${base}_reverse`,
    reverseSubscription: `${base}_reverse`,
  };
}

/** Output keys the steps read, as the stacks declare them (data-stack.ts, cutover-stack.ts). */
export const outputKeys = {
  taskArn: (env: EnvironmentContext, db: DatabaseConfig) => `${env.naming.stack('data')}_${db.name.replace(/-/g, '_')}_dms_task_arn`,
  hostedZoneId: (env: EnvironmentContext) => `${env.naming.stack('cutover')}_hosted_zone_id`,
  recordName: (env: EnvironmentContext, service: ServiceConfig) => `${env.naming.stack('cutover')}_${service.name.replace(/-/g, '_')}_record_name`,
  healthCheckId: (env: EnvironmentContext, service: ServiceConfig, side: DatabaseSide) =>
    `${env.naming.stack('cutover')}_${service.name.replace(/-/g, '_')}_${side}_health_check_id`,
  terraformVariable: (db: DatabaseConfig) => `${db.name.replace(/-/g, '_')}_cdc_start_position`,
};

function requireOutput(outputs: Readonly<Record<string, unknown>>, key: string): string {
  const value = outputs[key];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`output '${key}' is missing from the deploy outputs (apps/<env>/cfn-outputs/flat-outputs.json); deploy the environment first`);
  }
  return value;
}

/** Waits until `check` returns a value, polling; reports progress; gives up after `timeoutMs`. */
async function waitFor<T>(
  context: StepContext,
  what: string,
  pollMs: number,
  timeoutMs: number,
  check: () => Promise<{ done: T } | { progress: string }>,
): Promise<T> {
  let waited = 0;
  for (;;) {
    const result = await check();
    if ('done' in result) return result.done;
    context.progress(`${result.progress} (${Math.round(waited / 1000)} s)`);
    if (waited >= timeoutMs) throw new Error(`gave up waiting for ${what} after ${Math.round(timeoutMs / 60000)} min: ${result.progress}`);
    await context.sleep(pollMs);
    waited += pollMs;
  }
}

/** Throws naming every alarm in ALARM. */
async function alarmGate(ports: MigrationPorts, context: StepContext, when: string): Promise<readonly AlarmState[]> {
  const states = await ports.alarms();
  const firing = states.filter((a) => a.state === 'ALARM');
  if (firing.length > 0) {
    throw new Error(`alarm gate ${when}: ${firing.map((a) => `${a.name} is ALARM${a.reason ? ` (${a.reason})` : ''}`).join('; ')}`);
  }
  const noData = states.filter((a) => a.state === 'INSUFFICIENT_DATA').length;
  context.progress(`alarm gate ${when}: ${states.length - noData} OK${noData ? `, ${noData} without data yet` : ''}`);
  return states;
}

/** Runs `body` with a SQL session on one side, closing it afterwards. */
async function withSql<T>(ports: MigrationPorts, side: DatabaseSide, db: MigratedDatabase, body: (query: Query) => Promise<T>): Promise<T> {
  const session = await ports.sql(side, db);
  try {
    return await body(session.query);
  } finally {
    await session.close();
  }
}

/** Schemas the table patterns name (`public.%` → `public`): sequences are moved for these. */
const schemasOf = (patterns: readonly string[]): string[] => [...new Set(patterns.map((p) => p.split('.')[0]))];

/** A freeze that outlived its budget before the point of switch: the source takes writes again. */
export class FreezeBudgetExceededError extends Error {
  constructor(database: string, elapsedMs: number, budgetMs: number, stage: string) {
    super(`write freeze of ${database} exceeded its budget (${elapsedMs} ms > ${budgetMs} ms) ${stage}; the switch was aborted and legacy takes writes again`);
    this.name = 'FreezeBudgetExceededError';
  }
}

/**
 * The migration of one environment as ordered, recorded, reversible steps. The same list
 * drives the runner, its --dry-run, the rehearsal and the generated docs/migration-plan.md.
 *
 * Protocol (docs/data-migration.md): record the CDC position, snapshot, deploy (restore +
 * compute pointed at the legacy database), start CDC into the restored copy (kept read-only
 * for the application), shift traffic 25 → 100 % with one database, then per database a
 * short measured write freeze: drain CDC to the source's frozen WAL position, verify, move
 * sequences, start reverse replication, point the services at the new database, allow writes
 * there. finalize closes the rollback window.
 */
export function buildMigrationSteps(
  organisation: Organisation,
  environment: EnvironmentContext,
  ports: MigrationPorts,
  options: StepOptions = {},
): MigrationStep[] {
  const production = environment.tier === 'production';
  const pollMs = (options.pollSeconds ?? 30) * 1000;
  const shiftWaitMs = (options.shiftWaitSeconds ?? (production ? 900 : 300)) * 1000;
  const catchUpBytes = BigInt(options.catchUpBytes ?? 16 * 1024 * 1024);
  const catchUpSamples = options.catchUpSamples ?? 3;
  const catchUpTimeoutMs = (options.catchUpTimeoutMinutes ?? 240) * 60_000;
  const waitTimeoutMs = (options.waitTimeoutMinutes ?? 240) * 60_000;
  const drainPollMs = options.drainPollMs ?? 200;
  const freezeBudgetMs = (options.freezeBudgetSeconds ?? environment.settings.migration.freezeBudgetSeconds) * 1000;
  const rollbackWindowMs = (options.rollbackWindowMinutes ?? environment.settings.migration.rollbackWindowMinutes) * 60_000;
  const now = options.now ?? Date.now;
  const engineOf = options.engine ?? ((db: MigratedDatabase) => db.database.cdcEngine ?? 'dms');
  const roleOf = options.appRole ?? ((db: MigratedDatabase) => db.legacy.appRole ?? 'app');
  const env = environment.naming.qualifier;
  const region = environment.region;
  // production-copy: each migrated database is moved from legacy (snapshot, CDC, switch);
  // seed: it starts empty and the runner loads its seed file; empty: nothing to move at all.
  const data = environment.settings.migration.data;
  const databases = data === 'production-copy' ? migratedDatabases(organisation) : [];
  const seeded = data === 'seed' ? migratedDatabases(organisation) : [];
  const services = organisation.services;
  const app = environment.name;
  if (!Number.isFinite(freezeBudgetMs) || freezeBudgetMs <= 0) throw new Error(`freeze budget ${options.freezeBudgetSeconds} s must be a positive number of seconds`);
  if (!Number.isFinite(rollbackWindowMs) || rollbackWindowMs < 0) throw new Error(`rollback window ${options.rollbackWindowMinutes} min must be 0 or more minutes`);

  /** Databases frozen by this list's own freeze step (this runner process). */
  const frozeInThisRun = new Set<string>();
  const records = (): WeightedRecord[] => {
    const outputs = ports.outputs();
    const hostedZoneId = requireOutput(outputs, outputKeys.hostedZoneId(environment));
    return services
      .filter((service) => service.legacyEndpoint)
      .map((service) => {
        const legacyCheck = outputs[outputKeys.healthCheckId(environment, service, 'legacy')];
        const migratedCheck = outputs[outputKeys.healthCheckId(environment, service, 'migrated')];
        return {
          service: service.name,
          hostedZoneId,
          recordName: requireOutput(outputs, outputKeys.recordName(environment, service)),
          healthCheckIds: typeof legacyCheck === 'string' && typeof migratedCheck === 'string' ? { legacy: legacyCheck, migrated: migratedCheck } : undefined,
        };
      });
  };
  const recordCommands = (legacy: number, migrated: number): string[] =>
    services
      .filter((service) => service.legacyEndpoint)
      .map(
        (service) =>
          `aws route53 change-resource-record-sets --hosted-zone-id <${outputKeys.hostedZoneId(environment)}> ` +
          `# UPSERT ${service.hostname}.${environment.domainName}: legacy=${legacy}, migrated=${migrated}${legacy > 0 && migrated > 0 ? ', both health checks' : ', no health checks'}`,
      );
  const restoreLegacy: MigrationStep['rollback'] = {
    title: 'route all traffic back to legacy (weights legacy 100, migrated 0)',
    commands: recordCommands(100, 0),
    run: async (context) => {
      for (const record of records()) {
        await ports.setWeights(record, { legacy: 100, migrated: 0 });
        context.progress(`${record.recordName}: legacy 100 / migrated 0`);
      }
    },
  };

  const steps: MigrationStep[] = [
    {
      id: 'preflight',
      phase: 'preflight',
      title: 'check tools, credentials, state backend, deploy role and legacy snapshot keys',
      commands: [
        'terraform version -json  # >= 1.10 (S3 lockfile)',
        'aws sts get-caller-identity',
        `aws s3api head-bucket --bucket ${environment.state.bucket}`,
        `aws sts assume-role --role-arn ${environment.deployRoleArn} --external-id <iam.externalId>`,
        `aws sts assume-role --role-arn ${organisation.deployRoleArn('legacy')} --external-id <iam.externalId>`,
        ...databases.flatMap(({ legacy }) => [
          `aws rds describe-db-instances --db-instance-identifier ${legacy.instanceIdentifier}  # legacy account: StorageEncrypted`,
          `aws kms describe-key --key-id ${legacy.shareKmsKey}  # legacy account: KeyManager CUSTOMER, Enabled`,
        ]),
      ],
      run: async () => {
        const problems = await ports.preflight();
        if (problems.length > 0) throw new Error(`preflight found ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
        return { checks: 'passed' };
      },
    },
  ];

  for (const db of databases) {
    const { database, legacy } = db;
    const engine = engineOf(db);
    const names = replicationNames(environment, database, engine);
    const slot = names.forwardSlot;
    const snapshot = snapshotIdentifierFor(legacy, env);
    steps.push(
      {
        id: `cdc-position-${database.name}`,
        phase: 'data',
        title:
          engine === 'dms'
            ? `record the CDC start position of ${legacy.instanceIdentifier}: create logical replication slot ${slot} (test_decoding, for DMS)`
            : `record the CDC start position of ${legacy.instanceIdentifier}: publish the migrated tables (${names.forwardPublication}), then create slot ${slot} (pgoutput)`,
        commands: [
          ...(engine === 'logical' ? [`psql <legacy ${legacy.databaseName}> -c "CREATE PUBLICATION ${names.forwardPublication} FOR TABLE <${legacy.tables.join(', ')}>"`] : []),
          `psql <legacy ${legacy.databaseName}> -c "SELECT lsn FROM pg_create_logical_replication_slot('${slot}', '${engine === 'dms' ? 'test_decoding' : 'pgoutput'}')"`,
        ],
        run: async (context) => {
          const tables = await withSql(ports, 'legacy', db, async (query) => {
            // The publication must exist before the slot: pgoutput reads it as of each change's position.
            const resolved = await resolveTables(query, legacy.tables);
            if (engine === 'logical') await ensurePublication(query, names.forwardPublication, resolved);
            return resolved;
          });
          const { lsn, created } = await ports.legacy.createSlot(db, slot, engine === 'dms' ? 'test_decoding' : 'pgoutput');
          context.progress(`${created ? 'created' : 'found'} slot ${slot} at ${lsn}; ${tables.length} table(s): ${tables.join(', ')}`);
          return { slot, lsn, engine, tables: tables.join(','), recordedAt: new Date(now()).toISOString() };
        },
        rollback: {
          title: `drop replication slot ${slot}${engine === 'logical' ? ` and publication ${names.forwardPublication}` : ''} on the legacy database (so it stops retaining WAL)`,
          commands: [
            `psql <legacy ${legacy.databaseName}> -c "SELECT pg_drop_replication_slot('${slot}')"`,
            ...(engine === 'logical' ? [`psql <legacy ${legacy.databaseName}> -c "DROP PUBLICATION IF EXISTS ${names.forwardPublication}"`] : []),
          ],
          run: async (context) => {
            const dropped = await withSql(ports, 'legacy', db, async (query) => {
              const gone = await dropSlot(query, slot);
              if (engine === 'logical') await dropPublication(query, names.forwardPublication);
              return gone;
            });
            context.progress(dropped ? `dropped ${slot}` : `${slot} was already gone`);
          },
        },
      },
      {
        id: `snapshot-${database.name}`,
        phase: 'data',
        title: `take snapshot ${snapshot} of ${legacy.instanceIdentifier} (after the slot, so CDC misses nothing)`,
        commands: [
          `aws rds create-db-snapshot --db-instance-identifier ${legacy.instanceIdentifier} --db-snapshot-identifier ${snapshot}`,
          `aws rds wait db-snapshot-available --db-snapshot-identifier ${snapshot}`,
        ],
        run: async (context) => {
          const recordedAt = new Date(context.outputsOf(`cdc-position-${database.name}`)['recordedAt']);
          const existing = await ports.legacy.describeSnapshot(snapshot);
          if (existing?.createdAt && existing.createdAt < recordedAt) {
            throw new Error(
              `snapshot ${snapshot} was taken at ${existing.createdAt.toISOString()}, before the CDC position was recorded ` +
                `(${recordedAt.toISOString()}): changes in between would be lost. Delete it (aws rds delete-db-snapshot) and resume`,
            );
          }
          if (!existing) await ports.legacy.createSnapshot(legacy, snapshot);
          const done = await waitFor<SnapshotState>(context, `snapshot ${snapshot}`, pollMs, waitTimeoutMs, async () => {
            const state = await ports.legacy.describeSnapshot(snapshot);
            if (state?.status === 'available') return { done: state };
            if (state && ['failed', 'deleted', 'deleting'].includes(state.status)) throw new Error(`snapshot ${snapshot} is ${state.status}`);
            return { progress: `snapshot ${snapshot}: ${state?.status ?? 'not visible yet'}, ${state?.percentProgress ?? 0}%` };
          });
          if (!done.encrypted) throw new Error(`snapshot ${snapshot} is not encrypted; the migration only moves encrypted data`);
          return { snapshot, createdAt: done.createdAt?.toISOString() ?? '' };
        },
      },
    );
  }

  steps.push({
    id: 'deploy',
    phase: 'deploy',
    title: `deploy ${app} through the deploy driver: network, peering, data (share copy → target copy → restore), app (services on the legacy databases), observability, cutover (weights 100/0)`,
    commands: [
      `${databases.map(({ database }) => `TF_VAR_${outputKeys.terraformVariable(database)}=<lsn>`).join(' ')} npx nx run ${app}:deploy${production ? ' -- --confirm-prod' : ''}`,
    ],
    run: async (context) => {
      const variables = Object.fromEntries(
        databases.map(({ database }) => [outputKeys.terraformVariable(database), context.outputsOf(`cdc-position-${database.name}`)['lsn']]),
      );
      const outputs = await ports.deploy(variables, context.log);
      return { outputs: String(Object.keys(outputs).length) };
    },
  });

  for (const db of seeded) {
    const { database } = db;
    const seedFile = database.seedFile;
    if (!seedFile) throw new Error(`database '${database.name}' has no seedFile, but ${app}'s migration.data is 'seed'`);
    steps.push({
      id: `seed-${database.name}`,
      phase: 'data',
      title: `load ${seedFile} into the new ${database.name} in one transaction (${app} gets seed data, never production's)`,
      commands: [`psql <new ${database.databaseName}> --single-transaction -v ON_ERROR_STOP=1 -f ${seedFile}`],
      run: async () => {
        const sql = await ports.readSeed(seedFile);
        if (/^\s*COPY\b[^;]*\bFROM\s+stdin\b/im.test(sql)) {
          throw new Error(`${seedFile} uses COPY ... FROM stdin, which only psql can feed; write the seed as INSERT statements (pg_dump --inserts or --column-inserts)`);
        }
        const sha256 = createHash('sha256').update(sql).digest('hex');
        // The load and a marker on the database commit together, so a rerun after a crash
        // between the commit and the ledger finds the marker and loads nothing twice.
        const marker = `estate seed ${seedFile} sha256:${sha256}`;
        const tables = await withSql(ports, 'migrated', db, async (query) => {
          const userTables = async () => {
            const [row] = await query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
            return Number(row['n']);
          };
          const [current] = await query("SELECT current_database() AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()");
          if (current['comment'] === marker) return userTables();
          if (typeof current['comment'] === 'string' && current['comment'].startsWith('estate seed ')) {
            throw new Error(`the new ${database.name} already holds a different seed (${current['comment']}); ${seedFile} now hashes to ${sha256}. Recreate the database to load the new seed`);
          }
          const existing = await userTables();
          if (existing > 0) throw new Error(`the new ${database.name} already has ${existing} table(s) and no seed marker: it was loaded some other way; refusing to load ${seedFile} over it`);
          await query('BEGIN');
          try {
            await query(sql);
            await query(`COMMENT ON DATABASE ${quoteIdent(String(current['name']))} IS '${marker.replace(/'/g, "''")}'`);
            await query('COMMIT');
          } catch (error) {
            await query('ROLLBACK');
            throw new Error(`${seedFile} failed on the new ${database.name} and was rolled back: ${(error as Error).message}`);
          }
          return userTables();
        });
        return { seedFile, sha256, bytes: String(Buffer.byteLength(sql)), tables: String(tables) };
      },
    });
  }

  for (const db of databases) {
    const { database, legacy } = db;
    const engine = engineOf(db);
    const names = replicationNames(environment, database, engine);
    const role = roleOf(db);
    const replicationRole = replicationRoleName(environment, db);
    const taskArn = () => requireOutput(ports.outputs(), outputKeys.taskArn(environment, database));
    steps.push({
      id: `connect-${database.name}`,
      phase: 'deploy',
      title: `point the new services that use ${database.name} at the legacy database (the app connection secret, role ${role}) and wait until they run steadily`,
      commands: [
        `aws secretsmanager put-secret-value --secret-id <${env}-data_${database.name}_app_connection_secret_arn> --secret-string '{host: <legacy>, port, dbname, username: ${role}, password}'`,
        `aws ecs update-service --force-new-deployment  # then aws ecs wait services-stable`,
      ],
      run: async (context) => {
        await ports.services.pointAt(db, 'legacy', context.log);
        return { database: 'legacy' };
      },
    });
    steps.push({
      id: `replication-user-${database.name}`,
      phase: 'cdc',
      title: `create the replication login ${replicationRole} on legacy and on the new ${database.name} (its own password, generated once and kept in the environment's secret; never the master user, which RDS rotates)`,
      commands: [
        `aws secretsmanager put-secret-value --secret-id <${env}-data_${database.name}_replication_user_secret_arn> --secret-string '{"username":"${replicationRole}","password":"<generated>"}'  # once`,
        `psql <legacy ${legacy.databaseName}> -c "CREATE ROLE ${replicationRole} LOGIN PASSWORD '<SCRAM-SHA-256 verifier>'; GRANT rds_replication TO ${replicationRole};${engine === 'dms' ? ` GRANT rds_superuser TO ${replicationRole};` : ''} GRANT SELECT ON ALL TABLES IN SCHEMA <schema> TO ${replicationRole}"`,
        `psql <new ${database.databaseName}> -c "<the same>"`,
      ],
      run: async () => {
        const { username, password } = await ports.replicationUser(db);
        if (username !== replicationRole) throw new Error(`the replication secret of ${database.name} names ${username}, but the organisation says replicationRole ${replicationRole}`);
        const outputs: Record<string, string> = { role: username };
        for (const side of ['legacy', 'migrated'] as const) {
          const result = await withSql(ports, side, db, async (query) => {
            const schemas = (await resolveTables(query, legacy.tables)).map((t) => t.split('.')[0]);
            return ensureReplicationRole(query, { role: username, password, schemas, dms: engine === 'dms' });
          });
          outputs[`${side}Grants`] = result.grants.join(', ');
        }
        return outputs;
      },
      rollback: {
        title: `drop the replication login ${replicationRole} on both sides`,
        commands: [`psql <new> -c "DROP OWNED BY ${replicationRole}; DROP ROLE ${replicationRole}"`, `psql <legacy> -c "DROP OWNED BY ${replicationRole}; DROP ROLE ${replicationRole}"`],
        run: async () => {
          for (const side of ['migrated', 'legacy'] as const) await withSql(ports, side, db, (query) => dropReplicationRole(query, replicationRole));
        },
      },
    });
    if (engine === 'dms') {
      steps.push({
        id: `cdc-secrets-${database.name}`,
        phase: 'cdc',
        title: `fill the DMS endpoint secrets of ${database.name} with the replication login ${replicationRole} (legacy → source, new database → target)`,
        commands: [
          `aws secretsmanager put-secret-value --secret-id <${env}-data_${database.name}_dms_source_secret_arn> --secret-string '{username,password,host,port}'`,
          `aws secretsmanager put-secret-value --secret-id <${env}-data_${database.name}_dms_target_secret_arn> --secret-string '{username,password,host,port}'`,
        ],
        run: async () => {
          await ports.fillReplicationSecrets(database, legacy, ports.outputs());
          return { filled: 'source,target' };
        },
      });
    }
    steps.push(
      {
        id: `cdc-start-${database.name}`,
        phase: 'cdc',
        title:
          engine === 'dms'
            ? `keep the restored ${database.name} read-only for ${role}, then start CDC (DMS) at the recorded LSN`
            : `keep the restored ${database.name} read-only for ${role}, then subscribe it to legacy from slot ${names.forwardSlot} (no copy: the snapshot holds the data)`,
        commands: [
          `psql <new ${database.databaseName}> -c "ALTER ROLE ${role} SET default_transaction_read_only = on"`,
          engine === 'dms'
            ? `aws dms start-replication-task --replication-task-arn <${outputKeys.taskArn(environment, database)}> --start-replication-task-type start-replication --cdc-start-position <lsn>`
            : `psql <new ${database.databaseName}> -c "CREATE SUBSCRIPTION ${names.forwardSubscription} CONNECTION '<legacy>' PUBLICATION ${names.forwardPublication} WITH (create_slot = false, slot_name = '${names.forwardSlot}', copy_data = false)"`,
        ],
        run: async (context) => {
          const position = context.outputsOf(`cdc-position-${database.name}`)['lsn'];
          // Nothing but replication writes to the new database until the switch.
          await withSql(ports, 'migrated', db, (query) => freezeRole(query, role));
          if (engine === 'dms') {
            const arn = taskArn();
            const current = await ports.dms.describe(arn);
            if (current.status !== 'running' && current.status !== 'starting') await ports.dms.start(arn, position);
            await waitFor(context, `DMS task ${arn} to run`, pollMs, waitTimeoutMs, async () => {
              const state = await ports.dms.describe(arn);
              if (state.status === 'running') return { done: state };
              if (['failed', 'stopped'].includes(state.status)) throw new Error(`DMS task ${arn} is ${state.status}: ${state.stopReason ?? 'no reason given'}`);
              return { progress: `task ${state.status}` };
            });
            return { engine, taskArn: arn, startPosition: position } as StepOutputs;
          }
          // The restored copy already holds the changes up to its own position: start after it
          // when it lies past the slot's, else at the slot's (and record the one used).
          const restored = await ports.restoredPosition(db);
          const startAfter = restored && lsnValue(restored) > lsnValue(position) ? restored : undefined;
          const connection = await ports.replicationConnection('legacy', db);
          const { created } = await withSql(ports, 'migrated', db, (query) =>
            ensureSubscription(query, {
              name: names.forwardSubscription,
              connection,
              publication: names.forwardPublication,
              existingSlot: names.forwardSlot,
              startAfter,
            }),
          );
          await waitFor(context, `subscription ${names.forwardSubscription} to run`, Math.min(pollMs, 1000), waitTimeoutMs, async () => {
            const state = await withSql(ports, 'migrated', db, (query) => subscriptionState(query, names.forwardSubscription));
            return state?.workerRunning ? { done: state } : { progress: `subscription ${state ? (state.enabled ? 'starting' : 'disabled') : 'missing'}` };
          });
          return { engine, subscription: names.forwardSubscription, startPosition: startAfter ?? position, created: String(created) } as StepOutputs;
        },
        rollback: {
          title: `stop CDC of ${database.name}${engine === 'logical' ? ' (drop the subscription, keep the slot)' : ''}`,
          commands: [
            engine === 'dms'
              ? `aws dms stop-replication-task --replication-task-arn <${outputKeys.taskArn(environment, database)}>`
              : `psql <new ${database.databaseName}> -c "ALTER SUBSCRIPTION ${names.forwardSubscription} DISABLE; ALTER SUBSCRIPTION ... SET (slot_name = NONE); DROP SUBSCRIPTION ..."`,
          ],
          run: async (context) => stopForward(context, db),
        },
      },
      {
        id: `cdc-catch-up-${database.name}`,
        phase: 'cdc',
        title: `wait until CDC of ${database.name} has caught up: slot ${names.forwardSlot} within ${catchUpBytes} bytes of legacy's WAL position, ${catchUpSamples} polls in a row`,
        commands: [
          `psql <legacy ${legacy.databaseName}> -c "SELECT pg_current_wal_lsn() - confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '${names.forwardSlot}'"`,
        ],
        run: async (context) => {
          let streak = 0;
          const lag = await waitFor<bigint>(context, `CDC of ${database.name} to catch up`, pollMs, catchUpTimeoutMs, async () => {
            await forwardHealthy(db);
            const { behind } = await forwardLag(db);
            streak = behind !== undefined && behind <= catchUpBytes ? streak + 1 : 0;
            if (streak >= catchUpSamples && behind !== undefined) return { done: behind };
            return { progress: `slot ${names.forwardSlot} ${behind === undefined ? 'has not confirmed a position yet' : `${behind} bytes behind`} (${streak}/${catchUpSamples} within ${catchUpBytes})` };
          });
          return { lagBytes: String(lag) };
        },
      },
    );
  }

  /** The forward CDC is running (task running, or subscription worker up); throws otherwise. */
  async function forwardHealthy(db: MigratedDatabase): Promise<void> {
    const engine = engineOf(db);
    if (engine === 'dms') {
      const arn = requireOutput(ports.outputs(), outputKeys.taskArn(environment, db.database));
      const state = await ports.dms.describe(arn);
      if (state.status !== 'running') throw new Error(`DMS task ${arn} is ${state.status}: ${state.stopReason ?? 'no reason given'}`);
      return;
    }
    const name = replicationNames(environment, db.database, engine).forwardSubscription;
    const state = await withSql(ports, 'migrated', db, (query) => subscriptionState(query, name));
    if (!state?.enabled) throw new Error(`subscription ${name} on the new ${db.database.name} is ${state ? 'disabled' : 'missing'}`);
  }

  /** How far the forward slot's confirmed position is behind legacy's current WAL position. */
  async function forwardLag(db: MigratedDatabase): Promise<{ behind?: bigint; source: string; confirmed?: string }> {
    const slot = replicationNames(environment, db.database, engineOf(db)).forwardSlot;
    return withSql(ports, 'legacy', db, async (query) => {
      const state = await slotState(query, slot);
      if (!state) throw new Error(`replication slot ${slot} is gone from legacy ${db.legacy.instanceIdentifier}; CDC cannot continue`);
      const source = await currentLsn(query);
      return { source, confirmed: state.confirmedFlushLsn, behind: state.confirmedFlushLsn ? lsnDistance(state.confirmedFlushLsn, source) : undefined };
    });
  }

  /** Stops the forward CDC: the DMS task (waited until stopped) or the subscription (its slot stays). */
  async function stopForward(context: StepContext, db: MigratedDatabase): Promise<void> {
    const engine = engineOf(db);
    if (engine === 'dms') {
      const arn = requireOutput(ports.outputs(), outputKeys.taskArn(environment, db.database));
      const state = await ports.dms.describe(arn);
      if (state.status === 'running' || state.status === 'starting') await ports.dms.stop(arn);
      await waitFor(context, `DMS task ${arn} to stop`, Math.min(pollMs, 5000), waitTimeoutMs, async () => {
        const current = await ports.dms.describe(arn);
        return ['stopped', 'ready', 'failed'].includes(current.status) ? { done: current } : { progress: `task ${current.status}` };
      });
      return;
    }
    const name = replicationNames(environment, db.database, engine).forwardSubscription;
    const dropped = await withSql(ports, 'migrated', db, (query) => dropSubscription(query, name, { keepSlot: true }));
    context.progress(dropped ? `subscription ${name} dropped (slot kept)` : `subscription ${name} was already gone`);
  }

  /**
   * Waits until the consumer of `slot` on `publisher` has applied everything up to `target`
   * (a measured LSN, not a latency). Returns the confirmed position.
   */
  async function drain(context: StepContext, db: MigratedDatabase, publisher: DatabaseSide, slot: string, target: string, deadline: number, stage: string): Promise<string> {
    for (;;) {
      const state = await withSql(ports, publisher, db, (query) => slotState(query, slot));
      if (!state) throw new Error(`replication slot ${slot} is missing on the ${publisher} ${db.database.name}`);
      if (state.confirmedFlushLsn && lsnValue(state.confirmedFlushLsn) >= lsnValue(target)) return state.confirmedFlushLsn;
      if (now() > deadline) throw new Error(`${stage}: slot ${slot} confirmed ${state.confirmedFlushLsn ?? 'nothing'}, not yet ${target}, when the freeze budget ran out`);
      context.progress(`draining ${slot}: confirmed ${state.confirmedFlushLsn ?? '-'} of ${target}`);
      await context.sleep(drainPollMs);
    }
  }

  let previous = 0;
  for (const share of TRAFFIC_STEPS) {
    const legacyWeight = 100 - share;
    const from = previous;
    steps.push({
      id: `traffic-${share}`,
      phase: 'cutover',
      title: `alarm gate, then shift ${share}% of traffic to the new environment (was ${from}%; one database: both sides use legacy), then watch alarms for ${shiftWaitMs / 1000} s`,
      commands: [
        `aws cloudwatch describe-alarms --alarm-name-prefix ${environment.naming.prefix} --state-value ALARM  # must list none`,
        ...recordCommands(legacyWeight, share),
        `sleep ${shiftWaitMs / 1000}  # polling describe-alarms every ${pollMs / 1000} s; any ALARM fails the step`,
      ],
      run: async (context) => {
        await alarmGate(ports, context, `before ${share}%`);
        for (const record of records()) {
          await ports.setWeights(record, { legacy: legacyWeight, migrated: share });
          context.progress(`${record.recordName}: legacy ${legacyWeight} / migrated ${share}`);
        }
        for (let waited = 0; waited < shiftWaitMs; waited += pollMs) {
          await context.sleep(Math.min(pollMs, shiftWaitMs - waited));
          await alarmGate(ports, context, `at ${share}% after ${Math.round((waited + Math.min(pollMs, shiftWaitMs - waited)) / 1000)} of ${shiftWaitMs / 1000} s`);
        }
        return { migratedWeight: String(share), legacyWeight: String(legacyWeight) };
      },
      rollback: restoreLegacy,
    });
    previous = share;
  }

  for (const db of databases) {
    const { database, legacy } = db;
    const engine = engineOf(db);
    const names = replicationNames(environment, database, engine);
    const role = roleOf(db);
    const schemas = schemasOf(legacy.tables);
    const tablesOf = (context: StepContext) => context.outputsOf(`cdc-position-${database.name}`)['tables'].split(',').filter(Boolean);

    steps.push(
      {
        id: `freeze-${database.name}`,
        phase: 'cutover',
        title: `freeze writes of ${role} on legacy ${legacy.instanceIdentifier} (new sessions read-only, open sessions ended); budget ${freezeBudgetMs / 1000} s`,
        commands: [
          `psql <legacy ${legacy.databaseName}> -c "ALTER ROLE ${role} SET default_transaction_read_only = on"`,
          `psql <legacy ${legacy.databaseName}> -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'"`,
        ],
        run: async (context) => {
          await alarmGate(ports, context, `before freezing ${database.name}`);
          await forwardHealthy(db);
          const { behind } = await forwardLag(db);
          if (behind === undefined || behind > catchUpBytes) throw new Error(`CDC of ${database.name} is ${behind ?? 'an unknown number of'} bytes behind; freeze only once it has caught up (cdc-catch-up)`);
          const frozenAt = now();
          const ended = await withSql(ports, 'legacy', db, (query) => freezeRole(query, role));
          frozeInThisRun.add(database.name);
          const position = await withSql(ports, 'legacy', db, currentLsn);
          context.progress(`legacy frozen for ${role}: ${ended} session(s) ended, WAL at ${position}`);
          return { frozenAt: new Date(frozenAt).toISOString(), frozenAtMs: String(frozenAt), sessionsEnded: String(ended), sourcePosition: position };
        },
        rollback: {
          title: `let ${role} write to legacy again`,
          commands: [`psql <legacy ${legacy.databaseName}> -c "ALTER ROLE ${role} RESET default_transaction_read_only"`],
          run: async () => withSql(ports, 'legacy', db, (query) => unfreezeRole(query, role)),
        },
      },
      {
        id: `switch-${database.name}`,
        phase: 'cutover',
        title:
          `switch ${database.name} to the new database inside the freeze: drain CDC to legacy's frozen WAL position, verify, move sequences, ` +
          `start reverse replication (rollback window ${rollbackWindowMs / 60_000} min), point the services at the new database, let ${role} write there`,
        commands: [
          `psql <legacy> -c "SELECT pg_current_wal_lsn()"  # then wait until slot ${names.forwardSlot} confirmed_flush_lsn >= it`,
          `npx nx run verify-data:verify -- --source <legacy> --target <new> --tables ${legacy.tables.join(',')} --exclude '*.awsdms_*' --strict`,
          `psql <new> -c "SELECT setval(<sequence>, <legacy last_value>, true)"  # every sequence of ${schemas.join(', ')}`,
          engine === 'dms' ? `aws dms stop-replication-task --replication-task-arn <${outputKeys.taskArn(environment, database)}>` : `psql <new> -c "DROP SUBSCRIPTION ${names.forwardSubscription}"  # slot kept`,
          `psql <new> -c "CREATE PUBLICATION ${names.reversePublication} FOR TABLE ..."; psql <legacy> -c "CREATE SUBSCRIPTION ${names.reverseSubscription} ... WITH (copy_data = false)"`,
          `aws ecs update-service --force-new-deployment  # services using ${database.name} read the new connection; wait services-stable`,
          `psql <new> -c "ALTER ROLE ${role} RESET default_transaction_read_only"`,
        ],
        run: async (context) => {
          const freeze = context.outputsOf(`freeze-${database.name}`);
          let frozenAt = Number(freeze['frozenAtMs']);
          // Legacy may have been let go by an aborted attempt: freeze it again, and measure from now.
          const stillFrozen = await withSql(ports, 'legacy', db, (query) => roleFrozen(query, role));
          if (!stillFrozen) {
            await withSql(ports, 'legacy', db, (query) => freezeRole(query, role));
            frozenAt = now();
          }
          // The budget counts from the freeze when it happened in this run; after a crash between
          // freeze and switch it counts from now (the outage is not the switch's to abort for), while
          // the recorded freeze duration still starts at the freeze.
          const budgetFrom = stillFrozen && frozeInThisRun.has(database.name) && context.attempt === 1 ? frozenAt : now();
          const deadline = budgetFrom + freezeBudgetMs;
          const tables = tablesOf(context);
          const abort = async (stage: string, cause?: unknown): Promise<never> => {
            // Before the point of switch the forward CDC still runs: legacy can take writes again.
            await withSql(ports, 'legacy', db, (query) => unfreezeRole(query, role));
            // Anything thrown inside the budget is passed on as it is (even a non-Error); only running
            // out of the budget is reported as such.
            if (cause !== undefined && !(cause instanceof FreezeBudgetExceededError) && now() <= deadline) throw cause;
            throw new FreezeBudgetExceededError(database.name, now() - budgetFrom, freezeBudgetMs, stage);
          };
          const check = async (stage: string) => {
            if (now() > deadline) await abort(stage);
          };

          const reverse = await withSql(ports, 'legacy', db, (query) => subscriptionState(query, names.reverseSubscription));
          const reverseStarted = reverse !== undefined;
          const checked: Record<string, string> = {};
          if (!reverseStarted) {
            try {
              // 1. Drain: everything legacy wrote up to its frozen position is applied on the new side.
              const target = await withSql(ports, 'legacy', db, currentLsn);
              const applied = await drain(context, db, 'legacy', names.forwardSlot, target, deadline, 'drain');
              context.progress(`drained: ${names.forwardSlot} confirmed ${applied} >= ${target} after ${now() - frozenAt} ms frozen`);
              await check('after the drain');
              // 2. Verify the frozen data.
              const verifyStarted = now();
              const verified = await ports.verify(db, tables, context.log);
              const verifyMs = now() - verifyStarted;
              if (!verified.ok) throw new Error(`data verification of ${database.name} failed: ${verified.summary}`);
              await check('after verification');
              // 3. Sequences past legacy's values.
              const moved = await withSql(ports, 'legacy', db, (from) => withSql(ports, 'migrated', db, (to) => advanceSequences(from, to, schemas)));
              context.progress(`sequences: ${moved.map((m) => `${m.sequence}=${m.value}`).join(', ') || 'none to move'}`);
              await check('after moving sequences');
              Object.assign(checked, { verified: verified.summary, verifiedRows: String(verified.rows ?? ''), verifyMs: String(verifyMs), drainedTo: applied, sequencesMoved: String(moved.length) });
            } catch (error) {
              if (error instanceof FreezeBudgetExceededError) throw error;
              await abort('before the point of switch', error);
            }
          }
          // Point of switch: from here the new database is the primary; nothing aborts back to legacy (rollback does, without loss).
          await stopForward(context, db);
          if (!reverseStarted) {
            const connection = await ports.replicationConnection('migrated', db);
            await withSql(ports, 'migrated', db, (query) => ensurePublication(query, names.reversePublication, tables));
            // create_slot = true: the slot on the new side starts now, before anything is written there.
            await withSql(ports, 'legacy', db, (query) => ensureSubscription(query, { name: names.reverseSubscription, connection, publication: names.reversePublication }));
          }
          await ports.services.pointAt(db, 'migrated', context.log);
          await withSql(ports, 'migrated', db, (query) => unfreezeRole(query, role));
          const switchedAt = now();
          const freezeMs = switchedAt - frozenAt;
          context.progress(`${database.name} switched: writes allowed on the new database after a ${freezeMs} ms freeze`);
          return {
            switchedAt: new Date(switchedAt).toISOString(),
            switchedAtMs: String(switchedAt),
            freezeMs: String(freezeMs),
            freezeBudgetMs: String(freezeBudgetMs),
            reverseSubscription: names.reverseSubscription,
            ...checked,
          };
        },
        rollback: {
          title: `switch ${database.name} back to legacy without loss: freeze ${role} on the new database, drain reverse replication, verify, move legacy's sequences past the new ones, point the services at legacy, let ${role} write there`,
          commands: [
            `psql <new> -c "ALTER ROLE ${role} SET default_transaction_read_only = on"; terminate ${role} sessions`,
            `# wait until the reverse slot on the new database confirmed_flush_lsn >= its pg_current_wal_lsn()`,
            `psql <new>/<legacy>: verify, then setval every sequence of ${schemas.join(', ')} on legacy`,
            `aws ecs update-service --force-new-deployment  # services using ${database.name} read the legacy connection`,
            `psql <legacy> -c "DROP SUBSCRIPTION ${names.reverseSubscription}"; psql <new> -c "DROP PUBLICATION IF EXISTS ${names.reversePublication}"`,
            `psql <legacy> -c "ALTER ROLE ${role} RESET default_transaction_read_only"`,
          ],
          run: async (context) => {
            const reverse = await withSql(ports, 'legacy', db, (query) => subscriptionState(query, names.reverseSubscription));
            if (reverse) {
              const frozenAt = now();
              await withSql(ports, 'migrated', db, (query) => freezeRole(query, role));
              const reverseSlot = await withSql(ports, 'migrated', db, async (query) => {
                const [row] = await query('SELECT subslotname FROM pg_subscription WHERE subname = $1', [names.reverseSubscription]).catch(() => [undefined]);
                return row ? String(row['subslotname']) : names.reverseSubscription;
              });
              const target = await withSql(ports, 'migrated', db, currentLsn);
              // No budget here: losing nothing matters more than the length of this freeze.
              await drain(context, db, 'migrated', reverseSlot, target, Number.POSITIVE_INFINITY, 'reverse drain');
              const verified = await ports.verify(db, tablesOf(context), context.log);
              if (!verified.ok) throw new Error(`data verification of ${database.name} before switching back failed: ${verified.summary}`);
              await withSql(ports, 'migrated', db, (from) => withSql(ports, 'legacy', db, (to) => advanceSequences(from, to, schemas)));
              await withSql(ports, 'legacy', db, (query) => dropSubscription(query, names.reverseSubscription, { keepSlot: false }));
              await withSql(ports, 'migrated', db, (query) => dropPublication(query, names.reversePublication));
              context.progress(`reverse replication drained to ${target} and stopped after ${now() - frozenAt} ms`);
            }
            await ports.services.pointAt(db, 'legacy', context.log);
            await withSql(ports, 'legacy', db, (query) => unfreezeRole(query, role));
          },
        },
      },
    );
  }

  steps.push({
    id: 'finalize',
    phase: 'finalize',
    title: `after the rollback window (${rollbackWindowMs / 60_000} min): stop reverse replication, drop the slots once inactive, remove the legacy weighted records`,
    commands: [
      ...databases.flatMap((db) => {
        const names = replicationNames(environment, db.database, engineOf(db));
        return [
          `psql <legacy ${db.legacy.databaseName}> -c "DROP SUBSCRIPTION ${names.reverseSubscription}"  # drops its slot on the new database`,
          `psql <new ${db.database.databaseName}> -c "DROP PUBLICATION IF EXISTS ${names.reversePublication}"`,
          ...(engineOf(db) === 'dms' ? [`aws dms stop-replication-task --replication-task-arn <${outputKeys.taskArn(environment, db.database)}>  # already stopped at the switch`] : []),
          `psql <legacy ${db.legacy.databaseName}> -c "SELECT pg_drop_replication_slot('${names.forwardSlot}')"  # once inactive`,
          ...(engineOf(db) === 'logical' ? [`psql <legacy ${db.legacy.databaseName}> -c "DROP PUBLICATION IF EXISTS ${names.forwardPublication}"`] : []),
          `psql <both> -c "DROP OWNED BY ${replicationRoleName(environment, db)}; DROP ROLE ${replicationRoleName(environment, db)}"`,
        ];
      }),
      ...recordCommands(0, 100).map((c) => c.replace('UPSERT', 'DELETE legacy record of').replace(/: legacy=0, migrated=100.*$/, '')),
    ],
    pointOfNoReturn:
      'reverse replication is stopped, so legacy no longer receives the changes made since; routing traffic back would lose them. Fix forward, or follow "After finalize" in docs/runbook.md',
    run: async (context): Promise<StepOutputs> => {
      await alarmGate(ports, context, 'before finalizing');
      for (const db of databases) {
        const switchedAt = Number(context.outputsOf(`switch-${db.database.name}`)['switchedAtMs']);
        const closesAt = switchedAt + rollbackWindowMs;
        while (now() < closesAt) {
          context.progress(`rollback window of ${db.database.name} open until ${new Date(closesAt).toISOString()}; \`rollback\` until then loses nothing`);
          await context.sleep(Math.min(pollMs, closesAt - now()));
        }
      }
      for (const db of databases) {
        const engine = engineOf(db);
        const names = replicationNames(environment, db.database, engine);
        await withSql(ports, 'legacy', db, (query) => dropSubscription(query, names.reverseSubscription, { keepSlot: false }));
        await withSql(ports, 'migrated', db, (query) => dropPublication(query, names.reversePublication));
        await stopForward(context, db);
        await waitFor(context, `slot ${names.forwardSlot} to become inactive`, Math.min(pollMs, 1000), waitTimeoutMs, async () => {
          const state = await withSql(ports, 'legacy', db, (query) => slotState(query, names.forwardSlot));
          return state?.active ? { progress: `slot ${names.forwardSlot} still active` } : { done: true };
        });
        await withSql(ports, 'legacy', db, async (query) => {
          await dropSlot(query, names.forwardSlot);
          if (engine === 'logical') await dropPublication(query, names.forwardPublication);
        });
        // Nothing replicates any more: the replication login goes too.
        const replicationRole = replicationRoleName(environment, db);
        for (const side of ['migrated', 'legacy'] as const) await withSql(ports, side, db, (query) => dropReplicationRole(query, replicationRole));
        context.progress(`${db.database.name}: reverse replication stopped, slots dropped, replication login ${replicationRole} dropped`);
      }
      for (const record of records()) {
        await ports.removeLegacyRecord(record);
        context.progress(`${record.recordName}: legacy record removed`);
      }
      return { finalizedAt: new Date(now()).toISOString(), region };
    },
  });
  return steps;
}

/** Ports that refuse every call: --dry-run and the plan generator build the steps with them, so nothing is touched. */
export function inertPorts(): MigrationPorts {
  const refuse = (): never => {
    throw new Error('dry run: no AWS call is made');
  };
  return {
    preflight: refuse, deploy: refuse, outputs: refuse, sql: refuse, replicationConnection: refuse, replicationUser: refuse, readSeed: refuse, restoredPosition: refuse,
    fillReplicationSecrets: refuse, alarms: refuse, setWeights: refuse, removeLegacyRecord: refuse, verify: refuse,
    legacy: { createSlot: refuse, describeSnapshot: refuse, createSnapshot: refuse },
    dms: { start: refuse, stop: refuse, describe: refuse },
    services: { pointAt: refuse },
  };
}
