/**
 * An in-memory world for the step logic of steps.ts: recording ports, a clock that moves only
 * when a step sleeps, and the SQL of postgres-sql.ts replaced by recorded calls with scripted
 * answers. The SQL itself is proven on real PostgreSQL (postgres-sql.spec.ts, steps.spec.ts);
 * here the point is what each step asks for, in which order, and what it makes of the answers.
 *
 * A spec uses it with
 *   jest.mock('./postgres-sql', () => jest.requireActual('./steps-test-support').fakePostgresSql());
 */
import { exampleOrganisationInput, Organisation, type EnvironmentContext } from '@estate/config';
import type { MigrationStep, StepContext, StepOutputs } from './engine';
import type * as PostgresSql from './postgres-sql';
import type { SlotState, SubscriptionOptions, SubscriptionState } from './postgres-sql';
import {
  buildMigrationSteps,
  outputKeys,
  type AlarmState,
  type CdcEngine,
  type DatabaseSide,
  type MigrationPorts,
  type ReplicationTaskState,
  type SnapshotState,
  type StepOptions,
} from './steps';

/** Answers of the faked SQL functions, per side; each test overrides what it needs. */
export interface SqlAnswers {
  resolveTables: (side: DatabaseSide, patterns: readonly string[]) => string[];
  slotState: (side: DatabaseSide, slot: string) => SlotState | undefined;
  dropSlot: (side: DatabaseSide, slot: string) => boolean;
  currentLsn: (side: DatabaseSide) => string;
  ensureSubscription: (side: DatabaseSide, options: SubscriptionOptions) => { created: boolean };
  subscriptionState: (side: DatabaseSide, name: string) => SubscriptionState | undefined;
  dropSubscription: (side: DatabaseSide, name: string, options: { keepSlot: boolean }) => boolean;
  freezeRole: (side: DatabaseSide, role: string) => number;
  roleFrozen: (side: DatabaseSide, role: string) => boolean;
  advanceSequences: (from: DatabaseSide, to: DatabaseSide, schemas: readonly string[]) => { sequence: string; value: bigint }[];
  ensureReplicationRole: (side: DatabaseSide, options: PostgresSql.ReplicationRoleOptions) => { created: boolean; grants: string[] };
  /** A statement a step runs itself (not through postgres-sql). */
  raw: (side: DatabaseSide, sql: string, values?: readonly unknown[]) => Record<string, unknown>[];
}

export interface World {
  /** Everything done, in order: port calls, SQL calls (`<side> <function> <args>`), sleeps. */
  readonly calls: string[];
  readonly progress: string[];
  readonly logs: string[];
  /** Milliseconds; moves only with `sleep` (and `tick`). */
  clock: number;
  readonly sessions: { opened: number; closed: number };
  outputs: Record<string, unknown>;
  readonly sql: SqlAnswers;
  /** Successive answers of the port calls; the last one repeats. */
  preflight: string[];
  snapshots: (SnapshotState | undefined)[];
  tasks: ReplicationTaskState[];
  alarms: AlarmState[][];
  verify: { ok: boolean; summary: string; rows?: number };
  replicationUser: { username: string; password: string };
  restoredPosition: string | undefined;
  slot: { lsn: string; created: boolean };
  /** Called after every recorded call (tests use it to move the clock inside a step). */
  onCall: (call: string) => void;
}

let current: World | undefined;
const world = (): World => {
  if (!current) throw new Error('no fake world: call newWorld() first');
  return current;
};

/** Successive answers: the next one each call, the last one repeating. */
function next<T>(answers: T[], what: string): T {
  if (answers.length === 0) throw new Error(`no answer scripted for ${what}`);
  return answers.length > 1 ? (answers.shift() as T) : answers[0];
}

const show = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function record(call: string): void {
  const w = world();
  w.calls.push(call);
  w.onCall(call);
}

const SIDE = Symbol('side');
type SideQuery = PostgresSql.Query & { [SIDE]: DatabaseSide };
const sideOf = (query: PostgresSql.Query): DatabaseSide => (query as SideQuery)[SIDE];

/** The module that replaces './postgres-sql': the pure helpers stay, every statement is recorded and answered by the world. */
export function fakePostgresSql(): typeof PostgresSql {
  const actual = jest.requireActual<typeof PostgresSql>('./postgres-sql');
  const call = (query: PostgresSql.Query, name: string, ...args: unknown[]) => record([sideOf(query), name, ...args.map(show)].join(' '));
  return {
    ...actual,
    resolveTables: async (query, patterns) => (call(query, 'resolveTables', patterns), world().sql.resolveTables(sideOf(query), patterns)),
    slotState: async (query, slot) => (call(query, 'slotState', slot), world().sql.slotState(sideOf(query), slot)),
    createSlot: async () => {
      throw new Error('steps create slots through ports.legacy.createSlot');
    },
    dropSlot: async (query, slot) => (call(query, 'dropSlot', slot), world().sql.dropSlot(sideOf(query), slot)),
    currentLsn: async (query) => (call(query, 'currentLsn'), world().sql.currentLsn(sideOf(query))),
    ensurePublication: async (query, publication, tables) => void call(query, 'ensurePublication', publication, tables),
    dropPublication: async (query, publication) => void call(query, 'dropPublication', publication),
    ensureSubscription: async (query, options) => (call(query, 'ensureSubscription', options), world().sql.ensureSubscription(sideOf(query), options)),
    subscriptionState: async (query, name) => (call(query, 'subscriptionState', name), world().sql.subscriptionState(sideOf(query), name)),
    dropSubscription: async (query, name, options) => (call(query, 'dropSubscription', name, options), world().sql.dropSubscription(sideOf(query), name, options)),
    freezeRole: async (query, role) => (call(query, 'freezeRole', role), world().sql.freezeRole(sideOf(query), role)),
    unfreezeRole: async (query, role) => void call(query, 'unfreezeRole', role),
    roleFrozen: async (query, role) => (call(query, 'roleFrozen', role), world().sql.roleFrozen(sideOf(query), role)),
    advanceSequences: async (from, to, schemas) => {
      record(`${sideOf(from)}->${sideOf(to)} advanceSequences ${show(schemas)}`);
      return world().sql.advanceSequences(sideOf(from), sideOf(to), schemas);
    },
    ensureReplicationRole: async (query, options) => (call(query, 'ensureReplicationRole', options), world().sql.ensureReplicationRole(sideOf(query), options)),
    dropReplicationRole: async (query, role) => (call(query, 'dropReplicationRole', role), true),
  };
}

export const TASK = 'arn:aws:dms:us-east-1:333333333333:task:LEDGER';

/** The example organisation, with every migrated database on one CDC engine. */
/* eslint-disable @typescript-eslint/no-explicit-any -- the raw config input, edited the way a user would write it */
export function organisationWith(engine: CdcEngine, edit: (input: Record<string, any>) => void = () => undefined): Organisation {
  const input = exampleOrganisationInput() as Record<string, any>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  input['databases'] = input['databases'].map((d: Record<string, unknown>) => ({ ...d, cdcEngine: engine }));
  edit(input);
  return Organisation.fromInput(input as never);
}

export function defaultOutputs(organisation: Organisation, environment: EnvironmentContext): Record<string, unknown> {
  return {
    [outputKeys.hostedZoneId(environment)]: 'Z123',
    [outputKeys.recordName(environment, organisation.services[0])]: 'api.dev.fintech.example.com',
    [outputKeys.healthCheckId(environment, organisation.services[0], 'legacy')]: 'hc-legacy',
    [outputKeys.healthCheckId(environment, organisation.services[0], 'migrated')]: 'hc-migrated',
    [outputKeys.taskArn(environment, organisation.databases[0])]: TASK,
  };
}

/** A fresh world (the faked SQL answers into it) with defaults under which every step succeeds. */
export function newWorld(): World {
  current = {
    calls: [],
    progress: [],
    logs: [],
    clock: 1_700_000_000_000,
    sessions: { opened: 0, closed: 0 },
    outputs: {},
    sql: {
      resolveTables: () => ['public.accounts', 'public.transfers'],
      slotState: (_side, slot) => ({ slot, plugin: 'pgoutput', active: false, confirmedFlushLsn: '0/3000000' }),
      dropSlot: () => true,
      currentLsn: () => '0/3000000',
      ensureSubscription: () => ({ created: true }),
      subscriptionState: () => ({ enabled: true, workerRunning: true }),
      dropSubscription: () => true,
      freezeRole: () => 2,
      roleFrozen: () => true,
      advanceSequences: () => [{ sequence: 'public.accounts_id_seq', value: 21n }],
      ensureReplicationRole: (side) => ({ created: true, grants: [`rds_replication@${side}`, 'SELECT ON public'] }),
      raw: () => [{ subslotname: 'reverse_slot' }],
    },
    preflight: [],
    snapshots: [undefined],
    tasks: [{ status: 'running' }],
    alarms: [[{ name: 'dev-api-5xx', state: 'OK' }]],
    verify: { ok: true, summary: '2 tables identical', rows: 20 },
    replicationUser: { username: 'estate_replication_dev_ledger', password: 'pw' },
    restoredPosition: undefined,
    slot: { lsn: '0/2000000', created: true },
    onCall: () => undefined,
  };
  return current;
}

/** Ports that record every call into the world and answer from it. */
export function recordingPorts(w: World): MigrationPorts {
  const r = (call: string) => record(call);
  return {
    preflight: async () => (r('preflight'), w.preflight),
    deploy: async (variables, log) => {
      r(`deploy ${show(variables)}`);
      log('deploy log line');
      return w.outputs;
    },
    outputs: () => w.outputs,
    sql: async (side) => {
      w.sessions.opened++;
      const query = Object.assign(async (sql: string, values?: readonly unknown[]) => (r(`${side} query ${sql} ${show(values)}`), w.sql.raw(side, sql, values)), {
        [SIDE]: side,
      });
      return { query, close: async () => void w.sessions.closed++ };
    },
    replicationConnection: async (publisher) => (r(`replicationConnection ${publisher}`), `host=${publisher}`),
    replicationUser: async (db) => (r(`replicationUser ${db.database.name}`), w.replicationUser),
    readSeed: async (file) => (r(`readSeed ${file}`), ''),
    legacy: {
      createSlot: async (db, slot, plugin) => (r(`createSlot ${db.database.name} ${slot} ${plugin}`), w.slot),
      describeSnapshot: async (identifier) => (r(`describeSnapshot ${identifier}`), next(w.snapshots, 'describeSnapshot')),
      createSnapshot: async (db, identifier) => void r(`createSnapshot ${db.instanceIdentifier} ${identifier}`),
    },
    restoredPosition: async (db) => (r(`restoredPosition ${db.database.name}`), w.restoredPosition),
    fillReplicationSecrets: async (database, legacy, outputs) => void r(`fillReplicationSecrets ${database.name} ${legacy.name} ${Object.keys(outputs).length} outputs`),
    dms: {
      start: async (arn, position) => void r(`dms start ${arn} ${position}`),
      stop: async (arn) => void r(`dms stop ${arn}`),
      describe: async (arn) => (r(`dms describe ${arn}`), next(w.tasks, 'dms describe')),
    },
    alarms: async () => (r('alarms'), next(w.alarms, 'alarms')),
    setWeights: async (record, weights) =>
      void r(`setWeights ${record.service} ${record.hostedZoneId} ${record.recordName} ${weights.legacy}/${weights.migrated} checks=${show(record.healthCheckIds ?? 'none')}`),
    removeLegacyRecord: async (record) => void r(`removeLegacyRecord ${record.service} ${record.hostedZoneId} ${record.recordName}`),
    verify: async (db, tables, log) => {
      r(`verify ${db.database.name} ${tables.join(',')}`);
      log('verify log line');
      return w.verify;
    },
    services: {
      pointAt: async (db, side, log) => {
        r(`pointAt ${db.database.name} ${side}`);
        log(`pointAt log line ${side}`);
      },
    },
  };
}

/** A step context over the world: sleeping moves its clock; outputs of earlier steps from `outputs`. */
export function contextOf(w: World, outputs: Record<string, StepOutputs> = {}, attempt = 1): StepContext {
  let sleeps = 0;
  return {
    log: (line) => void w.logs.push(line),
    progress: (message) => void w.progress.push(message),
    sleep: async (ms) => {
      // A step that never stops waiting would spin here without giving the test runner a turn.
      if (++sleeps > 1000) throw new Error(`more than 1000 sleeps: the step does not end (last ${ms} ms)`);
      record(`sleep ${ms}`);
      w.clock += ms;
    },
    outputsOf: (stepId) => {
      const found = outputs[stepId];
      if (!found) throw new Error(`step ${stepId} has not completed`);
      return found;
    },
    attempt,
  };
}

/** Steps of the dev environment over the world, with its clock. */
export function stepsOf(w: World, engine: CdcEngine, options: StepOptions = {}, environment: 'dev' | 'staging' | 'prod' = 'dev') {
  const organisation = organisationWith(engine);
  const env = organisation.environment(environment);
  w.outputs = defaultOutputs(organisation, env);
  const steps = buildMigrationSteps(organisation, env, recordingPorts(w), { now: () => w.clock, ...options });
  const step = (id: string): MigrationStep => {
    const found = steps.find((s) => s.id === id);
    if (!found) throw new Error(`no step ${id} in ${steps.map((s) => s.id).join(', ')}`);
    return found;
  };
  return { organisation, env, steps, step };
}

/** Outputs of the steps before the cutover, as the ledger would hand them on. */
export const earlierOutputs = (engine: CdcEngine, extra: Record<string, StepOutputs> = {}): Record<string, StepOutputs> => ({
  'cdc-position-ledger': { slot: 'dev_ledger_dms', lsn: '0/2000000', engine, tables: 'public.accounts,public.transfers', recordedAt: '2023-11-14T22:13:20.000Z' },
  ...extra,
});
