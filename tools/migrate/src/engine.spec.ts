import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoForSpec } from '@estate/testing';
import { MigrationInterruptedError, rollbackMigration, runMigration, StepFailedError, type EngineOptions, type MigrationStep } from './engine';
import type { Ticker } from './lease';
import { Ledger, LeaseHeldError, LeaseLostError } from './ledger';

const TABLE = 'ops-migration-ledger';
const LEASE_MS = 60_000;
const dynamo = localDynamoForSpec(TABLE);
let now = Date.parse('2026-03-01T10:00:00Z');
const clock = () => now;
/** A runner's wait for another's lease lets virtual time pass. */
const advance = async (ms: number) => void (now += ms);
const noSleep = async () => undefined;
const quiet = () => undefined;


let envCounter = 0;
/** A fresh environment key per test, so tests share the table but not state. */
const freshEnvironment = () => `test${++envCounter}`;

const ledgerFor = (environment: string, client: DynamoDBClient = dynamo.client, sleep = advance) =>
  new Ledger({ client, tableName: TABLE, environment, clock, monotonic: clock, sleep });

/** A heartbeat timer the test fires by hand (the real one would not fire within a test's real milliseconds). */
function manualTicker() {
  const ticks: (() => Promise<void>)[] = [];
  const ticker: Ticker = {
    every: (_ms, tick) => {
      ticks.push(tick);
      return () => void ticks.splice(ticks.indexOf(tick), 1);
    },
  };
  return { ticker, fire: () => Promise.all(ticks.map((tick) => tick())), active: () => ticks.length };
}

/** Stub steps that count how often their body ran. */
function countingSteps(ids: readonly string[], counts: Map<string, number>, delayMs = 0): MigrationStep[] {
  return ids.map((id) => ({
    id,
    phase: 'data',
    title: `stub ${id}`,
    commands: [],
    run: async () => {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { ran: id };
    },
  }));
}

class Killed extends Error {}

/** A client that stops reaching DynamoDB once `kill()` is called, as a killed process would. */
function killableClient() {
  let dead = false;
  const client = { send: (command: never) => (dead ? Promise.reject(new Error('process was killed')) : dynamo.client.send(command)) } as unknown as DynamoDBClient;
  return { client, kill: () => (dead = true) };
}

describe('migration engine on DynamoDB Local', () => {
  const ids = ['preflight', 'snapshot', 'deploy', 'cdc-start', 'traffic-25'];

  it.each(ids.map((id, index) => [index + 1, id]))('resumes a run killed after step %i (%s) without repeating a step', async (killedAfter) => {
    const environment = freshEnvironment();
    const counts = new Map<string, number>();
    const steps = countingSteps(ids, counts);
    const first = killableClient();
    let completed = 0;
    await expect(
      runMigration({
        ledger: ledgerFor(environment, first.client),
        steps,
        owner: 'runner-a',
        operator: 'alice',
        leaseMs: LEASE_MS,
        log: quiet,
        sleep: noSleep,
        afterStep: () => {
          if (++completed === killedAfter) {
            first.kill();
            throw new Killed('SIGKILL');
          }
        },
      }),
    ).rejects.toBeInstanceOf(Killed);

    // The dead run still holds the lease: a runner that does not watch it for a whole lease gets nothing.
    const resume = { ledger: ledgerFor(environment), steps, owner: 'runner-b', operator: 'bob', leaseMs: LEASE_MS, log: quiet, sleep: noSleep, resume: true };
    await expect(runMigration({ ...resume, leasePatienceMs: LEASE_MS / 2 })).rejects.toBeInstanceOf(LeaseHeldError);
    // A second run without --resume takes the silent lease over, then refuses to start over a ledger with history.
    const started = now;
    await expect(runMigration({ ...resume, resume: false })).rejects.toThrow(
      new RegExp(`^the ledger of ${environment} already records ${killedAfter} step\\(s\\) \\(last: ${ids[killedAfter - 1]}, completed\\); continue with --resume, or undo them with \`rollback\`$`),
    );
    expect(now - started).toBe(LEASE_MS);

    const result = await runMigration(resume);
    expect(result.skipped).toEqual(ids.slice(0, killedAfter));
    expect(result.ran).toEqual(ids.slice(killedAfter));
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    const records = await ledgerFor(environment).steps();
    expect(records.map((r) => [r.stepId, r.status, r.attempt])).toEqual(ids.map((id) => [id, 'completed', 1]));
    expect(records.map((r) => r.operator)).toEqual(ids.map((_, i) => (i < killedAfter ? 'alice' : 'bob')));
    expect(await ledgerFor(environment).readLease()).toBeUndefined();
  });

  it('lets exactly one of two racing runners proceed', async () => {
    const environment = freshEnvironment();
    const counts = new Map<string, number>();
    const steps = countingSteps(['a', 'b', 'c'], counts, 300);
    // Real time here: the loser looks at the lease every 10 ms and sees the winner's step transitions renew it.
    const realLedger = () => new Ledger({ client: dynamo.client, tableName: TABLE, environment });
    const run = (owner: string) =>
      runMigration({ ledger: realLedger(), steps, owner, operator: owner, leaseMs: LEASE_MS, leasePollMs: 10, log: quiet, sleep: noSleep });
    const results = await Promise.allSettled([run('runner-1'), run('runner-2')]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(LeaseHeldError);
    expect((rejected[0].reason as Error).message).toMatch(/^test\d+ is locked by runner-\d \(runner-\d\), lease 60 s, last renewed .* by its clock; it is alive: it renewed its lease while this runner watched\./);
    expect(Object.fromEntries(counts)).toEqual({ a: 1, b: 1, c: 1 });
  });

  // The migration steps' own behaviour (alarm gate, rollback order, guards) is tested in steps.spec.ts.
  it('refuses to roll back once finalize has completed', async () => {
    const environment = freshEnvironment();
    const steps: MigrationStep[] = [
      ...countingSteps(['deploy'], new Map()),
      { id: 'finalize', phase: 'finalize', title: 'finalize', commands: [], pointOfNoReturn: 'CDC is stopped', run: async () => undefined },
    ];
    const options = { ledger: ledgerFor(environment), steps, owner: 'r', operator: 'alice', leaseMs: LEASE_MS, log: quiet, sleep: noSleep };
    await runMigration(options);
    await expect(rollbackMigration(options)).rejects.toThrow(/finalize has completed.*CDC is stopped/);
    expect((await ledgerFor(environment).steps()).map((r) => r.status)).toEqual(['completed', 'completed']);
  });
});

describe('engine lease and stop handling on DynamoDB Local', () => {
  const base = (environment: string, extra: Partial<EngineOptions> = {}): EngineOptions => ({
    ledger: ledgerFor(environment),
    steps: [],
    owner: 'runner-a',
    operator: 'alice',
    leaseMs: LEASE_MS,
    log: quiet,
    sleep: noSleep,
    ...extra,
  });

  it('keeps the lease across many steps each far shorter than a third of it, while a second runner keeps trying', async () => {
    const environment = freshEnvironment();
    const counts = new Map<string, number>();
    const ids = Array.from({ length: 16 }, (_, i) => `s${i + 1}`);
    // Each step takes a quarter of the lease of virtual time: four steps outlast the lease.
    const steps: MigrationStep[] = ids.map((id) => ({
      id,
      phase: 'data',
      title: id,
      commands: [],
      run: async () => {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        now += LEASE_MS / 4;
        return undefined;
      },
    }));
    const heartbeat = manualTicker(); // never fired: only the step transitions renew
    const intruder: unknown[] = [];
    const result = await runMigration(
      base(environment, {
        steps,
        ticker: heartbeat.ticker,
        afterStep: async () => {
          // After every step, another runner watches the lease for half of it (virtual time passes) and must give up.
          intruder.push(
            await runMigration({ ...base(environment), steps, owner: 'runner-b', operator: 'bob', resume: true, leasePatienceMs: LEASE_MS / 2 }).catch((e: unknown) => e),
          );
        },
      }),
    );
    expect(result.ran).toEqual(ids);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    expect(intruder).toHaveLength(16);
    for (const failure of intruder) {
      expect(failure).toBeInstanceOf(LeaseHeldError);
      expect((failure as LeaseHeldError).lease?.owner).toBe('runner-a');
    }
    const records = await ledgerFor(environment).steps();
    expect(records.map((r) => `${r.stepId}:${r.status}:${r.owner}:${r.attempt}`)).toEqual(ids.map((id) => `${id}:completed:runner-a:1`));
    expect(await ledgerFor(environment).readLease()).toBeUndefined();
    expect(heartbeat.active()).toBe(0);
  });

  it('keeps the lease through one step longer than the lease with its heartbeat, while another runner watches and gives up', async () => {
    const environment = freshEnvironment();
    const heartbeat = manualTicker();
    let watcher: unknown;
    const steps: MigrationStep[] = [
      {
        id: 'snapshot',
        phase: 'data',
        title: 'a long wait',
        commands: [],
        run: async (context) => {
          for (let i = 0; i < 12; i++) {
            now += LEASE_MS / 4;
            await heartbeat.fire();
            await context.sleep(1);
          }
          // Waiting for another runner's lease lets time pass; the holder's heartbeat timer fires meanwhile.
          const b = ledgerFor(environment, dynamo.client, async (ms) => {
            now += ms;
            await heartbeat.fire();
          });
          watcher = await b.acquireLease('runner-b', 'bob', LEASE_MS).catch((e: unknown) => e);
          return { copied: '100%' };
        },
      },
    ];
    const result = await runMigration(base(environment, { steps, ticker: heartbeat.ticker }));
    expect(result.ran).toEqual(['snapshot']);
    expect(watcher).toBeInstanceOf(LeaseHeldError);
    expect((watcher as LeaseHeldError).detail).toBe('it is alive: it renewed its lease while this runner watched');
    expect((await ledgerFor(environment).steps())[0]).toMatchObject({ status: 'completed', owner: 'runner-a', outputs: { copied: '100%' } });
  });

  it('notices a lease taken over during a step at the next heartbeat: the wait rejects, nothing more is recorded or run', async () => {
    const environment = freshEnvironment();
    const heartbeat = manualTicker();
    const counts = new Map<string, number>();
    const steps: MigrationStep[] = [
      ...countingSteps(['preflight'], counts),
      {
        id: 'deploy',
        phase: 'deploy',
        title: 'deploy',
        commands: [],
        run: async (context) => {
          // Someone forces the lock open and another runner takes it.
          await dynamo.client.send(
            new PutItemCommand({
              TableName: TABLE,
              Item: {
                pk: { S: `ENV#${environment}` },
                sk: { S: 'LOCK' },
                owner: { S: 'usurper' },
                operator: { S: 'mallory' },
                version: { S: 'u1' },
                leaseMs: { N: '60000' },
                expiresAt: { N: '1' },
              },
            }),
          );
          await heartbeat.fire();
          await context.sleep(30_000);
          counts.set('deploy-after-wait', 1);
          return undefined;
        },
      },
      ...countingSteps(['cdc-start'], counts),
    ];
    const failure = await runMigration(base(environment, { steps, ticker: heartbeat.ticker })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LeaseLostError);
    expect((failure as Error).message).toBe(
      `runner-a lost the lease on ${environment} (taken over: the lock no longer carries the version this runner wrote); stopping without recording anything further`,
    );
    expect(Object.fromEntries(counts)).toEqual({ preflight: 1 });
    const records = await ledgerFor(environment).steps();
    expect(records.map((r) => [r.stepId, r.status, r.owner])).toEqual([
      ['preflight', 'completed', 'runner-a'],
      ['deploy', 'running', 'runner-a'],
    ]);
    expect((await ledgerFor(environment).readLease())?.owner).toBe('usurper');
  });

  it('notices a lease it could not renew within its duration, even with no heartbeat and nobody taking over', async () => {
    const environment = freshEnvironment();
    const heartbeat = manualTicker();
    const steps: MigrationStep[] = [
      {
        id: 'deploy',
        phase: 'deploy',
        title: 'deploy',
        commands: [],
        run: async (context) => {
          now += LEASE_MS; // paused (laptop asleep, long GC) for a whole lease
          await context.sleep(1);
          return undefined;
        },
      },
    ];
    const failure = await runMigration(base(environment, { steps, ticker: heartbeat.ticker })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LeaseLostError);
    expect((failure as Error).message).toBe(`runner-a lost the lease on ${environment} (not renewed within its 60 s lease); stopping without recording anything further`);
    expect((await ledgerFor(environment).steps())[0].status).toBe('running');
  });

  it('notices a lost lease after a step body that never waited, before recording it completed', async () => {
    const environment = freshEnvironment();
    const steps: MigrationStep[] = [{ id: 'deploy', phase: 'deploy', title: 'deploy', commands: [], run: async () => void (now += LEASE_MS) }];
    await expect(runMigration(base(environment, { steps, ticker: manualTicker().ticker }))).rejects.toThrow(
      `runner-a lost the lease on ${environment} (not renewed within its 60 s lease)`,
    );
    expect((await ledgerFor(environment).steps())[0].status).toBe('running');
  });

  it('retries a heartbeat that fails for a transient reason and says so', async () => {
    const environment = freshEnvironment();
    const heartbeat = manualTicker();
    const lines: string[] = [];
    let failNext = false;
    const flaky = {
      send: (command: never) => (failNext ? ((failNext = false), Promise.reject(new Error('socket hang up'))) : dynamo.client.send(command)),
    } as unknown as DynamoDBClient;
    const steps: MigrationStep[] = [
      {
        id: 'deploy',
        phase: 'deploy',
        title: 'deploy',
        commands: [],
        run: async (context) => {
          failNext = true;
          await heartbeat.fire();
          await context.sleep(1);
          await heartbeat.fire();
          return undefined;
        },
      },
    ];
    await runMigration({ ...base(environment, { steps, ticker: heartbeat.ticker, log: (l) => lines.push(l) }), ledger: ledgerFor(environment, flaky) });
    expect(lines).toContain('warning: lease renewal failed (socket hang up); retrying in 20 s');
    expect((await ledgerFor(environment).steps())[0].status).toBe('completed');
  });

  it('stops between steps on a stop request: the lease is released and --resume continues with the next step', async () => {
    const environment = freshEnvironment();
    const counts = new Map<string, number>();
    const stop = new AbortController();
    const steps = countingSteps(['preflight', 'snapshot', 'deploy', 'cdc-start'], counts);
    const options = base(environment, {
      steps,
      signal: stop.signal,
      afterStep: (step) => {
        if (step.id === 'snapshot') stop.abort('SIGINT');
      },
    });
    const failure = await runMigration(options).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MigrationInterruptedError);
    expect((failure as Error).message).toBe(`${environment}: stopped at a safe point (SIGINT) after 2 step(s) of this run; step 3 (deploy) was not started`);
    expect(failure).toMatchObject({ reason: 'SIGINT', completed: ['preflight', 'snapshot'], stoppedAt: { position: 3, stepId: 'deploy', state: 'not-started' }, leaseReleased: true });
    expect(await ledgerFor(environment).readLock()).toEqual({ kind: 'free' });
    expect((await ledgerFor(environment).steps()).map((r) => [r.stepId, r.status])).toEqual([
      ['preflight', 'completed'],
      ['snapshot', 'completed'],
    ]);

    const resumed = await runMigration({ ...base(environment), steps, owner: 'runner-b', resume: true });
    expect(resumed).toEqual({ ran: ['deploy', 'cdc-start'], skipped: ['preflight', 'snapshot'] });
    expect(Object.fromEntries(counts)).toEqual({ preflight: 1, snapshot: 1, deploy: 1, 'cdc-start': 1 });
  });

  it('stops a step at its wait on a stop request: recorded interrupted, lease released, resumed as attempt 2', async () => {
    const environment = freshEnvironment();
    const stop = new AbortController();
    let waitedThrough = 0;
    const steps: MigrationStep[] = [
      ...countingSteps(['preflight'], new Map()),
      {
        id: 'traffic-25',
        phase: 'cutover',
        title: 'shift 25%',
        commands: [],
        run: async (context) => {
          if (context.attempt === 1) {
            stop.abort('SIGINT');
            expect(context.signal?.aborted).toBe(true);
          }
          await context.sleep(900_000);
          waitedThrough++;
          return { attempt: String(context.attempt) };
        },
      },
    ];
    const failure = await runMigration(base(environment, { steps, signal: stop.signal, sleep: () => new Promise<void>(() => undefined) })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MigrationInterruptedError);
    expect((failure as Error).message).toBe(
      `${environment}: stopped at a safe point (SIGINT) after 1 step(s) of this run; step 2 (traffic-25) was interrupted at a wait and is recorded interrupted`,
    );
    expect((failure as MigrationInterruptedError).leaseReleased).toBe(true);
    expect(waitedThrough).toBe(0);
    const [, record] = await ledgerFor(environment).steps();
    expect(record).toMatchObject({ status: 'interrupted', attempt: 1, error: 'interrupted (SIGINT) at a wait; run again with --resume to start it as attempt 2', finishedAt: new Date(now).toISOString() });
    expect(await ledgerFor(environment).readLock()).toEqual({ kind: 'free' });

    const resumed = await runMigration({ ...base(environment), steps, resume: true });
    expect(resumed.ran).toEqual(['traffic-25']);
    expect((await ledgerFor(environment).steps())[1]).toMatchObject({ status: 'completed', attempt: 2, outputs: { attempt: '2' } });
  });

  it('interrupts a wait that is already under way when the stop arrives', async () => {
    const environment = freshEnvironment();
    const stop = new AbortController();
    const steps: MigrationStep[] = [
      {
        id: 'cdc-catch-up',
        phase: 'cdc',
        title: 'catch up',
        commands: [],
        run: async (context) => {
          setTimeout(() => stop.abort('SIGTERM'), 5);
          await context.sleep(3_600_000);
          return undefined;
        },
      },
    ];
    const never = () => new Promise<void>(() => undefined);
    await expect(runMigration(base(environment, { steps, signal: stop.signal, sleep: never }))).rejects.toThrow(
      `${environment}: stopped at a safe point (SIGTERM) after 0 step(s) of this run; step 1 (cdc-catch-up) was interrupted at a wait and is recorded interrupted`,
    );
  });

  it('finishes a step whose body ignores the stop, then stops before the next one', async () => {
    const environment = freshEnvironment();
    const stop = new AbortController();
    const steps: MigrationStep[] = [
      { id: 'deploy', phase: 'deploy', title: 'deploy', commands: [], run: async () => (stop.abort(), { stacks: '6' }) },
      ...countingSteps(['cdc-start'], new Map()),
    ];
    const failure = await runMigration(base(environment, { steps, signal: stop.signal })).catch((e: unknown) => e);
    expect((failure as Error).message).toBe(`${environment}: stopped at a safe point (interrupted) after 1 step(s) of this run; step 2 (cdc-start) was not started`);
    expect((await ledgerFor(environment).steps()).map((r) => r.status)).toEqual(['completed']);
  });

  it('stops a rollback at an undo\'s wait: recorded rollback-failed with the reason, and rollback continues it', async () => {
    const environment = freshEnvironment();
    const stop = new AbortController();
    const undone: string[] = [];
    const undoable = (id: string): MigrationStep => ({
      id,
      phase: 'cutover',
      title: id,
      commands: [],
      run: async () => undefined,
      rollback: {
        title: `undo ${id}`,
        commands: [],
        run: async (context) => {
          if (id === 'traffic-25' && !stop.signal.aborted && undone.length === 1) stop.abort('SIGINT');
          await context.sleep(1000);
          undone.push(id);
        },
      },
    });
    const steps = [undoable('cdc-start'), undoable('traffic-25'), undoable('traffic-50')];
    await runMigration(base(environment, { steps }));
    const failure = await rollbackMigration(base(environment, { steps, signal: stop.signal })).catch((e: unknown) => e);
    expect((failure as Error).message).toBe(
      `${environment}: stopped at a safe point (SIGINT) after 1 step(s) of this run; step 2 (traffic-25) was interrupted at a wait and is recorded rollback-failed`,
    );
    expect((await ledgerFor(environment).steps()).map((r) => [r.stepId, r.status, r.error ?? ''])).toEqual([
      ['cdc-start', 'completed', ''],
      ['traffic-25', 'rollback-failed', 'interrupted (SIGINT) at a wait; run rollback again to continue'],
      ['traffic-50', 'rolled-back', ''],
    ]);
    await expect(runMigration({ ...base(environment), steps, resume: true })).rejects.toThrow('step traffic-25 is rollback-failed: finish `rollback` before migrating again');
    const result = await rollbackMigration(base(environment, { steps }));
    expect(result.undone).toEqual(['traffic-25', 'cdc-start']);
    expect(undone).toEqual(['traffic-50', 'traffic-25', 'cdc-start']);
  });

  it('records a failed undo as rollback-failed with its error, and a later rollback retries it', async () => {
    const environment = freshEnvironment();
    let broken = true;
    const steps: MigrationStep[] = [
      {
        id: 'cdc-start',
        phase: 'cdc',
        title: 'start CDC',
        commands: [],
        run: async () => undefined,
        rollback: {
          title: 'stop CDC',
          commands: [],
          run: async () => {
            if (broken) throw new Error('AccessDeniedException: dms:StopReplicationTask');
          },
        },
      },
    ];
    await runMigration(base(environment, { steps }));
    const failure = await rollbackMigration(base(environment, { steps })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailedError);
    expect((failure as Error).message).toBe('step cdc-start (rollback) failed: AccessDeniedException: dms:StopReplicationTask');
    expect((await ledgerFor(environment).steps())[0]).toMatchObject({ status: 'rollback-failed', error: 'AccessDeniedException: dms:StopReplicationTask' });
    broken = false;
    expect(await rollbackMigration(base(environment, { steps }))).toEqual({ undone: ['cdc-start'], noOp: [] });
    expect((await ledgerFor(environment).steps())[0]).toMatchObject({ status: 'rolled-back', rollbackNote: 'stop CDC' });
  });

  it('stops waiting for another runner\'s lease on a stop request, touching nothing', async () => {
    const environment = freshEnvironment();
    const holder = ledgerFor(environment);
    await holder.acquireLease('runner-a', 'alice', LEASE_MS);
    const stop = new AbortController();
    const counts = new Map<string, number>();
    const waits: string[] = [];
    const waiting = ledgerFor(environment, dynamo.client, async (ms) => {
      now += ms;
      stop.abort('SIGINT');
    });
    const failure = await runMigration({
      ...base(environment),
      ledger: waiting,
      steps: countingSteps(['preflight'], counts),
      owner: 'runner-b',
      signal: stop.signal,
      onLeaseWait: (m) => waits.push(m),
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MigrationInterruptedError);
    expect(failure).toMatchObject({ reason: 'SIGINT', completed: [], stoppedAt: undefined, leaseReleased: true });
    expect((failure as Error).message).toBe(
      `${environment}: stopped at a safe point (SIGINT) after 0 step(s) of this run while waiting for another runner's lease; nothing ran and this runner held no lease`,
    );
    expect(waits).toHaveLength(1);
    expect(counts.size).toBe(0);
    expect((await holder.readLease())?.owner).toBe('runner-a');
    // Without the engine, the ledger says why it gave up.
    await expect(ledgerFor(environment).acquireLease('runner-c', 'carol', LEASE_MS, { signal: stop.signal })).rejects.toThrow(
      /; this runner stopped waiting \(SIGINT\)\. Wait for that run to finish/,
    );
  });
});
