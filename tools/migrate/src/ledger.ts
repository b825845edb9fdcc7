import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  ConditionalCheckFailedException,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';

/**
 * The migration ledger: one DynamoDB item per step, one lease lock per environment and an
 * audit trail, in the ops account's table (`ops-migration-ledger`, see libs/data migration-ledger.ts):
 *
 *   pk = ENV#<env>   sk = STEP#<0000>#<step id>        status, attempt, timestamps, operator, outputs
 *   pk = ENV#<env>   sk = LOCK                         owner, operator, version, leaseMs, acquiredAt, renewedAt, expiresAt (TTL)
 *   pk = ENV#<env>   sk = EVENT#<iso time>#<kind>#<id>  who forced an unlock or took over a lease, and why
 *
 * The lease follows AWS's DynamoDB Lock Client: no runner trusts another machine's clock.
 * The holder writes a new random `version` on every renewal (a heartbeat every third of the
 * lease, and every step transition); another runner takes the lease over only after it has
 * itself watched the same version stay unchanged for the holder's `leaseMs`, measured on its
 * own monotonic clock. The holder counts its lease as valid for `leaseMs` from the moment it
 * *sent* its last successful renewal, so the two never overlap whatever the clocks say.
 * `expiresAt` is only DynamoDB's TTL for abandoned locks, a day past the lease.
 *
 * Every step transition is a transaction that also renews the lease, conditioned on the
 * version this runner wrote last: a runner that lost its lease (paused, partitioned, taken
 * over) cannot record anything, and each step starts only from a state that allows it.
 */

export type StepStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'rolling-back' | 'rolled-back' | 'rollback-failed';

export interface StepRecord {
  readonly position: number;
  readonly stepId: string;
  readonly phase: string;
  readonly title: string;
  readonly status: StepStatus;
  readonly attempt: number;
  readonly owner: string;
  readonly operator: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly error?: string;
  readonly rolledBackAt?: string;
  readonly rollbackNote?: string;
}

export interface LeaseRecord {
  /** Unique id of the run holding the lease. */
  readonly owner: string;
  /** Who runs it (IAM ARN). */
  readonly operator: string;
  /** When the holder took it, by the holder's clock (for people only). */
  readonly acquiredAt: string;
  /** DynamoDB TTL (epoch seconds, holder's clock): when an abandoned lock may be deleted. Liveness never reads it. */
  readonly expiresAt: number;
  /** Changes on every renewal; another runner takes over only after watching it unchanged for `leaseMs`. */
  readonly version: string;
  /** The lease duration the holder promised to renew within. */
  readonly leaseMs: number;
  /** When the holder last renewed, by the holder's clock (for people only). */
  readonly renewedAt: string;
}

/** What the LOCK item of an environment holds. */
export type LockState =
  | { readonly kind: 'free' }
  | { readonly kind: 'held'; readonly lease: LeaseRecord }
  | { readonly kind: 'malformed'; readonly problems: readonly string[]; readonly item: Readonly<Record<string, string>> };

/** An audit entry: an operator forced the lock open, or a runner took over a silent lease. */
export interface LedgerEvent {
  readonly kind: 'unlock' | 'takeover';
  /** Wall-clock time of the writer. */
  readonly at: string;
  readonly operator: string;
  /** Given with `unlock --force --reason`, or why the takeover was allowed. */
  readonly reason: string;
  /** The lock item that was removed or replaced, attribute by attribute (`owner: S runner-a`). */
  readonly previousLock: Readonly<Record<string, string>>;
}

/** Identifies a step in the ledger. */
export interface StepKey {
  readonly position: number;
  readonly stepId: string;
  readonly phase: string;
  readonly title: string;
}

const stopWord = (signal: AbortSignal): string => (typeof signal.reason === 'string' && signal.reason !== '' ? signal.reason : 'interrupted');

/** Whole seconds, rounded down (`59 s` is not yet a minute). */
const seconds = (ms: number): string => `${Math.floor(ms / 1000)} s`;

/** Another runner holds the environment's lease: it renewed while this runner watched, or it was not watched long enough. */
export class LeaseHeldError extends Error {
  constructor(
    public readonly environment: string,
    public readonly lease: LeaseRecord | undefined,
    /** Why this runner gave up: the holder is alive, or the wait ran out. */
    public readonly detail?: string,
  ) {
    super(
      lease
        ? `${environment} is locked by ${lease.operator} (${lease.owner}), lease ${seconds(lease.leaseMs)}, last renewed ${lease.renewedAt} by its clock` +
            `${detail ? `; ${detail}` : ''}. Wait for that run to finish, then run again with --resume; ` +
            `if you know it is dead, \`unlock --force --reason <why>\``
        : `${environment} is locked by another runner`,
    );
    this.name = 'LeaseHeldError';
  }
}

/** This runner no longer holds the lease (it expired and someone took over): stop at once. */
export class LeaseLostError extends Error {
  constructor(
    environment: string,
    owner: string,
    /** @default - expired or taken over */
    reason = 'expired or taken over',
  ) {
    super(`${owner} lost the lease on ${environment} (${reason}); stopping without recording anything further`);
    this.name = 'LeaseLostError';
  }
}

/** The LOCK item cannot be read as a lease (hand edits, an old runner): nobody can tell whether its holder lives. */
export class MalformedLockError extends Error {
  constructor(
    public readonly environment: string,
    public readonly problems: readonly string[],
  ) {
    super(
      `${environment}: the lock item (sk = ${LOCK_SORT_KEY}) is malformed: ${problems.join('; ')}. No runner can tell whether its holder is alive, ` +
        `so none will take it over. If no run is active, remove it with \`unlock --force --reason <why>\` (recorded in the ledger)`,
    );
    this.name = 'MalformedLockError';
  }
}

/** The step is not in a state that allows the transition (e.g. already completed). */
export class StepConflictError extends Error {
  constructor(environment: string, stepId: string, transition: string) {
    super(`${environment}: step ${stepId} cannot ${transition}: the ledger shows another state (it already ran, or another runner has it)`);
    this.name = 'StepConflictError';
  }
}

export interface LedgerOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Environment qualifier: `dev`, or `dev-pr42` for a preview copy. */
  readonly environment: string;
  /** Wall clock, epoch milliseconds: timestamps people read. Never decides whether a lease is live. @default Date.now */
  readonly clock?: () => number;
  /** Monotonic milliseconds: how long this process has held or watched a lease. @default performance.now */
  readonly monotonic?: () => number;
  /** Waits between looks at another runner's lease. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Makes lease versions. @default crypto.randomUUID */
  readonly newVersion?: () => string;
}

export interface AcquireOptions {
  /**
   * How long to watch another runner's lease before giving up with LeaseHeldError.
   * @default - no limit: watch until the holder renews (LeaseHeldError) or its lease has been silent for its whole duration (take over)
   */
  readonly patienceMs?: number;
  /** Time between looks at another runner's lease. @default a tenth of that lease, between 1 s and 10 s */
  readonly pollMs?: number;
  /** Told, at every look, what the wait is doing. */
  readonly onWait?: (message: string) => void;
  /** Stops the wait (Ctrl-C): LeaseHeldError at once, saying why. */
  readonly signal?: AbortSignal;
}

export const stepSortKey = (position: number, stepId: string): string => `STEP#${String(position).padStart(4, '0')}#${stepId}`;
export const LOCK_SORT_KEY = 'LOCK';
export const EVENT_PREFIX = 'EVENT#';
/** The TTL of a lock lies this far past its lease, so DynamoDB never deletes a live lock of a runner with a slow clock. */
export const ABANDONED_LOCK_TTL_SECONDS = 86_400;
/** Lease durations a lock item may declare (1 s to 24 h); anything else is malformed. */
export const LEASE_MS_RANGE = { min: 1000, max: 86_400_000 } as const;

const s = (value: string) => ({ S: value }) satisfies AttributeValue;
const n = (value: number) => ({ N: String(value) }) satisfies AttributeValue;

/** `S runner-a`, `N 42`, `BOOL true`: an attribute as one readable string. */
export function describeAttribute(value: AttributeValue): string {
  const [type, inner] = Object.entries(value)[0] ?? ['?', undefined];
  return `${type} ${typeof inner === 'string' ? inner : JSON.stringify(inner)}`;
}

const typeName = (value: AttributeValue): string => Object.keys(value)[0] ?? '?';

/**
 * Reads a LOCK item as a lease, or lists what is wrong with it. Every problem names the
 * attribute, what it holds and what was expected.
 */
export function parseLock(item: Readonly<Record<string, AttributeValue>>): { lease: LeaseRecord } | { problems: string[] } {
  const problems: string[] = [];
  const text = (name: string, required: boolean): string => {
    const value = item[name];
    if (value === undefined) {
      if (required) problems.push(`${name} is missing`);
      return '';
    }
    if (value.S === undefined) {
      problems.push(`${name} is ${describeAttribute(value)}, expected a string (S)`);
      return '';
    }
    if (required && value.S === '') problems.push(`${name} is empty`);
    return value.S;
  };
  const number = (name: string): number => {
    const value = item[name];
    if (value === undefined) {
      problems.push(`${name} is missing`);
      return Number.NaN;
    }
    const parsed = value.N === undefined ? Number.NaN : Number(value.N);
    if (value.N === undefined || !Number.isFinite(parsed)) problems.push(`${name} is ${describeAttribute(value)}, expected a number (N)`);
    return parsed;
  };
  const owner = text('owner', true);
  const operator = text('operator', false);
  const version = text('version', true);
  const acquiredAt = text('acquiredAt', false);
  const renewedAt = text('renewedAt', false);
  const expiresAt = number('expiresAt');
  const leaseMs = number('leaseMs');
  if (Number.isFinite(leaseMs) && (!Number.isInteger(leaseMs) || leaseMs < LEASE_MS_RANGE.min || leaseMs > LEASE_MS_RANGE.max)) {
    problems.push(`leaseMs is ${leaseMs}, expected whole milliseconds from ${LEASE_MS_RANGE.min} to ${LEASE_MS_RANGE.max}`);
  }
  if (problems.length > 0) return { problems };
  return { lease: { owner, operator, version, acquiredAt, renewedAt, expiresAt, leaseMs } };
}

/** What this process knows about a lease it holds. */
interface HeldLease {
  readonly version: string;
  readonly leaseMs: number;
  /** Monotonic time at which the last successful renewal was sent: the lease is ours until this + leaseMs. */
  readonly sentAt: number;
}

export class Ledger {
  public readonly tableName: string;
  public readonly environment: string;
  private readonly client: DynamoDBClient;
  private readonly clock: () => number;
  private readonly monotonic: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newVersion: () => string;
  private readonly pk: string;
  private readonly held = new Map<string, HeldLease>();
  /** Lease writes of this process, one at a time: a heartbeat and a step transition never race on the same version. */
  private leaseWrites: Promise<unknown> = Promise.resolve();

  constructor(options: LedgerOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.environment = options.environment;
    this.clock = options.clock ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.newVersion = options.newVersion ?? randomUUID;
    this.pk = `ENV#${options.environment}`;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  private nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  private get lockKey(): Record<string, AttributeValue> {
    return { pk: s(this.pk), sk: s(LOCK_SORT_KEY) };
  }

  private serial<T>(write: () => Promise<T>): Promise<T> {
    const result = this.leaseWrites.then(write, write);
    this.leaseWrites = result.catch(() => undefined);
    return result;
  }

  /** The attributes a holder writes on taking or renewing its lease. */
  private leaseAttributes(version: string, leaseMs: number) {
    return {
      version: s(version),
      leaseMs: n(leaseMs),
      renewedAt: s(this.nowIso()),
      expiresAt: n(this.nowSeconds() + Math.ceil(leaseMs / 1000) + ABANDONED_LOCK_TTL_SECONDS),
    };
  }

  /** Milliseconds left of `owner`'s lease by this process's own clock (0 when it does not hold one). */
  leaseRemainingMs(owner: string): number {
    const held = this.held.get(owner);
    return held ? Math.max(0, held.sentAt + held.leaseMs - this.monotonic()) : 0;
  }

  /** The lease `owner` holds, as this process last wrote it; @throws LeaseLostError when it is gone or ran out. */
  private validLease(owner: string): HeldLease {
    const held = this.held.get(owner);
    if (!held) throw new LeaseLostError(this.environment, owner, 'this runner does not hold it');
    const silentMs = this.monotonic() - held.sentAt;
    if (silentMs >= held.leaseMs) {
      this.held.delete(owner);
      throw new LeaseLostError(this.environment, owner, `not renewed for ${seconds(silentMs)}, its whole ${seconds(held.leaseMs)} lease; another runner may have taken over`);
    }
    return held;
  }

  /**
   * Takes the environment's lease for `leaseMs`. Free: taken at once. Held by `owner`: renewed.
   * Held by another runner: watched (the Lock Client's rule): when its version changes, the
   * holder is alive and LeaseHeldError is thrown; when the same version has been seen for the
   * holder's whole lease by this process's clock, the lease is taken over (and the takeover
   * recorded as an event).
   * @throws LeaseHeldError naming the holder, MalformedLockError when the lock item is not a lease.
   */
  async acquireLease(owner: string, operator: string, leaseMs: number, options: AcquireOptions = {}): Promise<LeaseRecord> {
    if (!Number.isInteger(leaseMs) || leaseMs < LEASE_MS_RANGE.min || leaseMs > LEASE_MS_RANGE.max) {
      throw new RangeError(`lease of ${leaseMs} ms: expected whole milliseconds from ${LEASE_MS_RANGE.min} to ${LEASE_MS_RANGE.max}`);
    }
    const started = this.monotonic();
    let watched: { version: string; since: number } | undefined;
    for (;;) {
      const state = await this.readLock();
      if (state.kind === 'malformed') throw new MalformedLockError(this.environment, state.problems);
      if (state.kind === 'free') {
        const lease = await this.writeLease(owner, operator, leaseMs, undefined);
        if (lease) return lease;
        continue;
      }
      const current = state.lease;
      if (current.owner === owner) {
        const lease = await this.writeLease(owner, operator, leaseMs, current);
        if (lease) return lease;
        continue;
      }
      const seenAt = this.monotonic();
      if (watched && watched.version !== current.version) {
        throw new LeaseHeldError(this.environment, current, 'it is alive: it renewed its lease while this runner watched');
      }
      watched ??= { version: current.version, since: seenAt };
      const silentMs = seenAt - watched.since;
      if (silentMs >= current.leaseMs) {
        const lease = await this.writeLease(owner, operator, leaseMs, current, `lease of ${current.owner} unchanged for ${seconds(silentMs)} (its lease is ${seconds(current.leaseMs)})`);
        if (lease) return lease;
        watched = undefined;
        continue;
      }
      const poll = options.pollMs ?? Math.min(10_000, Math.max(1000, Math.floor(current.leaseMs / 10)));
      const left = options.patienceMs === undefined ? Number.POSITIVE_INFINITY : started + options.patienceMs - seenAt;
      if (left <= 0) {
        throw new LeaseHeldError(
          this.environment,
          current,
          `its lease has been unchanged for ${seconds(silentMs)} of the ${seconds(current.leaseMs)} after which a runner takes over, and this runner stopped waiting`,
        );
      }
      options.onWait?.(
        `${this.environment} is locked by ${current.operator} (${current.owner}); its lease has been unchanged for ${seconds(silentMs)} ` +
          `of ${seconds(current.leaseMs)}: taking over if it stays silent, giving up if it renews`,
      );
      const stop = options.signal;
      if (stop?.aborted) throw new LeaseHeldError(this.environment, current, `this runner stopped waiting (${stopWord(stop)})`);
      const aborted = stop ? new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true })) : undefined;
      await Promise.race([this.sleep(Math.max(1, Math.min(poll, left, current.leaseMs - silentMs))), ...(aborted ? [aborted] : [])]);
      if (stop?.aborted) throw new LeaseHeldError(this.environment, current, `this runner stopped waiting (${stopWord(stop)})`);
    }
  }

  /**
   * Writes the lock for `owner`: a new lock when `previous` is undefined, otherwise replacing
   * exactly `previous` (its version), with a takeover event when `takeover` says why.
   * @returns the lease, or undefined when someone else wrote the lock first.
   */
  private async writeLease(owner: string, operator: string, leaseMs: number, previous: LeaseRecord | undefined, takeover?: string): Promise<LeaseRecord | undefined> {
    const version = this.newVersion();
    const acquiredAt = previous?.owner === owner ? previous.acquiredAt : this.nowIso();
    const item = { ...this.lockKey, owner: s(owner), operator: s(operator), acquiredAt: s(acquiredAt), ...this.leaseAttributes(version, leaseMs) };
    const put = {
      TableName: this.tableName,
      Item: item,
      ConditionExpression: previous ? '#version = :previous' : 'attribute_not_exists(pk)',
      ExpressionAttributeNames: previous ? { '#version': 'version' } : undefined,
      ExpressionAttributeValues: previous ? { ':previous': s(previous.version) } : undefined,
    };
    return this.serial(async () => {
      const sentAt = this.monotonic();
      try {
        if (takeover && previous) {
          await this.client.send(
            new TransactWriteItemsCommand({ TransactItems: [{ Put: put }, { Put: this.eventItem('takeover', operator, takeover, leaseItem(previous)) }] }),
          );
        } else {
          await this.client.send(new PutItemCommand(put));
        }
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException) return undefined;
        throw error;
      }
      this.held.set(owner, { version, leaseMs, sentAt });
      const lease: LeaseRecord = {
        owner,
        operator,
        acquiredAt,
        version,
        leaseMs,
        renewedAt: item.renewedAt.S,
        expiresAt: Number(item.expiresAt.N),
      };
      return lease;
    });
  }

  /**
   * Extends `owner`'s lease by writing a new version (a heartbeat).
   * @throws LeaseLostError when it no longer holds it: taken over, or not renewed within its lease by this process's clock.
   */
  async renewLease(owner: string, ttlMs: number): Promise<LeaseRecord> {
    return this.serial(async () => {
      const held = this.validLease(owner);
      const version = this.newVersion();
      const attributes = this.leaseAttributes(version, ttlMs);
      const sentAt = this.monotonic();
      try {
        const { Attributes } = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: this.lockKey,
            UpdateExpression: 'SET #version = :version, #leaseMs = :leaseMs, #renewedAt = :renewedAt, #expiresAt = :expiresAt',
            ConditionExpression: '#owner = :owner AND #version = :held',
            ExpressionAttributeNames: { '#owner': 'owner', '#version': 'version', '#leaseMs': 'leaseMs', '#renewedAt': 'renewedAt', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: {
              ':owner': s(owner),
              ':held': s(held.version),
              ':version': attributes.version,
              ':leaseMs': attributes.leaseMs,
              ':renewedAt': attributes.renewedAt,
              ':expiresAt': attributes.expiresAt,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        this.held.set(owner, { version, leaseMs: ttlMs, sentAt });
        const parsed = parseLock(Attributes ?? {});
        if ('problems' in parsed) throw new MalformedLockError(this.environment, parsed.problems);
        return parsed.lease;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          this.held.delete(owner);
          throw new LeaseLostError(this.environment, owner, 'taken over: the lock no longer carries the version this runner wrote');
        }
        throw error;
      }
    });
  }

  /** Gives the lease up if `owner` still holds it; returns whether it did. */
  async releaseLease(owner: string): Promise<boolean> {
    return this.serial(async () => {
      const held = this.held.get(owner);
      this.held.delete(owner);
      try {
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: this.lockKey,
            ConditionExpression: held ? '#owner = :owner AND #version = :version' : '#owner = :owner',
            ExpressionAttributeNames: held ? { '#owner': 'owner', '#version': 'version' } : { '#owner': 'owner' },
            ExpressionAttributeValues: held ? { ':owner': s(owner), ':version': s(held.version) } : { ':owner': s(owner) },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    });
  }

  /** The LOCK item as it is now (strongly consistent): free, a lease, or malformed with its problems. */
  async readLock(): Promise<LockState> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.lockKey, ConsistentRead: true }));
    if (!Item) return { kind: 'free' };
    const parsed = parseLock(Item);
    if ('problems' in parsed) return { kind: 'malformed', problems: parsed.problems, item: describeItem(Item) };
    return { kind: 'held', lease: parsed.lease };
  }

  /** The current lease, or undefined when free. @throws MalformedLockError when the lock item is not a lease. */
  async readLease(): Promise<LeaseRecord | undefined> {
    const state = await this.readLock();
    if (state.kind === 'malformed') throw new MalformedLockError(this.environment, state.problems);
    return state.kind === 'held' ? state.lease : undefined;
  }

  /**
   * Removes the lock item whatever it holds (a lease, or a malformed item) and records who did it
   * and why, in one transaction that only deletes the item exactly as it was read.
   * @returns the removed item, attribute by attribute, or undefined when there was no lock.
   */
  async forceUnlock(operator: string, reason: string): Promise<Readonly<Record<string, string>> | undefined> {
    if (reason.trim() === '') throw new Error(`unlock of ${this.environment} needs a reason (--reason), recorded in the ledger`);
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.lockKey, ConsistentRead: true }));
    if (!Item) return undefined;
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const conditions = Object.entries(Item)
      .filter(([name]) => name !== 'pk' && name !== 'sk')
      .map(([name, value], index) => {
        names[`#a${index}`] = name;
        if (value.S !== undefined || value.N !== undefined || value.BOOL !== undefined) {
          values[`:v${index}`] = value;
          return `#a${index} = :v${index}`;
        }
        values[`:v${index}`] = s(typeName(value));
        return `attribute_type(#a${index}, :v${index})`;
      });
    const previousLock = describeItem(Item);
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: this.lockKey,
                ConditionExpression: ['attribute_exists(sk)', ...conditions].join(' AND '),
                ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
                ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
              },
            },
            { Put: this.eventItem('unlock', operator, reason.trim(), previousLock) },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new Error(`the lock of ${this.environment} changed while it was being removed (another runner wrote it); look at \`status\` and unlock again if you still mean to`);
      }
      throw error;
    }
    return previousLock;
  }

  /** The audit trail (forced unlocks, takeovers), oldest first. */
  async events(): Promise<LedgerEvent[]> {
    const items = await this.query(EVENT_PREFIX);
    return items.map((item) => ({
      kind: (item['kind']?.S ?? 'unlock') as LedgerEvent['kind'],
      at: item['at']?.S ?? '',
      operator: item['operator']?.S ?? '',
      reason: item['reason']?.S ?? '',
      previousLock: Object.fromEntries(Object.entries(item['previousLock']?.M ?? {}).map(([k, v]) => [k, v.S ?? ''])),
    }));
  }

  private eventItem(kind: LedgerEvent['kind'], operator: string, reason: string, previousLock: Readonly<Record<string, string>>) {
    const at = this.nowIso();
    return {
      TableName: this.tableName,
      Item: {
        pk: s(this.pk),
        sk: s(`${EVENT_PREFIX}${at}#${kind}#${randomUUID().slice(0, 8)}`),
        kind: s(kind),
        at: s(at),
        operator: s(operator),
        reason: s(reason),
        previousLock: { M: Object.fromEntries(Object.entries(previousLock).map(([k, v]) => [k, s(v)])) },
      },
    };
  }

  private async query(prefix: string): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': s(this.pk), ':prefix': s(prefix) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every step record of the environment, in plan order (strongly consistent). */
  async steps(): Promise<StepRecord[]> {
    const records = (await this.query('STEP#')).map(toRecord);
    return records.sort((a, b) => a.position - b.position);
  }

  /**
   * Marks a step running (attempt + 1). Allowed when the step never ran, failed, was
   * interrupted, was rolled back, or was left running by a runner that has since lost the lease.
   * @returns the attempt number.
   */
  async beginStep(owner: string, operator: string, step: StepKey): Promise<number> {
    const update: TransactWriteItem = {
      Update: {
        TableName: this.tableName,
        Key: this.stepKey(step),
        UpdateExpression:
          'SET #stepId = :id, #position = :position, #phase = :phase, #title = :title, #status = :running, #owner = :owner, #operator = :operator, ' +
          '#startedAt = :now, #attempt = if_not_exists(#attempt, :zero) + :one REMOVE #finishedAt, #error, #rolledBackAt, #rollbackNote',
        ConditionExpression:
          'attribute_not_exists(pk) OR #status IN (:failed, :interrupted, :rolledBack) OR (#status = :running AND #owner <> :owner)',
        ExpressionAttributeNames: {
          '#stepId': 'stepId', '#position': 'position', '#phase': 'phase', '#title': 'title', '#status': 'status', '#owner': 'owner',
          '#operator': 'operator', '#startedAt': 'startedAt', '#attempt': 'attempt', '#finishedAt': 'finishedAt', '#error': 'error',
          '#rolledBackAt': 'rolledBackAt', '#rollbackNote': 'rollbackNote',
        },
        ExpressionAttributeValues: {
          ':id': s(step.stepId), ':position': n(step.position), ':phase': s(step.phase), ':title': s(step.title),
          ':running': s('running'), ':failed': s('failed'), ':interrupted': s('interrupted'), ':rolledBack': s('rolled-back'),
          ':owner': s(owner), ':operator': s(operator), ':now': s(this.nowIso()), ':zero': n(0), ':one': n(1),
        },
      },
    };
    await this.transact(owner, update, step.stepId, 'start');
    const record = (await this.steps()).find((r) => r.stepId === step.stepId);
    return record?.attempt ?? 1;
  }

  /** running → completed, with the step's outputs. */
  async completeStep(owner: string, step: StepKey, outputs: Readonly<Record<string, string>>): Promise<void> {
    await this.transition(owner, step, 'running', 'completed', 'complete', {
      set: '#finishedAt = :now, #outputs = :outputs',
      values: { ':outputs': { M: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, s(v)])) } },
    });
  }

  /** running → failed, with the error message. */
  async failStep(owner: string, step: StepKey, error: string): Promise<void> {
    await this.transition(owner, step, 'running', 'failed', 'fail', { set: '#finishedAt = :now, #error = :error', values: { ':error': s(error.slice(0, 4000)) } });
  }

  /**
   * running → interrupted: the run was stopped (Ctrl-C) while this step waited. The next run
   * with --resume starts it again as a new attempt.
   */
  async interruptStep(owner: string, step: StepKey, reason: string): Promise<void> {
    await this.transition(owner, step, 'running', 'interrupted', 'be marked interrupted', { set: '#finishedAt = :now, #error = :error', values: { ':error': s(reason.slice(0, 4000)) } });
  }

  /** completed | failed | interrupted | running (by a runner that lost the lease) | rollback-failed → rolling-back. */
  async beginRollback(owner: string, step: StepKey): Promise<void> {
    const update: TransactWriteItem = {
      Update: {
        TableName: this.tableName,
        Key: this.stepKey(step),
        UpdateExpression: 'SET #status = :rollingBack, #owner = :owner, #rollbackStartedAt = :now',
        ConditionExpression: '#status IN (:completed, :failed, :interrupted, :rollbackFailed) OR (#status IN (:running, :rollingBack) AND #owner <> :owner)',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#rollbackStartedAt': 'rollbackStartedAt' },
        ExpressionAttributeValues: {
          ':rollingBack': s('rolling-back'), ':completed': s('completed'), ':failed': s('failed'), ':interrupted': s('interrupted'),
          ':rollbackFailed': s('rollback-failed'),
          ':running': s('running'), ':owner': s(owner), ':now': s(this.nowIso()),
        },
      },
    };
    await this.transact(owner, update, step.stepId, 'start rolling back');
  }

  /** rolling-back → rolled-back (with a note on what was undone). */
  async completeRollback(owner: string, step: StepKey, note: string): Promise<void> {
    await this.transition(owner, step, 'rolling-back', 'rolled-back', 'finish rolling back', { set: '#rolledBackAt = :now, #rollbackNote = :note', values: { ':note': s(note) } });
  }

  /** rolling-back → rollback-failed. */
  async failRollback(owner: string, step: StepKey, error: string): Promise<void> {
    await this.transition(owner, step, 'rolling-back', 'rollback-failed', 'fail rolling back', { set: '#error = :error', values: { ':error': s(error.slice(0, 4000)) } });
  }

  private stepKey(step: StepKey): Record<string, AttributeValue> {
    return { pk: s(this.pk), sk: s(stepSortKey(step.position, step.stepId)) };
  }

  private async transition(
    owner: string,
    step: StepKey,
    from: StepStatus,
    to: StepStatus,
    verb: string,
    extra: { set: string; values: Record<string, AttributeValue> },
  ): Promise<void> {
    await this.transact(
      owner,
      {
        Update: {
          TableName: this.tableName,
          Key: this.stepKey(step),
          UpdateExpression: `SET #status = :to, ${extra.set}`,
          ConditionExpression: '#status = :from AND #owner = :owner',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#owner': 'owner',
            ...Object.fromEntries([...extra.set.matchAll(/#(\w+)/g)].map((m) => [`#${m[1]}`, m[1]])),
          },
          // DynamoDB refuses values the expressions do not use, so `:now` only when the update sets a time.
          ExpressionAttributeValues: { ':to': s(to), ':from': s(from), ':owner': s(owner), ...(extra.set.includes(':now') ? { ':now': s(this.nowIso()) } : {}), ...extra.values },
        },
      },
      step.stepId,
      verb,
    );
  }

  /**
   * Runs `write` in a transaction with the renewal of `owner`'s lease, conditioned on the
   * version this process wrote last: a step transition is also a heartbeat.
   */
  private async transact(owner: string, write: TransactWriteItem, stepId: string, verb: string): Promise<void> {
    await this.serial(async () => {
      const held = this.validLease(owner);
      const version = this.newVersion();
      const attributes = this.leaseAttributes(version, held.leaseMs);
      const sentAt = this.monotonic();
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: this.lockKey,
                  UpdateExpression: 'SET #version = :version, #renewedAt = :renewedAt, #expiresAt = :expiresAt',
                  ConditionExpression: '#owner = :owner AND #version = :held',
                  ExpressionAttributeNames: { '#owner': 'owner', '#version': 'version', '#renewedAt': 'renewedAt', '#expiresAt': 'expiresAt' },
                  ExpressionAttributeValues: {
                    ':owner': s(owner),
                    ':held': s(held.version),
                    ':version': attributes.version,
                    ':renewedAt': attributes.renewedAt,
                    ':expiresAt': attributes.expiresAt,
                  },
                },
              },
              write,
            ],
          }),
        );
        this.held.set(owner, { version, leaseMs: held.leaseMs, sentAt });
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const [lease, item] = error.CancellationReasons ?? [];
          if (lease?.Code === 'ConditionalCheckFailed') {
            this.held.delete(owner);
            throw new LeaseLostError(this.environment, owner, 'taken over: the lock no longer carries the version this runner wrote');
          }
          if (item?.Code === 'ConditionalCheckFailed') throw new StepConflictError(this.environment, stepId, verb);
        }
        throw error;
      }
    });
  }
}

/** A lock item's attributes as readable strings (`owner: S runner-a`), without the keys. */
function describeItem(item: Readonly<Record<string, AttributeValue>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(item)
      .filter(([name]) => name !== 'pk' && name !== 'sk')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => [name, describeAttribute(value)]),
  );
}

/** A lease as the attribute strings of its lock item (for the takeover event). */
function leaseItem(lease: LeaseRecord): Record<string, string> {
  return describeItem({
    owner: s(lease.owner),
    operator: s(lease.operator),
    acquiredAt: s(lease.acquiredAt),
    renewedAt: s(lease.renewedAt),
    version: s(lease.version),
    leaseMs: n(lease.leaseMs),
    expiresAt: n(lease.expiresAt),
  });
}

function toRecord(item: Record<string, AttributeValue>): StepRecord {
  const outputs = Object.fromEntries(Object.entries(item['outputs']?.M ?? {}).map(([k, v]) => [k, v.S ?? '']));
  return {
    position: Number(item['position']?.N ?? 0),
    stepId: item['stepId']?.S ?? '',
    phase: item['phase']?.S ?? '',
    title: item['title']?.S ?? '',
    status: (item['status']?.S ?? 'failed') as StepStatus,
    attempt: Number(item['attempt']?.N ?? 0),
    owner: item['owner']?.S ?? '',
    operator: item['operator']?.S ?? '',
    startedAt: item['startedAt']?.S ?? '',
    finishedAt: item['finishedAt']?.S,
    outputs,
    error: item['error']?.S,
    rolledBackAt: item['rolledBackAt']?.S,
    rollbackNote: item['rollbackNote']?.S,
  };
}
