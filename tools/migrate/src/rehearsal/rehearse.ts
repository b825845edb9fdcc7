/**
 * The cutover rehearsal: the runner's real engine, steps and ledger (DynamoDB Local) drive a
 * PostgreSQL → PostgreSQL migration between two real servers on loopback (legacy with
 * wal_level = logical, and the new one), through the local adapter for the AWS ports, while
 * a load generator writes transfers through the weighted router for the whole run. Then a
 * second run rolls back after the switch, through reverse replication. The last line printed:
 *
 *   rehearsal: <A> writes acknowledged, <L> lost, <D> duplicated, invariant <ok|BROKEN>, freeze <F> ms, rollback <R> lost
 *
 *   npx nx run migrate:rehearse [-- --rows N --rate N --accounts N --fault kill-after-freeze]
 *
 * Exit code 0 when nothing was lost or duplicated and the invariant held in both runs, 1 otherwise, 2 on bad flags.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Client } from 'pg';
import { minimist } from 'zx';
import { exampleOrganisationInput, Organisation } from '@estate/config';
import { createLedgerTable, startLocalDynamo, startPostgres, type LocalDynamo, type PostgresServer } from '@estate/testing';
import { rollbackMigration, runMigration, type MigrationStep } from '../engine';
import { Ledger } from '../ledger';
import { buildMigrationSteps, migratedDatabases, replicationRoleName, type AlarmState, type DatabaseSide, type StepOptions } from '../steps';
import { checkLedger, LEDGER_SCHEMA, LoadGenerator, seedSql, type LedgerCheck } from './load';
import { localPorts } from './local-ports';
import { WeightedRouter } from './router';

export interface RehearsalOptions {
  /** Historical transfers seeded before the migration starts. @default 5000 */
  readonly rows?: number;
  /** Writes per second during the whole run. @default 50 */
  readonly ratePerSecond?: number;
  /** @default 50 */
  readonly accounts?: number;
  /** Kill the runner between freeze and switch, then resume (a new runner, after the lease expired). */
  readonly fault?: 'kill-after-freeze';
  /** Seconds of writes after the switch before checking (and, in the second run, before rolling back). @default 2 */
  readonly afterSwitchSeconds?: number;
  /** Skip the second (rollback) run. @default false */
  readonly skipRollback?: boolean;
  /** @default console.log */
  readonly log?: (line: string) => void;
}

export interface RunFigures {
  readonly check: LedgerCheck;
  readonly freezeMs: number;
  readonly verifyRows: number;
  readonly verifyMs: number;
  readonly failedWrites: number;
  readonly seconds: number;
  readonly ledger: readonly { stepId: string; status: string }[];
}

export interface RehearsalResult {
  readonly cutover: RunFigures;
  readonly rollback?: RunFigures;
  readonly line: string;
  readonly ok: boolean;
}

const LEASE_MS = 30_000;
/** What a client sees while its role is frozen: a read-only transaction, or its session ended. */
const EXPECTED_DURING_FREEZE = /read-only transaction|terminating connection due to administrator command|Connection terminated|connection.*(closed|ended)|Client has encountered a connection error/i;

/** The organisation the rehearsal migrates: the example, with its ledger database on logical replication. */
export function rehearsalOrganisation(): Organisation {
  const input = exampleOrganisationInput() as unknown as { databases: Record<string, unknown>[]; legacy: { databases: Record<string, unknown>[] } };
  input.databases = input.databases.map((d) => ({ ...d, cdcEngine: 'logical' }));
  input.legacy.databases = input.legacy.databases.map((d) => ({ ...d, appRole: 'app' }));
  return Organisation.fromInput(input as never);
}

async function exec(url: string, statements: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A killable DynamoDB client: once killed, every call fails as in a dead process. */
function killable(client: DynamoDBClient) {
  let dead = false;
  return {
    client: { send: (command: never) => (dead ? Promise.reject(new Error('runner killed')) : client.send(command)) } as unknown as DynamoDBClient,
    kill: () => {
      dead = true;
    },
  };
}

class RunnerKilled extends Error {}

async function oneRun(
  dynamo: LocalDynamo,
  table: string,
  mode: 'cutover' | 'rollback',
  options: RehearsalOptions,
  log: (line: string) => void,
): Promise<RunFigures> {
  const started = Date.now();
  const rows = options.rows ?? 5000;
  const accounts = options.accounts ?? 50;
  const servers: PostgresServer[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'estate-rehearsal-'));
  let load: LoadGenerator | undefined;
  try {
    const organisation = rehearsalOrganisation();
    const environment = organisation.environment('dev');
    // The replication logins must authenticate with their passwords (SCRAM), as on RDS.
    const passwordRoles = migratedDatabases(organisation).map((db) => replicationRoleName(environment, db));
    const legacyServer = await startPostgres({ logical: true, passwordRoles });
    servers.push(legacyServer);
    const newServer = await startPostgres({ logical: true, passwordRoles });
    servers.push(newServer);
    const legacyUrl = await legacyServer.createDatabase('ledger');
    const migratedUrl = await newServer.createDatabase('ledger');
    // Roles are cluster-wide: an RDS snapshot carries them, a database dump does not.
    for (const url of [legacyServer.url(), newServer.url()]) await exec(url, ['CREATE ROLE app LOGIN']);
    await exec(legacyUrl, [LEDGER_SCHEMA, ...seedSql(accounts, rows), 'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO app', 'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app', 'ANALYZE']);
    log(`${mode}: legacy PostgreSQL ${legacyServer.version} on 127.0.0.1:${legacyServer.port} (${rows} transfers, ${accounts} accounts), new on 127.0.0.1:${newServer.port}`);

    const router = new WeightedRouter();
    const appUrl = (url: string) => url.replace('postgres://postgres@', 'postgres://app@');
    const unexpected: { at: number; message: string }[] = [];
    load = new LoadGenerator({
      urls: { legacy: appUrl(legacyUrl), migrated: appUrl(migratedUrl) },
      router,
      accounts,
      ratePerSecond: options.ratePerSecond ?? 50,
      // Refusals of the freeze are expected (the client sees an error, nothing is written);
      // anything else is the application failing: the alarm the gates watch.
      onError: (error) => {
        if (!EXPECTED_DURING_FREEZE.test(error.message)) unexpected.push({ at: Date.now(), message: error.message });
      },
    });
    const generator = load;
    const alarms = (): AlarmState[] => {
      const recent = unexpected.filter((e) => Date.now() - e.at < 10_000);
      return [{ name: `${environment.naming.prefix}api-errors`, state: recent.length > 0 ? 'ALARM' : 'OK', reason: recent[0]?.message }];
    };
    const ports = localPorts({
      organisation,
      environment,
      databases: { ledger: { legacyUrl, migratedUrl } },
      bin: legacyServer.bin,
      workDir,
      router,
      alarms,
      drained: async (side: DatabaseSide) => {
        while (generator.pending(side) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    const stepOptions: StepOptions = { shiftWaitSeconds: 1, pollSeconds: 0.25, catchUpSamples: 2, rollbackWindowMinutes: 0, freezeBudgetSeconds: 30, drainPollMs: 20 };
    const build = () => buildMigrationSteps(organisation, environment, ports, stepOptions);
    const steps = build();
    const ledgerOf = (client: DynamoDBClient, clock?: () => number) => new Ledger({ client, tableName: table, environment: `rehearsal-${mode}-${started}`, clock });
    const quiet = (line: string) => log(`  ${line}`);
    load.start();

    const untilSwitch = mode === 'rollback' ? steps.filter((s) => s.id !== 'finalize') : steps;
    if (options.fault === 'kill-after-freeze') {
      const dying = killable(dynamo.client);
      const first = runMigration({
        ledger: ledgerOf(dying.client),
        steps: untilSwitch,
        owner: 'runner-1',
        operator: 'rehearsal',
        leaseMs: LEASE_MS,
        log: quiet,
        afterStep: (step: MigrationStep) => {
          if (step.id.startsWith('freeze-')) {
            dying.kill();
            throw new RunnerKilled(`runner killed after ${step.id}`);
          }
        },
      });
      await first.then(
        () => {
          throw new Error('the fault was not injected: the run finished');
        },
        (error: unknown) => {
          if (!(error instanceof RunnerKilled)) throw error;
          log(`  ✗ ${(error as Error).message}; legacy stays frozen, the lease stays held`);
        },
      );
      // A new runner process: fresh steps, a clock past the dead runner's lease.
      const resumed = mode === 'rollback' ? build().filter((s) => s.id !== 'finalize') : build();
      await runMigration({ ledger: ledgerOf(dynamo.client, () => Date.now() + LEASE_MS + 1000), steps: resumed, owner: 'runner-2', operator: 'rehearsal', resume: true, leaseMs: LEASE_MS, log: quiet });
    } else {
      await runMigration({ ledger: ledgerOf(dynamo.client), steps: untilSwitch, owner: 'runner-1', operator: 'rehearsal', leaseMs: LEASE_MS, log: quiet });
    }
    // Writes continue on the new database after the switch.
    await new Promise((resolve) => setTimeout(resolve, (options.afterSwitchSeconds ?? 2) * 1000));

    const ledger = ledgerOf(dynamo.client, options.fault ? () => Date.now() + LEASE_MS + 1000 : undefined);
    const switchRecord = (await ledger.steps()).find((r) => r.stepId === 'switch-ledger');
    const freezeMs = Number(switchRecord?.outputs['freezeMs'] ?? NaN);
    const verifyRows = Number(switchRecord?.outputs['verifiedRows'] ?? 0);
    const verifyMs = Number(switchRecord?.outputs['verifyMs'] ?? 0);

    let checkUrl = migratedUrl;
    if (mode === 'rollback') {
      await rollbackMigration({ ledger, steps: build(), owner: 'runner-3', operator: 'rehearsal', leaseMs: LEASE_MS, log: quiet });
      // Writes go on against legacy after the rollback.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      checkUrl = legacyUrl;
    }
    await load.stop();
    for (const { message } of unexpected) log(`  unexpected error: ${message}`);
    const client = new Client({ connectionString: checkUrl });
    await client.connect();
    const check = await checkLedger(async (sql) => (await client.query(sql)).rows, load.acknowledged, accounts).finally(() => client.end());
    const bySide = (side: DatabaseSide) => load?.acknowledged.filter((a) => a.side === side).length ?? 0;
    log(
      `${mode}: ${check.acknowledged} acknowledged (${bySide('legacy')} on legacy, ${bySide('migrated')} on the new database), ${load.failed} refused during the freeze ` +
        `(${load.errorSummary() || 'none'}); checked on the ${mode === 'rollback' ? 'legacy' : 'new'} database: ${check.lost} lost, ${check.duplicated} duplicated` +
        `${check.problems.length ? `; ${check.problems.join('; ')}` : ''}`,
    );
    log(`${mode}: weights ${router.changes.join(' → ')}`);
    return {
      check,
      freezeMs,
      verifyRows,
      verifyMs,
      failedWrites: load.failed,
      seconds: (Date.now() - started) / 1000,
      ledger: (await ledger.steps()).map((r) => ({ stepId: r.stepId, status: r.status })),
    };
  } finally {
    await load?.close().catch(() => undefined);
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

export function rehearsalLine(cutover: RunFigures, rollback?: RunFigures): string {
  const invariant = cutover.check.invariant && (rollback?.check.invariant ?? true);
  const rollbackLost = rollback ? String(rollback.check.lost + rollback.check.duplicated) : 'n/a';
  return (
    `rehearsal: ${cutover.check.acknowledged} writes acknowledged, ${cutover.check.lost} lost, ${cutover.check.duplicated} duplicated, ` +
    `invariant ${invariant ? 'ok' : 'BROKEN'}, freeze ${Number.isFinite(cutover.freezeMs) ? cutover.freezeMs : '?'} ms, rollback ${rollbackLost} lost`
  );
}

export async function runRehearsal(options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dynamo = await startLocalDynamo();
  try {
    const table = 'ops-migration-ledger';
    await createLedgerTable(dynamo.client, table);
    const cutover = await oneRun(dynamo, table, 'cutover', options, log);
    const rollback = options.skipRollback ? undefined : await oneRun(dynamo, table, 'rollback', options, log);
    const line = rehearsalLine(cutover, rollback);
    const ok =
      cutover.check.lost === 0 && cutover.check.duplicated === 0 && cutover.check.invariant && (!rollback || (rollback.check.lost === 0 && rollback.check.duplicated === 0 && rollback.check.invariant));
    return { cutover, rollback, line, ok };
  } finally {
    await dynamo.stop();
  }
}

const USAGE = 'usage: rehearse.ts [--rows N] [--rate N] [--accounts N] [--after-switch-seconds N] [--fault kill-after-freeze] [--no-rollback]';

function parse(argv: string[]): RehearsalOptions | 'help' {
  const args = minimist(argv, { string: ['rows', 'rate', 'accounts', 'fault', 'after-switch-seconds'], boolean: ['help', 'rollback'], default: { rollback: true } });
  if (args['help']) return 'help';
  const known = new Set(['_', 'rows', 'rate', 'accounts', 'fault', 'after-switch-seconds', 'help', 'rollback']);
  const unknown = Object.keys(args).filter((k) => !known.has(k));
  if (unknown.length > 0 || (args._ as unknown[]).length > 0) throw new Error(`unknown ${unknown.length ? `flag(s) ${unknown.map((k) => `--${k}`).join(', ')}` : `argument ${(args._ as unknown[]).join(' ')}`}\n${USAGE}`);
  const int = (name: string, min: number, max: number): number | undefined => {
    if (args[name] === undefined) return undefined;
    const value = Number(args[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} ${args[name]}: expected a whole number ${min}..${max}\n${USAGE}`);
    return value;
  };
  if (args['fault'] !== undefined && args['fault'] !== 'kill-after-freeze') throw new Error(`--fault ${args['fault']}: expected kill-after-freeze\n${USAGE}`);
  return {
    rows: int('rows', 0, 100_000_000),
    ratePerSecond: int('rate', 1, 5000),
    accounts: int('accounts', 2, 1_000_000),
    afterSwitchSeconds: int('after-switch-seconds', 0, 3600),
    fault: args['fault'] as RehearsalOptions['fault'],
    skipRollback: args['rollback'] === false,
  };
}

if (require.main === module) {
  (async () => {
    let options: RehearsalOptions | 'help';
    try {
      options = parse(process.argv.slice(2));
    } catch (error) {
      console.error((error as Error).message);
      process.exitCode = 2;
      return;
    }
    if (options === 'help') {
      console.log(USAGE);
      return;
    }
    const result = await runRehearsal(options);
    const { cutover } = result;
    console.log(
      `figures: ${options.rows ?? 5000} rows, ${options.ratePerSecond ?? 50} writes/s; verify ${cutover.verifyRows} rows in ${cutover.verifyMs} ms` +
        `${cutover.verifyMs > 0 ? ` (${Math.round((cutover.verifyRows * 1000) / cutover.verifyMs)} rows/s)` : ''}; cutover run ${cutover.seconds.toFixed(1)} s` +
        `${result.rollback ? `, rollback run ${result.rollback.seconds.toFixed(1)} s (rollback freeze ${result.rollback.freezeMs} ms)` : ''}`,
    );
    console.log(result.line);
    process.exitCode = result.ok ? 0 : 1;
  })().catch((error: unknown) => {
    console.error((error as Error).stack ?? String(error));
    process.exitCode = 1;
  });
}
