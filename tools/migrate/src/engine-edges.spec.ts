import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoForSpec } from '@estate/testing';
import { describeSteps, MigrationInterruptedError, rollbackMigration, runMigration, StepFailedError, type EngineOptions, type MigrationStep, type StepContext } from './engine';
import { intervalTicker, StopRequestedError, stopReason, type Ticker } from './lease';
import { Ledger, LeaseLostError } from './ledger';

// The engine's edges: what it logs and records at each transition, the outputs it hands on,
// the plan text, the checks before it runs, the default clock and log, and the lease session's
// heartbeat. On DynamoDB Local.

const TABLE = 'ops-migration-ledger';
const LEASE_MS = 60_000;
const START = Date.parse('2026-03-01T10:00:00Z');
const dynamo = localDynamoForSpec(TABLE);
let now = START;
const clock = () => now;


let envCounter = 0;
const freshEnvironment = () => `engine-edges${++envCounter}`;
const ledgerFor = (environment: string, client: DynamoDBClient = dynamo.client) =>
  new Ledger({ client, tableName: TABLE, environment, clock, monotonic: clock, sleep: async (ms) => void (now += ms) });

/** A heartbeat that never fires by itself, recording the interval it was asked for. */
function idleTicker() {
  const intervals: number[] = [];
  const ticker: Ticker = { every: (ms) => (intervals.push(ms), () => undefined) };
  return { ticker, intervals };
}

function options(environment: string, steps: MigrationStep[], extra: Partial<EngineOptions> = {}) {
  const lines: string[] = [];
  const base: EngineOptions = {
    ledger: ledgerFor(environment),
    steps,
    owner: 'runner-a',
    operator: 'alice',
    leaseMs: LEASE_MS,
    log: (line) => lines.push(line),
    sleep: async () => undefined,
    ticker: idleTicker().ticker,
    ...extra,
  };
  return { options: base, lines };
}

const step = (id: string, run: (context: StepContext) => Promise<Record<string, string> | void>, extra: Partial<MigrationStep> = {}): MigrationStep => ({
  id,
  phase: 'data',
  title: `title ${id}`,
  commands: [],
  run,
  ...extra,
});

/** A ledger client that fails every call: a check that must come before the ledger is touched. */
const unreachable = { send: () => Promise.reject(new Error('the ledger was reached')) } as unknown as DynamoDBClient;

describe('errors', () => {
  it('say where the run stopped, or that it never held the lease', () => {
    const before = new MigrationInterruptedError('dev', 'SIGINT', [], undefined);
    expect([before.name, before.message, before.leaseReleased]).toEqual([
      'MigrationInterruptedError',
      "dev: stopped at a safe point (SIGINT) after 0 step(s) of this run while waiting for another runner's lease; nothing ran and this runner held no lease",
      false,
    ]);
    expect(new MigrationInterruptedError('dev', 'SIGINT', ['a'], { position: 2, stepId: 'b', state: 'not-started' }).message).toBe(
      'dev: stopped at a safe point (SIGINT) after 1 step(s) of this run; step 2 (b) was not started',
    );
    expect(new MigrationInterruptedError('dev', 'SIGTERM', [], { position: 2, stepId: 'b', state: 'interrupted' }).message).toBe(
      'dev: stopped at a safe point (SIGTERM) after 0 step(s) of this run; step 2 (b) was interrupted at a wait and is recorded interrupted',
    );
    const failed = new StepFailedError('b', 'a string');
    expect([failed.name, failed.message, failed.cause]).toEqual(['StepFailedError', 'step b failed: a string', 'a string']);
    const stop = new StopRequestedError('SIGINT');
    expect([stop.name, stop.message, stop.reason]).toEqual(['StopRequestedError', 'stop requested (SIGINT)', 'SIGINT']);
  });

  it.each([
    ['SIGINT', 'SIGINT'],
    ['', 'interrupted'],
    [42, 'interrupted'],
  ])('names a stop with reason %j as %j', (reason, word) => {
    const controller = new AbortController();
    controller.abort(reason);
    expect(stopReason(controller.signal)).toBe(word);
  });
});

describe('checks before the ledger is touched', () => {
  const twice = [step('a', async () => undefined), step('b', async () => undefined), step('a', async () => undefined)];

  it.each([
    ['run', runMigration],
    ['rollback', rollbackMigration],
  ] as const)('%s refuses a plan with a duplicate step id', async (_name, run) => {
    const { options: o } = options(freshEnvironment(), twice, { ledger: ledgerFor('x', unreachable) });
    await expect(run(o)).rejects.toThrow(new Error("duplicate step id 'a' in the migration plan"));
  });

  it('describeSteps refuses it too', () => {
    expect(() => describeSteps(twice)).toThrow(new Error("duplicate step id 'a' in the migration plan"));
  });
});

describe('a run, line by line', () => {
  it('logs each step, hands outputs on within the run and to a later one, records a failure and starts it again as attempt 2', async () => {
    const environment = freshEnvironment();
    let failC = true;
    const seen: Record<string, unknown> = {};
    const steps = [
      step('a', async () => ({ k: 'v', n: '2' })),
      step('b', async (context) => {
        context.progress('half');
        seen['a'] = context.outputsOf('a');
        seen['attempt'] = context.attempt;
      }),
      step('c', async (context) => {
        expect(() => context.outputsOf('nope')).toThrow(new Error('outputs of step nope are needed, but it has not completed'));
        if (failC) throw new Error('boom');
        // Its own failed record of the last run holds no outputs to hand on.
        expect(() => context.outputsOf('c')).toThrow(new Error('outputs of step c are needed, but it has not completed'));
        seen['c'] = [context.outputsOf('a'), context.outputsOf('b'), context.attempt];
      }),
    ];
    const first = options(environment, steps);
    const failure = await runMigration(first.options).catch((e: unknown) => e);
    expect(failure).toEqual(new StepFailedError('c', new Error('boom')));
    expect(failure).not.toHaveProperty('leaseReleased');
    expect(first.lines).toEqual(['▶ 1. a: title a', '✓ 1. a: done (k=v, n=2)', '▶ 2. b: title b', '  … b: half', '✓ 2. b: done', '▶ 3. c: title c', '✗ 3. c failed: boom']);
    expect(seen).toEqual({ a: { k: 'v', n: '2' }, attempt: 1 });
    expect((await ledgerFor(environment).steps()).map((r) => [r.stepId, r.status, r.error])).toEqual([
      ['a', 'completed', undefined],
      ['b', 'completed', undefined],
      ['c', 'failed', 'boom'],
    ]);

    failC = false;
    now += 5000;
    const second = options(environment, steps, { resume: true });
    expect(await runMigration(second.options)).toEqual({ ran: ['c'], skipped: ['a', 'b'] });
    expect(second.lines[0]).toMatch(/^✓ 1\. a: completed \d{4}-\d\d-\d\dT[\d:.]+Z \(attempt 1\); skipping$/);
    expect(second.lines.slice(1)).toEqual([expect.stringMatching(/^✓ 2\. b: completed .* \(attempt 1\); skipping$/), '▶ 3. c: title c (attempt 2)', '✓ 3. c: done']);
    expect(seen['c']).toEqual([{ k: 'v', n: '2' }, {}, 2]);
  });

  it('records a step that fails after a stop was asked for as interrupted, not failed', async () => {
    const environment = freshEnvironment();
    const controller = new AbortController();
    const { options: o, lines } = options(
      environment,
      [
        step('a', async () => {
          controller.abort('SIGTERM');
          throw new Error('connection closed by the stop');
        }),
      ],
      { signal: controller.signal },
    );
    const failure = (await runMigration(o).catch((e: unknown) => e)) as MigrationInterruptedError;
    expect(failure).toBeInstanceOf(MigrationInterruptedError);
    expect(failure.stoppedAt).toEqual({ position: 1, stepId: 'a', state: 'interrupted', recorded: 'interrupted' });
    expect(lines).toEqual(['▶ 1. a: title a', '■ 1. a: interrupted (SIGTERM)']);
    expect((await ledgerFor(environment).steps())[0]).toMatchObject({ status: 'interrupted', error: 'interrupted (SIGTERM) at a wait; run again with --resume to start it as attempt 2' });
  });

  it("waits with the sleep it is given", async () => {
    const waits: number[] = [];
    const { options: o } = options(freshEnvironment(), [step('a', async (context) => context.sleep(12_345))], { sleep: async (ms) => void waits.push(ms) });
    await runMigration(o);
    expect(waits).toEqual([12_345]);
  });

  it('records what a step threw when it is not an Error', async () => {
    const environment = freshEnvironment();
    const { options: o } = options(environment, [
      step('a', async () => {
        throw 'disk full';
      }),
    ]);
    await expect(runMigration(o)).rejects.toEqual(new StepFailedError('a', 'disk full'));
    expect((await ledgerFor(environment).steps())[0]).toMatchObject({ status: 'failed', error: 'disk full' });
  });

  it('needs no --resume over a ledger whose steps were all rolled back', async () => {
    const environment = freshEnvironment();
    const steps = [step('a', async () => undefined, { rollback: { title: 'undo a', commands: [], run: async () => undefined } })];
    await runMigration(options(environment, steps).options);
    await rollbackMigration(options(environment, steps).options);
    expect(await runMigration(options(environment, steps).options)).toEqual({ ran: ['a'], skipped: [] });
  });

  it.each(['rolling-back', 'rollback-failed'])('refuses to migrate while a step is %s', async (status) => {
    const environment = freshEnvironment();
    const steps = [
      step('a', async () => undefined),
      step('b', async () => undefined, {
        rollback: {
          title: 'undo b',
          commands: [],
          run: async () => {
            throw new Error('stuck');
          },
        },
      }),
    ];
    await runMigration(options(environment, steps).options);
    await expect(rollbackMigration(options(environment, steps).options)).rejects.toEqual(new StepFailedError('b (rollback)', new Error('stuck')));
    if (status === 'rolling-back') {
      const ledger = ledgerFor(environment);
      await ledger.acquireLease('runner-z', 'zed', LEASE_MS);
      await ledger.beginRollback('runner-z', { position: 2, stepId: 'b', phase: 'data', title: 'title b' });
      await ledger.releaseLease('runner-z');
    }
    expect((await ledgerFor(environment).steps())[1].status).toBe(status);
    await expect(runMigration(options(environment, steps, { resume: true }).options)).rejects.toThrow(
      new Error(`step b is ${status}: finish \`rollback\` before migrating again`),
    );
  });

  it('passes on a lost lease a step body throws, recording nothing', async () => {
    const environment = freshEnvironment();
    const lost = new LeaseLostError(environment, 'runner-a', 'test');
    const { options: o } = options(environment, [
      step('a', async () => {
        throw lost;
      }),
    ]);
    await expect(runMigration(o)).rejects.toBe(lost);
    expect((await ledgerFor(environment).steps())[0].status).toBe('running');
  });
});

describe('a rollback, line by line', () => {
  it('undoes in reverse, logging each undo and its progress, and marks steps without an undo', async () => {
    const environment = freshEnvironment();
    const steps = [
      step('a', async () => undefined),
      step('b', async () => ({ arn: 'x' }), {
        rollback: {
          title: 'undo b',
          commands: [],
          run: async (context) => {
            context.progress('dropping');
            expect(context.outputsOf('b')).toEqual({ arn: 'x' });
            expect(context.attempt).toBe(1);
          },
        },
      }),
      step('c', async () => undefined),
    ];
    await runMigration(options(environment, steps.slice(0, 2)).options);
    const { options: o, lines } = options(environment, steps);
    expect(await rollbackMigration(o)).toEqual({ undone: ['b'], noOp: ['a'] });
    expect(lines).toEqual(['↺ 2. b: undo b', '  … b (rollback): dropping', '↺ 1. a: nothing to undo']);
    expect((await ledgerFor(environment).steps()).map((r) => [r.stepId, r.status, r.rollbackNote])).toEqual([
      ['a', 'rolled-back', 'nothing to undo'],
      ['b', 'rolled-back', 'undo b'],
    ]);
    // A second rollback has nothing left to do.
    const again = options(environment, steps);
    expect(await rollbackMigration(again.options)).toEqual({ undone: [], noOp: [] });
    expect(again.lines).toEqual([]);
  });

  it('refuses a ledger that records steps the plan does not have', async () => {
    const environment = freshEnvironment();
    await runMigration(options(environment, [step('old-1', async () => undefined), step('old-2', async () => undefined), step('a', async () => undefined)]).options);
    await expect(rollbackMigration(options(environment, [step('a', async () => undefined)]).options)).rejects.toThrow(
      new Error('the ledger records steps this plan does not have (old-1, old-2); roll back with the plan that ran them'),
    );
  });

  it('rolls back a plan whose point of no return has not completed', async () => {
    const environment = freshEnvironment();
    const steps = [step('a', async () => undefined), step('finalize', async () => undefined, { pointOfNoReturn: 'no way back' })];
    await runMigration(options(environment, steps.slice(0, 1)).options);
    expect(await rollbackMigration(options(environment, steps).options)).toEqual({ undone: [], noOp: ['a'] });
  });

  it('stops before the next undo when asked to, saying which step was not started', async () => {
    const environment = freshEnvironment();
    const steps = [step('a', async () => undefined), step('b', async () => undefined)];
    await runMigration(options(environment, steps).options);
    const controller = new AbortController();
    controller.abort('SIGINT');
    const failure = (await rollbackMigration(options(environment, steps, { signal: controller.signal }).options).catch((e: unknown) => e)) as MigrationInterruptedError;
    expect(failure).toBeInstanceOf(MigrationInterruptedError);
    expect([failure.message, failure.leaseReleased]).toEqual([`${environment}: stopped at a safe point (SIGINT) after 0 step(s) of this run; step 2 (b) was not started`, true]);
    expect(failure.stoppedAt).toEqual({ position: 2, stepId: 'b', state: 'not-started' });
  });

  it('counts the undos done before a stop', async () => {
    const environment = freshEnvironment();
    const controller = new AbortController();
    const undo = (id: string) => ({ title: `undo ${id}`, commands: [], run: async () => void (id === 'c' && controller.abort('SIGINT')) });
    const steps = [step('a', async () => undefined, { rollback: undo('a') }), step('b', async () => undefined), step('c', async () => undefined, { rollback: undo('c') })];
    await runMigration(options(environment, steps).options);
    const failure = (await rollbackMigration(options(environment, steps, { signal: controller.signal }).options).catch((e: unknown) => e)) as MigrationInterruptedError;
    expect(failure.completed).toEqual(['c']);
    expect(failure.stoppedAt).toEqual({ position: 2, stepId: 'b', state: 'not-started' });
  });

  it('passes on a lost lease an undo throws', async () => {
    const environment = freshEnvironment();
    const lost = new LeaseLostError(environment, 'runner-a', 'test');
    const steps = [
      step('a', async () => undefined, {
        rollback: {
          title: 'undo a',
          commands: [],
          run: async () => {
            throw lost;
          },
        },
      }),
    ];
    await runMigration(options(environment, steps).options);
    await expect(rollbackMigration(options(environment, steps).options)).rejects.toBe(lost);
    expect((await ledgerFor(environment).steps())[0].status).toBe('rolling-back');
  });
});

describe('the lease around a run', () => {
  it('warns when it cannot release the lease, and an interrupted run says it was not released', async () => {
    const environment = freshEnvironment();
    const ledger = ledgerFor(environment);
    Object.assign(ledger, { releaseLease: () => Promise.reject(new Error('network down')) });
    const controller = new AbortController();
    const { options: o, lines } = options(environment, [step('a', async () => void controller.abort('SIGINT')), step('b', async () => undefined)], { ledger, signal: controller.signal });
    const failure = (await runMigration(o).catch((e: unknown) => e)) as MigrationInterruptedError;
    expect(failure).toBeInstanceOf(MigrationInterruptedError);
    expect(failure.leaseReleased).toBe(false);
    expect(lines.at(-1)).toBe(
      'warning: could not release the lease (network down); another runner can take it over once it has stayed unrenewed for its whole duration',
    );
    // A finished run warns the same way and still returns its result.
    const done = options(freshEnvironment(), [step('a', async () => undefined)]);
    Object.assign(done.options.ledger, { releaseLease: () => Promise.reject(new Error('network down')) });
    expect(await runMigration(done.options)).toEqual({ ran: ['a'], skipped: [] });
    expect(done.lines.at(-1)).toMatch(/^warning: could not release the lease \(network down\)/);
  });

  it('beats every third of the lease', async () => {
    const heartbeat = idleTicker();
    await runMigration(options(freshEnvironment(), [step('a', async () => undefined)], { ticker: heartbeat.ticker, leaseMs: 90_000 }).options);
    expect(heartbeat.intervals).toEqual([30_000]);
  });

  it('intervalTicker ticks until stopped', async () => {
    let ticks = 0;
    const stop = intervalTicker.every(5, async () => void ticks++);
    await new Promise((resolve) => setTimeout(resolve, 60));
    stop();
    const seen = ticks;
    expect(seen).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ticks).toBe(seen);
  });
});

describe('defaults', () => {
  it('logs to the console and waits with a real timer when no log or sleep is given', async () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const environment = freshEnvironment();
      let waited = -1;
      const { options: o } = options(environment, [
        step('a', async (context) => {
          const started = Date.now();
          await context.sleep(40);
          waited = Date.now() - started;
        }),
      ]);
      await runMigration({ ...o, log: undefined, sleep: undefined });
      expect(waited).toBeGreaterThanOrEqual(30);
      expect(spy.mock.calls.map((c) => c[0])).toEqual(['▶ 1. a: title a', '✓ 1. a: done']);
      spy.mockClear();
      await rollbackMigration({ ...o, log: undefined, sleep: undefined });
      expect(spy.mock.calls.map((c) => c[0])).toEqual(['↺ 1. a: nothing to undo']);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('describeSteps', () => {
  it('lists each phase once, every step with its commands, undo and ledger state', () => {
    const steps: MigrationStep[] = [
      { id: 'a', phase: 'preflight', title: 'check', commands: ['aws sts get-caller-identity'], run: async () => undefined },
      { id: 'b', phase: 'data', title: 'copy', commands: ['one', 'two'], rollback: { title: 'drop', commands: ['drop it'], run: async () => undefined }, run: async () => undefined },
      { id: 'c', phase: 'data', title: 'more', commands: [], rollback: { title: 'nothing', commands: [], run: async () => undefined }, run: async () => undefined },
      { id: 'd', phase: 'finalize', title: 'end', commands: [], run: async () => undefined },
    ];
    const records = [{ stepId: 'b', status: 'failed' }] as unknown as Parameters<typeof describeSteps>[1];
    expect(describeSteps(steps, records)).toEqual([
      '',
      '## preflight',
      '1. a: check',
      '     $ aws sts get-caller-identity',
      '',
      '## data',
      '2. b: copy [ledger: failed]',
      '     $ one',
      '     $ two',
      '   rollback: drop',
      '     $ drop it',
      '3. c: more',
      '   rollback: nothing',
      '',
      '## finalize',
      '4. d: end',
    ]);
    expect(describeSteps([])).toEqual([]);
  });
});
