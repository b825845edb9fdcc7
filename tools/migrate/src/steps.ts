import type { DatabaseConfig, EnvironmentContext, LegacyDatabaseConfig, Organisation, ServiceConfig } from '@estate/config';
import type { MigrationStep, StepContext, StepOutputs } from './engine';

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

/**
 * Everything the steps do to the world, injected: the real implementation wraps AWS SDK v3
 * clients (aws-ports.ts), tests pass recording functions.
 */
export interface MigrationPorts {
  /** Problems found by the preflight checks (empty: all good). */
  readonly preflight: () => Promise<string[]>;
  /** Deploys the environment's app through the deploy driver; returns its flat outputs. */
  readonly deploy: (terraformVariables: Readonly<Record<string, string>>, log: (line: string) => void) => Promise<Readonly<Record<string, unknown>>>;
  /** Flat outputs of the last deploy (`<stack>_<output>`). */
  readonly outputs: () => Readonly<Record<string, unknown>>;
  readonly legacy: {
    /** Creates the logical replication slot (or finds it) and returns its LSN. */
    readonly createReplicationSlot: (db: LegacyDatabaseConfig, slot: string) => Promise<{ lsn: string; created: boolean }>;
    readonly dropReplicationSlot: (db: LegacyDatabaseConfig, slot: string) => Promise<boolean>;
    readonly describeSnapshot: (identifier: string) => Promise<SnapshotState | undefined>;
    readonly createSnapshot: (db: LegacyDatabaseConfig) => Promise<void>;
  };
  /** Writes the DMS endpoint secrets ({username,password,host,port}) for one database. */
  readonly fillReplicationSecrets: (database: DatabaseConfig, legacy: LegacyDatabaseConfig, outputs: Readonly<Record<string, unknown>>) => Promise<void>;
  readonly dms: {
    readonly start: (taskArn: string, cdcStartPosition: string) => Promise<void>;
    readonly stop: (taskArn: string) => Promise<void>;
    readonly describe: (taskArn: string) => Promise<ReplicationTaskState>;
    /** Latest CDCLatencySource / CDCLatencyTarget (seconds), undefined when no datapoint yet. */
    readonly latency: (taskArn: string) => Promise<{ source?: number; target?: number }>;
  };
  /** States of the environment's alarms. */
  readonly alarms: () => Promise<readonly AlarmState[]>;
  /** UPSERTs the weights of the `legacy` and `migrated` records of one name. */
  readonly setWeights: (record: WeightedRecord, weights: { legacy: number; migrated: number }) => Promise<void>;
  /** Runs the data-integrity verifier; `ok` false fails the step. */
  readonly verify: (database: DatabaseConfig, log: (line: string) => void) => Promise<{ ok: boolean; summary: string }>;
}

export interface StepOptions {
  /** Wait with the alarm gate after each traffic shift, seconds. @default 900 in production, 300 otherwise */
  readonly shiftWaitSeconds?: number;
  /** How often alarms and CDC latency are polled, seconds. @default 30 */
  readonly pollSeconds?: number;
  /** CDC counts as caught up when both latencies stay at or below this, seconds. @default 30 */
  readonly catchUpLatencySeconds?: number;
  /** Consecutive polls under the threshold needed. @default 3 */
  readonly catchUpSamples?: number;
  /** Give up catching up after this many minutes. @default 240 */
  readonly catchUpTimeoutMinutes?: number;
  /** Wait for a snapshot or a task state at most this many minutes. @default 240 */
  readonly waitTimeoutMinutes?: number;
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

/** Same rule as libs/data CdcReplication: `<qualifier>_<name>_dms`. */
export const slotNameOf = (environment: EnvironmentContext, database: DatabaseConfig): string =>
  `${environment.naming.qualifier}_${database.name}_dms`.replace(/-/g, '_');

/** Output keys the steps read, as the stacks declare them (data-stack.ts, cutover-stack.ts). */
export const outputKeys = {
  taskArn: (env: EnvironmentContext, db: DatabaseConfig) => `${env.naming.stack('data')}_${db.name.replace(/-/g, '_')}_dms_task_arn`,
  hostedZoneId: (env: EnvironmentContext) => `${env.naming.stack('cutover')}_hosted_zone_id`,
  recordName: (env: EnvironmentContext, service: ServiceConfig) => `${env.naming.stack('cutover')}_${service.name.replace(/-/g, '_')}_record_name`,
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

/**
 * The migration of one environment as ordered, recorded, reversible steps. The same list
 * drives the runner, its --dry-run and the generated docs/migration-plan.md.
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
  const catchUpSeconds = options.catchUpLatencySeconds ?? 30;
  const catchUpSamples = options.catchUpSamples ?? 3;
  const catchUpTimeoutMs = (options.catchUpTimeoutMinutes ?? 240) * 60_000;
  const waitTimeoutMs = (options.waitTimeoutMinutes ?? 240) * 60_000;
  const env = environment.naming.qualifier;
  const region = environment.region;
  const databases = migratedDatabases(organisation);
  const services = organisation.services;
  const app = environment.name;

  const records = (): WeightedRecord[] => {
    const outputs = ports.outputs();
    const hostedZoneId = requireOutput(outputs, outputKeys.hostedZoneId(environment));
    return services.map((service) => ({
      service: service.name,
      hostedZoneId,
      recordName: requireOutput(outputs, outputKeys.recordName(environment, service)),
    }));
  };
  const recordCommands = (legacy: number, migrated: number): string[] =>
    services.map(
      (service) =>
        `aws route53 change-resource-record-sets --hosted-zone-id <${outputKeys.hostedZoneId(environment)}> ` +
        `# UPSERT ${service.hostname}.${environment.domainName}: legacy=${legacy}, migrated=${migrated}`,
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

  for (const { database, legacy } of databases) {
    const slot = slotNameOf(environment, database);
    steps.push(
      {
        id: `cdc-position-${database.name}`,
        phase: 'data',
        title: `record the CDC start position of ${legacy.instanceIdentifier}: create logical replication slot ${slot}`,
        commands: [`psql <legacy ${legacy.databaseName}> -c "SELECT lsn FROM pg_create_logical_replication_slot('${slot}', 'test_decoding')"`],
        run: async (context) => {
          const { lsn, created } = await ports.legacy.createReplicationSlot(legacy, slot);
          context.progress(`${created ? 'created' : 'found'} slot ${slot} at ${lsn}`);
          return { slot, lsn, recordedAt: new Date().toISOString() };
        },
        rollback: {
          title: `drop replication slot ${slot} on the legacy database (so it stops retaining WAL)`,
          commands: [`psql <legacy ${legacy.databaseName}> -c "SELECT pg_drop_replication_slot('${slot}')"`],
          run: async (context) => {
            const dropped = await ports.legacy.dropReplicationSlot(legacy, slot);
            context.progress(dropped ? `dropped ${slot}` : `${slot} was already gone`);
          },
        },
      },
      {
        id: `snapshot-${database.name}`,
        phase: 'data',
        title: `take snapshot ${legacy.snapshotIdentifier} of ${legacy.instanceIdentifier} (after the LSN, so CDC misses nothing)`,
        commands: [
          `aws rds create-db-snapshot --db-instance-identifier ${legacy.instanceIdentifier} --db-snapshot-identifier ${legacy.snapshotIdentifier}`,
          `aws rds wait db-snapshot-available --db-snapshot-identifier ${legacy.snapshotIdentifier}`,
        ],
        run: async (context) => {
          const recordedAt = new Date(context.outputsOf(`cdc-position-${database.name}`)['recordedAt']);
          const existing = await ports.legacy.describeSnapshot(legacy.snapshotIdentifier);
          if (existing?.createdAt && existing.createdAt < recordedAt) {
            throw new Error(
              `snapshot ${legacy.snapshotIdentifier} was taken at ${existing.createdAt.toISOString()}, before the CDC position was recorded ` +
                `(${recordedAt.toISOString()}): changes in between would be lost. Delete it (aws rds delete-db-snapshot) and resume`,
            );
          }
          if (!existing) await ports.legacy.createSnapshot(legacy);
          const done = await waitFor<SnapshotState>(context, `snapshot ${legacy.snapshotIdentifier}`, pollMs, waitTimeoutMs, async () => {
            const state = await ports.legacy.describeSnapshot(legacy.snapshotIdentifier);
            if (state?.status === 'available') return { done: state };
            if (state && ['failed', 'deleted', 'deleting'].includes(state.status)) throw new Error(`snapshot ${legacy.snapshotIdentifier} is ${state.status}`);
            return { progress: `snapshot ${legacy.snapshotIdentifier}: ${state?.status ?? 'not visible yet'}, ${state?.percentProgress ?? 0}%` };
          });
          if (!done.encrypted) throw new Error(`snapshot ${legacy.snapshotIdentifier} is not encrypted; the migration only moves encrypted data`);
          return { snapshot: legacy.snapshotIdentifier, createdAt: done.createdAt?.toISOString() ?? '' };
        },
      },
    );
  }

  steps.push({
    id: 'deploy',
    phase: 'deploy',
    title: `deploy ${app} through the deploy driver: network, peering, data (share copy → target copy → restore, CDC task stopped), app, observability, cutover (weights 100/0)`,
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

  for (const { database, legacy } of databases) {
    const taskArn = () => requireOutput(ports.outputs(), outputKeys.taskArn(environment, database));
    steps.push(
      {
        id: `cdc-secrets-${database.name}`,
        phase: 'cdc',
        title: `fill the DMS endpoint secrets of ${database.name} (legacy ${legacy.secretName} → source, new master secret → target)`,
        commands: [
          `aws secretsmanager put-secret-value --secret-id <${env}-data_${database.name}_dms_source_secret_arn> --secret-string '{username,password,host,port}'`,
          `aws secretsmanager put-secret-value --secret-id <${env}-data_${database.name}_dms_target_secret_arn> --secret-string '{username,password,host,port}'`,
        ],
        run: async () => {
          await ports.fillReplicationSecrets(database, legacy, ports.outputs());
          return { filled: 'source,target' };
        },
      },
      {
        id: `cdc-start-${database.name}`,
        phase: 'cdc',
        title: `start CDC of ${database.name} at the recorded LSN`,
        commands: [
          `aws dms start-replication-task --replication-task-arn <${outputKeys.taskArn(environment, database)}> --start-replication-task-type start-replication --cdc-start-position <lsn>`,
          `aws dms wait replication-task-running --filters Name=replication-task-arn,Values=<arn>`,
        ],
        run: async (context) => {
          const arn = taskArn();
          const lsn = context.outputsOf(`cdc-position-${database.name}`)['lsn'];
          const current = await ports.dms.describe(arn);
          if (current.status !== 'running' && current.status !== 'starting') await ports.dms.start(arn, lsn);
          await waitFor(context, `DMS task ${arn} to run`, pollMs, waitTimeoutMs, async () => {
            const state = await ports.dms.describe(arn);
            if (state.status === 'running') return { done: state };
            if (['failed', 'stopped'].includes(state.status)) throw new Error(`DMS task ${arn} is ${state.status}: ${state.stopReason ?? 'no reason given'}`);
            return { progress: `task ${state.status}` };
          });
          return { taskArn: arn, startPosition: lsn };
        },
        rollback: {
          title: `stop the CDC task of ${database.name}`,
          commands: [`aws dms stop-replication-task --replication-task-arn <${outputKeys.taskArn(environment, database)}>`],
          run: async (context) => {
            const arn = taskArn();
            const state = await ports.dms.describe(arn);
            if (state.status === 'running' || state.status === 'starting') await ports.dms.stop(arn);
            await waitFor(context, `DMS task ${arn} to stop`, pollMs, waitTimeoutMs, async () => {
              const now = await ports.dms.describe(arn);
              return ['stopped', 'ready', 'failed'].includes(now.status) ? { done: now } : { progress: `task ${now.status}` };
            });
          },
        },
      },
      {
        id: `cdc-catch-up-${database.name}`,
        phase: 'cdc',
        title: `wait until CDC of ${database.name} has caught up (CDCLatencySource and CDCLatencyTarget <= ${catchUpSeconds} s, ${catchUpSamples} polls in a row)`,
        commands: [
          `aws cloudwatch get-metric-statistics --namespace AWS/DMS --metric-name CDCLatencySource --dimensions Name=ReplicationInstanceIdentifier,Value=<instance> Name=ReplicationTaskIdentifier,Value=<task>`,
          `aws cloudwatch get-metric-statistics --namespace AWS/DMS --metric-name CDCLatencyTarget ...`,
        ],
        run: async (context) => {
          const arn = taskArn();
          let streak = 0;
          const latency = await waitFor<{ source: number; target: number }>(context, `CDC of ${database.name} to catch up`, pollMs, catchUpTimeoutMs, async () => {
            const state = await ports.dms.describe(arn);
            if (state.status !== 'running') throw new Error(`DMS task ${arn} is ${state.status}: ${state.stopReason ?? 'no reason given'}`);
            const { source, target } = await ports.dms.latency(arn);
            const caughtUp = source !== undefined && target !== undefined && source <= catchUpSeconds && target <= catchUpSeconds;
            streak = caughtUp ? streak + 1 : 0;
            if (streak >= catchUpSamples && source !== undefined && target !== undefined) return { done: { source, target } };
            return { progress: `latency source ${source ?? '-'} s, target ${target ?? '-'} s (${streak}/${catchUpSamples} under ${catchUpSeconds} s)` };
          });
          return { latencySource: String(latency.source), latencyTarget: String(latency.target) };
        },
      },
      {
        id: `verify-${database.name}`,
        phase: 'verify',
        title: `verify ${database.name}: row counts and checksums, legacy against migrated (tools/verify-data)`,
        commands: [
          `npx nx run verify-data:verify -- --source $LEGACY_${database.name.toUpperCase().replace(/-/g, '_')}_DATABASE_URL --target <postgres://master secret@${env}-data_${database.name}_endpoint>`,
        ],
        run: async (context) => {
          const result = await ports.verify(database, context.log);
          if (!result.ok) throw new Error(`data verification of ${database.name} failed: ${result.summary}`);
          return { summary: result.summary };
        },
      },
    );
  }

  let previous = 0;
  for (const share of TRAFFIC_STEPS) {
    const legacyWeight = 100 - share;
    const from = previous;
    steps.push({
      id: `traffic-${share}`,
      phase: 'cutover',
      title: `alarm gate, then shift ${share}% of traffic to the new environment (was ${from}%), then watch alarms for ${shiftWaitMs / 1000} s`,
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

  steps.push({
    id: 'finalize',
    phase: 'finalize',
    title: 'stop CDC and drop the replication slots: the legacy databases are no longer written to and can be decommissioned',
    commands: databases.flatMap(({ database, legacy }) => [
      `aws dms stop-replication-task --replication-task-arn <${outputKeys.taskArn(environment, database)}>`,
      `psql <legacy ${legacy.databaseName}> -c "SELECT pg_drop_replication_slot('${slotNameOf(environment, database)}')"`,
    ]),
    pointOfNoReturn:
      'CDC is stopped, so the legacy databases no longer receive the changes made since; routing traffic back would lose them. Fix forward, or follow "After finalize" in docs/runbook.md',
    run: async (context): Promise<StepOutputs> => {
      await alarmGate(ports, context, 'before finalizing');
      for (const { database, legacy } of databases) {
        const arn = requireOutput(ports.outputs(), outputKeys.taskArn(environment, database));
        const state = await ports.dms.describe(arn);
        if (state.status === 'running' || state.status === 'starting') await ports.dms.stop(arn);
        await ports.legacy.dropReplicationSlot(legacy, slotNameOf(environment, database));
        context.progress(`${database.name}: CDC stopped, slot dropped`);
      }
      return { finalizedAt: new Date().toISOString(), region };
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
    preflight: refuse, deploy: refuse, outputs: refuse, fillReplicationSecrets: refuse, alarms: refuse, setWeights: refuse, verify: refuse,
    legacy: { createReplicationSlot: refuse, dropReplicationSlot: refuse, describeSnapshot: refuse, createSnapshot: refuse },
    dms: { start: refuse, stop: refuse, describe: refuse, latency: refuse },
  };
}
