/**
 * The switch inside the write freeze, its rollback, and finalize, on an in-memory world: the
 * order of what is done to both databases, the freeze budget and where it is counted from,
 * and what each returns. (The same on two real PostgreSQL servers: steps.spec.ts.)
 */
import type { StepOutputs } from './engine';
import type { SubscriptionState } from './postgres-sql';
import { FreezeBudgetExceededError, type StepOptions } from './steps';
import { contextOf, earlierOutputs, newWorld, stepsOf, TASK, type World } from './steps-test-support';

jest.mock('./postgres-sql', () => jest.requireActual('./steps-test-support').fakePostgresSql());

const T0 = 1_700_000_000_000;
const iso = (ms: number) => new Date(ms).toISOString();
const REVERSE = 'estate_dev_ledger_reverse';
const TABLES = 'public.accounts,public.transfers';

let w: World;
/** The reverse subscription on legacy (absent until the switch creates it). */
let reverse: SubscriptionState | undefined;
beforeEach(() => {
  w = newWorld();
  reverse = undefined;
  w.sql.subscriptionState = (_side, name) => (name === REVERSE ? reverse : { enabled: true, workerRunning: true });
});
afterEach(() => {
  expect(w.sessions.closed).toBe(w.sessions.opened);
});

/** Runs the freeze of the same step list (as the runner does), then hands the switch its outputs; the record starts after the freeze. */
async function frozen(engine: 'dms' | 'logical', options: StepOptions = {}) {
  const { step } = stepsOf(w, engine, options);
  const outputs: Record<string, StepOutputs> = earlierOutputs(engine);
  outputs['freeze-ledger'] = (await step('freeze-ledger').run(contextOf(w, outputs))) as StepOutputs;
  w.calls.length = 0;
  w.progress.length = 0;
  // DMS: the task runs until the switch stops it.
  w.tasks = [{ status: 'running' }, { status: 'stopped' }];
  const switchStep = step('switch-ledger');
  return {
    outputs,
    step,
    run: (attempt = 1) => switchStep.run(contextOf(w, outputs, attempt)),
    undo: () => {
      if (!switchStep.rollback) throw new Error('no rollback');
      return switchStep.rollback.run(contextOf(w, outputs));
    },
  };
}

/** Moves the clock by `ms` whenever a call starting with `prefix` is made. */
const takes = (prefix: string, ms: number) => {
  w.onCall = (call) => {
    if (call.startsWith(prefix)) w.clock += ms;
  };
};

const budgetError = (elapsed: number, stage: string, budget = 30_000) =>
  new Error(`write freeze of ledger exceeded its budget (${elapsed} ms > ${budget} ms) ${stage}; the switch was aborted and legacy takes writes again`);

describe('switch', () => {
  it('DMS: drains to the frozen position, verifies, moves sequences, stops the task, starts reverse replication, then lets the app write on the new side', async () => {
    const s = await frozen('dms');
    takes('verify', 1500);
    expect(await s.run()).toEqual({
      switchedAt: iso(T0 + 1500),
      switchedAtMs: String(T0 + 1500),
      freezeMs: '1500',
      freezeBudgetMs: '30000',
      reverseSubscription: REVERSE,
      verified: '2 tables identical',
      verifiedRows: '20',
      verifyMs: '1500',
      drainedTo: '0/3000000',
      sequencesMoved: '1',
    });
    expect(w.calls).toEqual([
      'legacy roleFrozen app',
      `legacy subscriptionState ${REVERSE}`,
      'legacy currentLsn',
      'legacy slotState dev_ledger_dms',
      `verify ledger ${TABLES}`,
      'legacy->migrated advanceSequences ["public"]',
      `dms describe ${TASK}`,
      `dms stop ${TASK}`,
      `dms describe ${TASK}`,
      'replicationConnection migrated',
      `migrated ensurePublication ${REVERSE} ["public.accounts","public.transfers"]`,
      `legacy ensureSubscription {"name":"${REVERSE}","connection":"host=migrated","publication":"${REVERSE}"}`,
      'pointAt ledger migrated',
      'migrated unfreezeRole app',
    ]);
    expect(w.progress).toEqual([
      'drained: dev_ledger_dms confirmed 0/3000000 >= 0/3000000 after 0 ms frozen',
      'sequences: public.accounts_id_seq=21',
      'ledger switched: writes allowed on the new database after a 1500 ms freeze',
    ]);
    expect(w.logs).toEqual(['verify log line', 'pointAt log line migrated']);
  });

  it('logical: polls the slot until it has confirmed the frozen position, and drops the forward subscription keeping its slot', async () => {
    const s = await frozen('logical', { drainPollMs: 50 });
    w.sql.currentLsn = () => '0/3000100';
    const confirmed = ['0/3000000', undefined, '0/30000FF', '0/3000200'];
    w.sql.slotState = (_side, slot) => ({ slot, plugin: 'pgoutput', active: true, confirmedFlushLsn: confirmed.shift() });
    w.sql.advanceSequences = () => [];
    const outputs = await s.run();
    expect(outputs).toMatchObject({ drainedTo: '0/3000200', sequencesMoved: '0', freezeMs: '150', verifyMs: '0' });
    expect(w.calls).toEqual([
      'legacy roleFrozen app',
      `legacy subscriptionState ${REVERSE}`,
      'legacy currentLsn',
      ...[1, 2, 3].flatMap(() => ['legacy slotState dev_ledger_cdc', 'sleep 50']),
      'legacy slotState dev_ledger_cdc',
      `verify ledger ${TABLES}`,
      'legacy->migrated advanceSequences ["public"]',
      'migrated dropSubscription estate_dev_ledger_forward {"keepSlot":true}',
      'replicationConnection migrated',
      `migrated ensurePublication ${REVERSE} ["public.accounts","public.transfers"]`,
      `legacy ensureSubscription {"name":"${REVERSE}","connection":"host=migrated","publication":"${REVERSE}"}`,
      'pointAt ledger migrated',
      'migrated unfreezeRole app',
    ]);
    expect(w.progress).toEqual([
      'draining dev_ledger_cdc: confirmed 0/3000000 of 0/3000100',
      'draining dev_ledger_cdc: confirmed - of 0/3000100',
      'draining dev_ledger_cdc: confirmed 0/30000FF of 0/3000100',
      'drained: dev_ledger_cdc confirmed 0/3000200 >= 0/3000100 after 150 ms frozen',
      'sequences: none to move',
      'subscription estate_dev_ledger_forward dropped (slot kept)',
      'ledger switched: writes allowed on the new database after a 150 ms freeze',
    ]);
  });

  it('records no row count when verification gives none', async () => {
    const s = await frozen('dms');
    w.verify = { ok: true, summary: 'identical' };
    expect(await s.run()).toMatchObject({ verified: 'identical', verifiedRows: '' });
  });

  it('stops when verification finds differences: legacy writes again, CDC keeps running, the services stay', async () => {
    const s = await frozen('dms');
    w.verify = { ok: false, summary: 'differences in public.accounts' };
    await expect(s.run()).rejects.toThrow(new Error('data verification of ledger failed: differences in public.accounts'));
    expect(w.calls.slice(4)).toEqual([`verify ledger ${TABLES}`, 'legacy unfreezeRole app']);
  });

  it('stops with the cause when the drain finds the slot gone, letting legacy write again', async () => {
    const s = await frozen('dms');
    w.sql.slotState = () => undefined;
    await expect(s.run()).rejects.toThrow(new Error('replication slot dev_ledger_dms is missing on the legacy ledger'));
    expect(w.calls.slice(3)).toEqual(['legacy slotState dev_ledger_dms', 'legacy unfreezeRole app']);
  });

  it('passes on a failure that is not an Error as it is, not as a budget overrun', async () => {
    const s = await frozen('dms');
    w.sql.slotState = () => {
      throw 'connection reset by peer';
    };
    await expect(s.run()).rejects.toBe('connection reset by peer');
    expect(w.calls.at(-1)).toBe('legacy unfreezeRole app');
  });

  it.each([
    ['legacy slotState', 'after the drain'],
    ['verify', 'after verification'],
    ['legacy->migrated advanceSequences', 'after moving sequences'],
  ])('aborts when the freeze outlives its budget (%s takes too long): %s', async (slow, stage) => {
    const s = await frozen('dms');
    takes(slow, 30_001);
    const failure = await s.run().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FreezeBudgetExceededError);
    expect(failure).toEqual(budgetError(30_001, stage));
    expect(w.calls.at(-1)).toBe('legacy unfreezeRole app');
    expect(w.calls.filter((c) => c.startsWith('dms') || c.startsWith('pointAt') || c.includes('ensure'))).toEqual([]);
  });

  it('goes on when a stage ends exactly at the budget', async () => {
    const s = await frozen('dms');
    takes('verify', 30_000);
    expect(await s.run()).toMatchObject({ freezeMs: '30000' });
  });

  it('aborts a drain that does not reach the frozen position within the budget', async () => {
    // Polls at 0, 500, 1000 (the deadline itself: still within) and 1500 ms.
    const s = await frozen('logical', { freezeBudgetSeconds: 1, drainPollMs: 500 });
    w.sql.currentLsn = () => '0/3000100';
    const failure = await s.run().catch((e: unknown) => e);
    expect(failure).toEqual(budgetError(1500, 'before the point of switch', 1000));
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 500', 'sleep 500', 'sleep 500']);
    expect(w.progress).toEqual(['draining dev_ledger_cdc: confirmed 0/3000000 of 0/3000100', 'draining dev_ledger_cdc: confirmed 0/3000000 of 0/3000100', 'draining dev_ledger_cdc: confirmed 0/3000000 of 0/3000100']);
    expect(w.calls.at(-1)).toBe('legacy unfreezeRole app');
  });

  it('reports a failure that came after the budget ran out as the budget overrun', async () => {
    const s = await frozen('dms');
    takes('verify', 45_000);
    w.verify = { ok: false, summary: 'differences' };
    await expect(s.run()).rejects.toThrow(budgetError(45_000, 'before the point of switch'));
  });

  it('reports a failure at the very end of the budget as itself', async () => {
    const s = await frozen('dms');
    takes('verify', 30_000);
    w.verify = { ok: false, summary: 'differences' };
    await expect(s.run()).rejects.toThrow(new Error('data verification of ledger failed: differences'));
  });

  it('freezes legacy again when an aborted attempt let it go, and counts budget and freeze from then', async () => {
    const s = await frozen('dms');
    w.clock += 60_000;
    w.sql.roleFrozen = () => false;
    takes('verify', 1000);
    expect(await s.run()).toMatchObject({ freezeMs: '1000', switchedAtMs: String(T0 + 61_000) });
    expect(w.calls.slice(0, 2)).toEqual(['legacy roleFrozen app', 'legacy freezeRole app']);
  });

  it('counts the budget from the freeze when it happened in this run, on the first attempt', async () => {
    const s = await frozen('dms');
    w.clock += 29_000;
    takes('verify', 1001);
    await expect(s.run()).rejects.toThrow(budgetError(30_001, 'after verification'));
  });

  it('counts the budget from now on a later attempt, while the recorded freeze still starts at the freeze', async () => {
    const s = await frozen('dms');
    w.clock += 29_000;
    takes('verify', 1001);
    expect(await s.run(2)).toMatchObject({ freezeMs: '30001' });
  });

  it('counts the budget from now after a crash between freeze and switch (another runner process)', async () => {
    const s = await frozen('dms');
    w.clock += 120_000;
    // A new step list: the process that froze legacy is gone.
    const { step } = stepsOf(w, 'dms');
    w.tasks = [{ status: 'running' }, { status: 'stopped' }];
    expect(await step('switch-ledger').run(contextOf(w, s.outputs))).toMatchObject({ freezeMs: '120000' });
  });

  it('after the point of switch (reverse replication already running) only finishes the switch', async () => {
    const s = await frozen('dms');
    reverse = { enabled: true, workerRunning: true };
    w.clock += 5000;
    expect(await s.run()).toEqual({ switchedAt: iso(T0 + 5000), switchedAtMs: String(T0 + 5000), freezeMs: '5000', freezeBudgetMs: '30000', reverseSubscription: REVERSE });
    expect(w.calls).toEqual(['legacy roleFrozen app', `legacy subscriptionState ${REVERSE}`, `dms describe ${TASK}`, `dms stop ${TASK}`, `dms describe ${TASK}`, 'pointAt ledger migrated', 'migrated unfreezeRole app']);
  });

  it('rollback with reverse replication: freezes the new side, drains its reverse slot, verifies, moves legacy sequences past, stops reverse replication, points the services back', async () => {
    const s = await frozen('dms');
    reverse = { enabled: true, workerRunning: true };
    w.sql.currentLsn = () => '0/5000000';
    const confirmed = ['0/4000000', '0/5000000'];
    w.sql.slotState = (_side, slot) => ({ slot, plugin: 'pgoutput', active: true, confirmedFlushLsn: confirmed.shift() });
    await s.undo();
    expect(w.calls).toEqual([
      `legacy subscriptionState ${REVERSE}`,
      'migrated freezeRole app',
      `migrated query SELECT subslotname FROM pg_subscription WHERE subname = $1 ["${REVERSE}"]`,
      'migrated currentLsn',
      'migrated slotState reverse_slot',
      'sleep 200',
      'migrated slotState reverse_slot',
      `verify ledger ${TABLES}`,
      'migrated->legacy advanceSequences ["public"]',
      `legacy dropSubscription ${REVERSE} {"keepSlot":false}`,
      `migrated dropPublication ${REVERSE}`,
      'pointAt ledger legacy',
      'legacy unfreezeRole app',
    ]);
    expect(w.progress).toEqual(['draining reverse_slot: confirmed 0/4000000 of 0/5000000', 'reverse replication drained to 0/5000000 and stopped after 200 ms']);
  });

  it.each([
    ['no subscription row', () => []],
    ['a failing catalog query', () => Promise.reject(new Error('permission denied'))],
  ])('rollback falls back to the subscription name as the reverse slot with %s', async (_what, raw) => {
    const s = await frozen('dms');
    reverse = { enabled: true, workerRunning: true };
    w.sql.raw = raw as never;
    await s.undo();
    expect(w.calls).toContain(`migrated slotState ${REVERSE}`);
  });

  it('rollback does not switch back when the data differs', async () => {
    const s = await frozen('dms');
    reverse = { enabled: false, workerRunning: false };
    w.verify = { ok: false, summary: '3 rows differ' };
    await expect(s.undo()).rejects.toThrow(new Error('data verification of ledger before switching back failed: 3 rows differ'));
    expect(w.calls.at(-1)).toBe(`verify ledger ${TABLES}`);
  });

  it('rollback before the point of switch only points the services at legacy and lets the app write there', async () => {
    const s = await frozen('logical');
    await s.undo();
    expect(w.calls).toEqual([`legacy subscriptionState ${REVERSE}`, 'pointAt ledger legacy', 'legacy unfreezeRole app']);
    expect(w.logs).toEqual(['pointAt log line legacy']);
  });

  it('rollback drains the reverse slot without a budget', async () => {
    const s = await frozen('dms', { freezeBudgetSeconds: 1, drainPollMs: 1000 });
    reverse = { enabled: true, workerRunning: true };
    w.sql.currentLsn = () => '0/5000000';
    const confirmed = ['0/4000000', '0/4000000', '0/4000000', '0/5000000'];
    w.sql.slotState = (_side, slot) => ({ slot, plugin: 'pgoutput', active: true, confirmedFlushLsn: confirmed.shift() });
    await s.undo();
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 1000', 'sleep 1000', 'sleep 1000']);
  });
});

describe('finalize', () => {
  const switched = (engine: 'dms' | 'logical', switchedAtMs: number) => earlierOutputs(engine, { 'switch-ledger': { switchedAtMs: String(switchedAtMs) } });

  it('DMS: waits out the rollback window, then stops reverse replication, drops the inactive slot and the logins, and removes the legacy records', async () => {
    const { step } = stepsOf(w, 'dms', { rollbackWindowMinutes: 1, pollSeconds: 25 });
    w.tasks = [{ status: 'stopped' }];
    const active = [true, true, false];
    w.sql.slotState = (_side, slot) => ({ slot, plugin: 'test_decoding', active: active.shift() ?? false });
    expect(await step('finalize').run(contextOf(w, switched('dms', T0 - 10_000)))).toEqual({ finalizedAt: iso(T0 + 52_000), region: 'us-east-1' });
    expect(w.calls).toEqual([
      'alarms',
      'sleep 25000',
      'sleep 25000',
      `legacy dropSubscription ${REVERSE} {"keepSlot":false}`,
      `migrated dropPublication ${REVERSE}`,
      `dms describe ${TASK}`,
      `dms describe ${TASK}`,
      'legacy slotState dev_ledger_dms',
      'sleep 1000',
      'legacy slotState dev_ledger_dms',
      'sleep 1000',
      'legacy slotState dev_ledger_dms',
      'legacy dropSlot dev_ledger_dms',
      'migrated dropReplicationRole estate_replication_dev_ledger',
      'legacy dropReplicationRole estate_replication_dev_ledger',
      'removeLegacyRecord api Z123 api.dev.fintech.example.com',
    ]);
    const open = 'rollback window of ledger open until 2023-11-14T22:14:10.000Z; `rollback` until then loses nothing';
    expect(w.progress).toEqual([
      'alarm gate before finalizing: 1 OK',
      open,
      open,
      'slot dev_ledger_dms still active (0 s)',
      'slot dev_ledger_dms still active (1 s)',
      'ledger: reverse replication stopped, slots dropped, replication login estate_replication_dev_ledger dropped',
      'api.dev.fintech.example.com: legacy record removed',
    ]);
  });

  it('sleeps only the rest of the window, and not at all once it has closed', async () => {
    const { step } = stepsOf(w, 'logical', { rollbackWindowMinutes: 1 });
    await step('finalize').run(contextOf(w, switched('logical', T0 - 45_000)));
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 15000']);
    w = newWorld();
    const closed = stepsOf(w, 'logical', { rollbackWindowMinutes: 1 });
    await closed.step('finalize').run(contextOf(w, switched('logical', T0 - 60_000)));
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual([]);
  });

  it('logical: drops the forward subscription (if any), then the slot and the forward publication', async () => {
    const { step } = stepsOf(w, 'logical', { rollbackWindowMinutes: 0 });
    await step('finalize').run(contextOf(w, switched('logical', T0)));
    expect(w.calls).toEqual([
      'alarms',
      `legacy dropSubscription ${REVERSE} {"keepSlot":false}`,
      `migrated dropPublication ${REVERSE}`,
      'migrated dropSubscription estate_dev_ledger_forward {"keepSlot":true}',
      'legacy slotState dev_ledger_cdc',
      'legacy dropSlot dev_ledger_cdc',
      'legacy dropPublication estate_dev_ledger_forward',
      'migrated dropReplicationRole estate_replication_dev_ledger',
      'legacy dropReplicationRole estate_replication_dev_ledger',
      'removeLegacyRecord api Z123 api.dev.fintech.example.com',
    ]);
  });

  it('goes on when the slot is already gone', async () => {
    const { step } = stepsOf(w, 'logical', { rollbackWindowMinutes: 0 });
    w.sql.slotState = () => undefined;
    await step('finalize').run(contextOf(w, switched('logical', T0)));
    expect(w.calls).toContain('legacy dropSlot dev_ledger_cdc');
  });

  it('gives up on a slot that stays active', async () => {
    const { step } = stepsOf(w, 'logical', { rollbackWindowMinutes: 0, waitTimeoutMinutes: 0 });
    w.sql.slotState = (_side, slot) => ({ slot, plugin: 'pgoutput', active: true });
    await expect(step('finalize').run(contextOf(w, switched('logical', T0)))).rejects.toThrow(
      new Error('gave up waiting for slot dev_ledger_cdc to become inactive after 0 min: slot dev_ledger_cdc still active'),
    );
    expect(w.calls).not.toContain('legacy dropSlot dev_ledger_cdc');
  });

  it('does nothing while an alarm fires', async () => {
    const { step } = stepsOf(w, 'dms', { rollbackWindowMinutes: 0 });
    w.alarms = [[{ name: 'dev-api-5xx', state: 'ALARM', reason: 'r' }]];
    await expect(step('finalize').run(contextOf(w, switched('dms', T0)))).rejects.toThrow(new Error('alarm gate before finalizing: dev-api-5xx is ALARM (r)'));
    expect(w.calls).toEqual(['alarms']);
  });

  it('is the point of no return', () => {
    const { step } = stepsOf(w, 'dms');
    expect(step('finalize').pointOfNoReturn).toBe(
      'reverse replication is stopped, so legacy no longer receives the changes made since; routing traffic back would lose them. Fix forward, or follow "After finalize" in docs/runbook.md',
    );
  });
});

describe('switch, odd cases', () => {
  it('lists every sequence it moved', async () => {
    const s = await frozen('dms');
    w.sql.advanceSequences = () => [
      { sequence: 'public.accounts_id_seq', value: 21n },
      { sequence: 'audit.events_id_seq', value: 7n },
    ];
    expect(await s.run()).toMatchObject({ sequencesMoved: '2' });
    expect(w.progress).toContain('sequences: public.accounts_id_seq=21, audit.events_id_seq=7');
  });

  it('reports the drain itself when the clock went back while aborting (the budget was not exceeded after all)', async () => {
    const s = await frozen('logical', { freezeBudgetSeconds: 1, drainPollMs: 600 });
    w.sql.currentLsn = () => '0/3000100';
    w.onCall = (call) => {
      if (call === 'legacy unfreezeRole app') w.clock = T0;
    };
    await expect(s.run()).rejects.toThrow(new Error('drain: slot dev_ledger_cdc confirmed 0/3000000, not yet 0/3000100, when the freeze budget ran out'));
  });
});
