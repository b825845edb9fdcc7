import { LeaseSession, StopRequestedError, stopReason, type Ticker } from './lease';
import { LeaseHeldError, LeaseLostError, type Ledger, type StepKey, type StepRecord } from './ledger';

/** The phases of a migration, in order. */
export const PHASES = ['preflight', 'data', 'deploy', 'cdc', 'verify', 'cutover', 'finalize'] as const;
export type Phase = (typeof PHASES)[number];

export type StepOutputs = Readonly<Record<string, string>>;

/** What a step body may use: everything that touches the world goes through `MigrationPorts` captured by the step. */
export interface StepContext {
  readonly log: (line: string) => void;
  /** One line of progress for a long step (`12% of snapshot copied`). */
  readonly progress: (message: string) => void;
  /** Waits (injected so tests do not wait). Rejects when the lease is lost. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Outputs recorded by an earlier step (e.g. the LSN); @throws when that step has not completed. */
  readonly outputsOf: (stepId: string) => StepOutputs;
  /** Attempt number of this run of the step (1 on the first). */
  readonly attempt: number;
  /**
   * Aborted when the operator asked the run to stop (Ctrl-C). `sleep` already rejects then;
   * a step may pass it on to calls that can be cancelled. Set by the engine.
   */
  readonly signal?: AbortSignal;
}

export interface StepAction {
  readonly title: string;
  /** The commands (AWS API calls, CLI equivalents) this action issues, for --dry-run and the plan. */
  readonly commands: readonly string[];
  readonly run: (context: StepContext) => Promise<StepOutputs | void>;
}

export interface MigrationStep extends StepAction {
  readonly id: string;
  readonly phase: Phase;
  /** How the step is undone; none means nothing to undo (read-only or harmless). */
  readonly rollback?: StepAction;
  /** Set on a step after which rollback is no longer safe (the reason is shown). */
  readonly pointOfNoReturn?: string;
}

export interface EngineOptions {
  readonly ledger: Ledger;
  readonly steps: readonly MigrationStep[];
  /** Unique id of this run (operator@host#pid-random). */
  readonly owner: string;
  /** Who runs it (the caller's IAM ARN). */
  readonly operator: string;
  /** @default 300000 (5 min); renewed every third of it for as long as the run holds it, and at every step transition */
  readonly leaseMs?: number;
  /** Continue after the last completed step. Without it, a ledger with history is refused. */
  readonly resume?: boolean;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after each step is recorded as completed (tests use it to simulate a crash). */
  readonly afterStep?: (step: MigrationStep) => void | Promise<void>;
  /**
   * Stops the run at the next safe point when aborted (the CLI aborts it on Ctrl-C, with the
   * signal's name as reason): before the next step, or at the running step's next wait, which
   * records it `interrupted`. The lease is released and MigrationInterruptedError thrown.
   */
  readonly signal?: AbortSignal;
  /** Runs the lease heartbeat. @default setInterval */
  readonly ticker?: Ticker;
  /**
   * How long to watch another runner's lease before giving up (see Ledger.acquireLease).
   * @default - until it renews (LeaseHeldError) or stays silent for its whole lease (taken over)
   */
  readonly leasePatienceMs?: number;
  /** Time between looks at another runner's lease. @default a tenth of that lease, between 1 s and 10 s */
  readonly leasePollMs?: number;
  /** Told what the wait for another runner's lease is doing. @default log */
  readonly onLeaseWait?: (message: string) => void;
}

export interface EngineResult {
  /** Steps that ran in this invocation. */
  readonly ran: readonly string[];
  /** Steps skipped because the ledger shows them completed. */
  readonly skipped: readonly string[];
}

/** Where an interrupted run stopped. */
export interface StopPoint {
  readonly position: number;
  readonly stepId: string;
  /** `not-started`: stopped before the step; `interrupted`: stopped at the step's wait. */
  readonly state: 'not-started' | 'interrupted';
  /** What the ledger now records for an interrupted step (`interrupted`; `rollback-failed` for an undo). */
  readonly recorded?: StepRecord['status'];
}

/** The run was stopped at a safe point on request (Ctrl-C); the ledger says where, and `--resume` continues. */
export class MigrationInterruptedError extends Error {
  /** Whether the lease was released afterwards (set by the engine once it tried). */
  public leaseReleased = false;
  constructor(
    public readonly environment: string,
    public readonly reason: string,
    /** Steps completed by this run before it stopped. */
    public readonly completed: readonly string[],
    /** The step it stopped at; undefined when it stopped before taking the lease. */
    public readonly stoppedAt: StopPoint | undefined,
  ) {
    super(
      `${environment}: stopped at a safe point (${reason}) after ${completed.length} step(s) of this run` +
        (stoppedAt
          ? stoppedAt.state === 'interrupted'
            ? `; step ${stoppedAt.position} (${stoppedAt.stepId}) was interrupted at a wait and is recorded ${stoppedAt.recorded ?? 'interrupted'}`
            : `; step ${stoppedAt.position} (${stoppedAt.stepId}) was not started`
          : ' while waiting for another runner\'s lease; nothing ran and this runner held no lease'),
    );
    this.name = 'MigrationInterruptedError';
  }
}

/** A step failed; the ledger records it as failed and the run stopped there. */
export class StepFailedError extends Error {
  constructor(
    public readonly stepId: string,
    public override readonly cause: unknown,
  ) {
    super(`step ${stepId} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepFailedError';
  }
}

const DEFAULT_LEASE_MS = 300_000;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const keyOf = (step: MigrationStep, position: number): StepKey => ({ position, stepId: step.id, phase: step.phase, title: step.title });

function checkUnique(steps: readonly MigrationStep[]): void {
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.id)) throw new Error(`duplicate step id '${step.id}' in the migration plan`);
    seen.add(step.id);
  }
}

function openSession(options: EngineOptions, log: (line: string) => void): Promise<LeaseSession> {
  return LeaseSession.open({
    ledger: options.ledger,
    owner: options.owner,
    operator: options.operator,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    ticker: options.ticker,
    signal: options.signal,
    patienceMs: options.leasePatienceMs,
    pollMs: options.leasePollMs,
    onWait: options.onLeaseWait ?? log,
    log,
  });
}

/**
 * Runs `body` with the lease held, then stops the heartbeat and releases the lease, whatever
 * happened; an interruption learns whether the release worked.
 */
async function holdingLease<T>(options: EngineOptions, log: (line: string) => void, body: (session: LeaseSession) => Promise<T>): Promise<T> {
  let session: LeaseSession;
  try {
    session = await openSession(options, log);
  } catch (error) {
    // Stopped while watching another runner's lease: nothing was held, nothing ran.
    if (error instanceof LeaseHeldError && options.signal?.aborted) {
      const stoppedWaiting = new MigrationInterruptedError(options.ledger.environment, stopReason(options.signal), [], undefined);
      stoppedWaiting.leaseReleased = true;
      throw stoppedWaiting;
    }
    throw error;
  }
  let result: T;
  try {
    result = await body(session);
  } catch (error) {
    await session.close();
    const released = await release(options, log);
    if (error instanceof MigrationInterruptedError) error.leaseReleased = released;
    throw error;
  }
  await session.close();
  await release(options, log);
  return result;
}

async function release(options: EngineOptions, log: (line: string) => void): Promise<boolean> {
  try {
    return await options.ledger.releaseLease(options.owner);
  } catch (error) {
    log(`warning: could not release the lease (${(error as Error).message}); another runner can take it over once it has stayed unrenewed for its whole duration`);
    return false;
  }
}

/** Whether a step body's rejection is the operator's stop rather than a failure. */
const isStop = (error: unknown, session: LeaseSession): boolean => error instanceof StopRequestedError || session.stopRequested;

function outputsLookup(records: Map<string, StepRecord>) {
  return (stepId: string): StepOutputs => {
    const record = records.get(stepId);
    if (!record || record.status !== 'completed') throw new Error(`outputs of step ${stepId} are needed, but it has not completed`);
    return record.outputs;
  };
}

/**
 * Runs the steps in order, each exactly once across runs: takes the environment's lease,
 * skips steps the ledger shows completed (with --resume), records each transition
 * (running → completed | failed | interrupted) in a transaction that renews the lease, and
 * stops at the first failure. A crashed run leaves its lease unrenewed; the next run takes
 * over once it has watched it stay silent for the whole lease. A stop request (`signal`)
 * ends the run at the next safe point with MigrationInterruptedError.
 */
export async function runMigration(options: EngineOptions): Promise<EngineResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  checkUnique(options.steps);
  const sleep = options.sleep ?? defaultSleep;
  return holdingLease(options, log, async (session) => {
    const ran: string[] = [];
    const skipped: string[] = [];
    const records = new Map((await options.ledger.steps()).map((r) => [r.stepId, r]));
    const live = [...records.values()].filter((r) => r.status !== 'rolled-back');
    if (live.length > 0 && !options.resume) {
      const last = live[live.length - 1];
      throw new Error(
        `the ledger of ${options.ledger.environment} already records ${live.length} step(s) (last: ${last.stepId}, ${last.status}); ` +
          `continue with --resume, or undo them with \`rollback\``,
      );
    }
    const rollingBack = live.find((r) => r.status === 'rolling-back' || r.status === 'rollback-failed');
    if (rollingBack) throw new Error(`step ${rollingBack.stepId} is ${rollingBack.status}: finish \`rollback\` before migrating again`);

    for (const [index, step] of options.steps.entries()) {
      const position = index + 1;
      const existing = records.get(step.id);
      if (existing?.status === 'completed') {
        log(`✓ ${position}. ${step.id}: completed ${existing.finishedAt} (attempt ${existing.attempt}); skipping`);
        skipped.push(step.id);
        continue;
      }
      // A safe point: nothing of this step has happened yet.
      session.check();
      if (session.stopRequested) throw stopped(options, ran, { position, stepId: step.id, state: 'not-started' });
      const key = keyOf(step, position);
      const attempt = await options.ledger.beginStep(options.owner, options.operator, key);
      log(`▶ ${position}. ${step.id}: ${step.title}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      let outputs: StepOutputs;
      try {
        session.check();
        const result = await step.run({
          log,
          progress: (message) => log(`  … ${step.id}: ${message}`),
          sleep: session.guard(sleep),
          outputsOf: outputsLookup(records),
          attempt,
          signal: options.signal,
        });
        outputs = result ?? {};
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        if (session.lost) throw session.lost;
        if (isStop(error, session)) {
          const reason = stopReason(options.signal as AbortSignal);
          await options.ledger.interruptStep(options.owner, key, `interrupted (${reason}) at a wait; run again with --resume to start it as attempt ${attempt + 1}`);
          log(`■ ${position}. ${step.id}: interrupted (${reason})`);
          throw stopped(options, ran, { position, stepId: step.id, state: 'interrupted', recorded: 'interrupted' });
        }
        await options.ledger.failStep(options.owner, key, (error as Error).message ?? String(error));
        log(`✗ ${position}. ${step.id} failed: ${(error as Error).message}`);
        throw new StepFailedError(step.id, error);
      }
      // A body that never waited cannot have noticed a lost lease: the completion checks it.
      session.check();
      await options.ledger.completeStep(options.owner, key, outputs);
      records.set(step.id, { ...key, status: 'completed', attempt, owner: options.owner, operator: options.operator, startedAt: '', outputs });
      ran.push(step.id);
      log(`✓ ${position}. ${step.id}: done${Object.keys(outputs).length ? ` (${Object.entries(outputs).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}`);
      await options.afterStep?.(step);
    }
    return { ran, skipped };
  });
}

function stopped(options: EngineOptions, completed: readonly string[], at: StopPoint): MigrationInterruptedError {
  return new MigrationInterruptedError(options.ledger.environment, stopReason(options.signal as AbortSignal), [...completed], at);
}

export interface RollbackResult {
  /** Steps whose undo ran, latest first. */
  readonly undone: readonly string[];
  /** Steps marked rolled back with nothing to undo. */
  readonly noOp: readonly string[];
}

/**
 * Undoes the recorded steps in reverse order: those completed, failed or interrupted (such a
 * step may have done part of its work, so its undo runs too; undos are idempotent) or left
 * running by a crashed run. Refuses once a step marked `pointOfNoReturn` has completed. A stop
 * request ends it at the next safe point; an undo stopped at a wait is recorded
 * `rollback-failed` with the reason, and `rollback` continues it.
 */
export async function rollbackMigration(options: EngineOptions): Promise<RollbackResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  checkUnique(options.steps);
  const sleep = options.sleep ?? defaultSleep;
  return holdingLease(options, log, async (session) => {
    const undone: string[] = [];
    const noOp: string[] = [];
    const records = new Map((await options.ledger.steps()).map((r) => [r.stepId, r]));
    const final = options.steps.find((s) => s.pointOfNoReturn && records.get(s.id)?.status === 'completed');
    if (final) throw new Error(`step ${final.id} has completed, so the migration cannot be rolled back by the runner: ${final.pointOfNoReturn}`);
    const unknown = [...records.keys()].filter((id) => !options.steps.some((s) => s.id === id));
    if (unknown.length > 0) throw new Error(`the ledger records steps this plan does not have (${unknown.join(', ')}); roll back with the plan that ran them`);

    const positions = options.steps.map((step, index) => ({ step, position: index + 1 })).reverse();
    for (const { step, position } of positions) {
      const record = records.get(step.id);
      if (!record || record.status === 'rolled-back') continue;
      session.check();
      if (session.stopRequested) throw stopped(options, [...undone, ...noOp], { position, stepId: step.id, state: 'not-started' });
      const key = keyOf(step, position);
      await options.ledger.beginRollback(options.owner, key);
      if (!step.rollback) {
        await options.ledger.completeRollback(options.owner, key, 'nothing to undo');
        noOp.push(step.id);
        log(`↺ ${position}. ${step.id}: nothing to undo`);
        continue;
      }
      log(`↺ ${position}. ${step.id}: ${step.rollback.title}`);
      try {
        session.check();
        await step.rollback.run({
          log,
          progress: (message) => log(`  … ${step.id} (rollback): ${message}`),
          sleep: session.guard(sleep),
          outputsOf: outputsLookup(records),
          attempt: record.attempt,
          signal: options.signal,
        });
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        if (session.lost) throw session.lost;
        if (isStop(error, session)) {
          const reason = stopReason(options.signal as AbortSignal);
          await options.ledger.failRollback(options.owner, key, `interrupted (${reason}) at a wait; run rollback again to continue`);
          throw stopped(options, [...undone, ...noOp], { position, stepId: step.id, state: 'interrupted', recorded: 'rollback-failed' });
        }
        await options.ledger.failRollback(options.owner, key, (error as Error).message);
        throw new StepFailedError(`${step.id} (rollback)`, error);
      }
      session.check();
      await options.ledger.completeRollback(options.owner, key, step.rollback.title);
      undone.push(step.id);
    }
    return { undone, noOp };
  });
}

/** What --dry-run prints: every step with its commands and its undo, touching nothing. */
export function describeSteps(steps: readonly MigrationStep[], records: readonly StepRecord[] = []): string[] {
  checkUnique(steps);
  const byId = new Map(records.map((r) => [r.stepId, r]));
  const lines: string[] = [];
  let phase: string | undefined;
  for (const [index, step] of steps.entries()) {
    if (step.phase !== phase) {
      phase = step.phase;
      lines.push('', `## ${phase}`);
    }
    const record = byId.get(step.id);
    lines.push(`${index + 1}. ${step.id}: ${step.title}${record ? ` [ledger: ${record.status}]` : ''}`);
    for (const command of step.commands) lines.push(`     $ ${command}`);
    if (step.rollback) {
      lines.push(`   rollback: ${step.rollback.title}`);
      for (const command of step.rollback.commands) lines.push(`     $ ${command}`);
    }
  }
  return lines;
}
