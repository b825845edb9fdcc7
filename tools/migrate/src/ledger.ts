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
 * The migration ledger: one DynamoDB item per step and one lease lock per environment,
 * in the ops account's table (`ops-migration-ledger`, see libs/data migration-ledger.ts):
 *
 *   pk = ENV#<env>   sk = STEP#<0000>#<step id>   status, attempt, timestamps, operator, outputs
 *   pk = ENV#<env>   sk = LOCK                    owner, operator, acquiredAt, expiresAt (TTL, epoch s)
 *
 * Every step transition is a transaction that also checks the caller still holds the
 * lease, so a runner that lost its lease (paused, partitioned, taken over) cannot record
 * anything, and each step starts only from a state that allows it: a step runs once.
 */

export type StepStatus = 'running' | 'completed' | 'failed' | 'rolling-back' | 'rolled-back' | 'rollback-failed';

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
  readonly owner: string;
  readonly operator: string;
  readonly acquiredAt: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** Identifies a step in the ledger. */
export interface StepKey {
  readonly position: number;
  readonly stepId: string;
  readonly phase: string;
  readonly title: string;
}

/** Another runner holds the environment's lease and it has not expired. */
export class LeaseHeldError extends Error {
  constructor(
    public readonly environment: string,
    public readonly lease: LeaseRecord | undefined,
  ) {
    super(
      lease
        ? `${environment} is locked by ${lease.operator} (${lease.owner}) until ${new Date(lease.expiresAt * 1000).toISOString()}; ` +
            `wait for that run to finish, or for the lease to expire if it crashed, then run again with --resume`
        : `${environment} is locked by another runner`,
    );
    this.name = 'LeaseHeldError';
  }
}

/** This runner no longer holds the lease (it expired and someone took over): stop at once. */
export class LeaseLostError extends Error {
  constructor(environment: string, owner: string) {
    super(`${owner} lost the lease on ${environment} (expired or taken over); stopping without recording anything further`);
    this.name = 'LeaseLostError';
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
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
}

export const stepSortKey = (position: number, stepId: string): string => `STEP#${String(position).padStart(4, '0')}#${stepId}`;
export const LOCK_SORT_KEY = 'LOCK';

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

export class Ledger {
  public readonly tableName: string;
  public readonly environment: string;
  private readonly client: DynamoDBClient;
  private readonly clock: () => number;
  private readonly pk: string;

  constructor(options: LedgerOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.environment = options.environment;
    this.clock = options.clock ?? Date.now;
    this.pk = `ENV#${options.environment}`;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  private nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  /**
   * Takes the environment's lease for `ttlMs`: succeeds when there is no lease, when it
   * expired (a crashed run), or when `owner` already holds it.
   * @throws LeaseHeldError naming the holder otherwise.
   */
  async acquireLease(owner: string, operator: string, ttlMs: number): Promise<LeaseRecord> {
    const lease: LeaseRecord = { owner, operator, acquiredAt: this.nowIso(), expiresAt: this.nowSeconds() + Math.ceil(ttlMs / 1000) };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: s(this.pk), sk: s(LOCK_SORT_KEY), owner: s(owner), operator: s(operator), acquiredAt: s(lease.acquiredAt), expiresAt: n(lease.expiresAt) },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': n(this.nowSeconds()), ':owner': s(owner) },
        }),
      );
      return lease;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseHeldError(this.environment, await this.readLease());
      throw error;
    }
  }

  /** Extends the lease; @throws LeaseLostError when `owner` no longer holds an unexpired lease. */
  async renewLease(owner: string, ttlMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: s(this.pk), sk: s(LOCK_SORT_KEY) },
          UpdateExpression: 'SET #expiresAt = :expires',
          ConditionExpression: '#owner = :owner AND #expiresAt > :now',
          ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':owner': s(owner), ':now': n(this.nowSeconds()), ':expires': n(this.nowSeconds() + Math.ceil(ttlMs / 1000)) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(this.environment, owner);
      throw error;
    }
  }

  /** Gives the lease up if `owner` still holds it; returns whether it did. */
  async releaseLease(owner: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { pk: s(this.pk), sk: s(LOCK_SORT_KEY) },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': s(owner) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async readLease(): Promise<LeaseRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: s(this.pk), sk: s(LOCK_SORT_KEY) }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { owner: Item['owner']?.S ?? '', operator: Item['operator']?.S ?? '', acquiredAt: Item['acquiredAt']?.S ?? '', expiresAt: Number(Item['expiresAt']?.N ?? 0) };
  }

  /** Whether a lease exists and has not expired (TTL deletion is lazy, so this compares itself). */
  isLive(lease: LeaseRecord | undefined): boolean {
    return lease !== undefined && lease.expiresAt > this.nowSeconds();
  }

  /** Every step record of the environment, in plan order (strongly consistent). */
  async steps(): Promise<StepRecord[]> {
    const records: StepRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
          ExpressionAttributeValues: { ':pk': s(this.pk), ':step': s('STEP#') },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) records.push(toRecord(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => a.position - b.position);
  }

  /**
   * Marks a step running (attempt + 1). Allowed when the step never ran, failed, was
   * rolled back, or was left running by a runner that has since lost the lease.
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
          'attribute_not_exists(pk) OR #status IN (:failed, :rolledBack) OR (#status = :running AND #owner <> :owner)',
        ExpressionAttributeNames: {
          '#stepId': 'stepId', '#position': 'position', '#phase': 'phase', '#title': 'title', '#status': 'status', '#owner': 'owner',
          '#operator': 'operator', '#startedAt': 'startedAt', '#attempt': 'attempt', '#finishedAt': 'finishedAt', '#error': 'error',
          '#rolledBackAt': 'rolledBackAt', '#rollbackNote': 'rollbackNote',
        },
        ExpressionAttributeValues: {
          ':id': s(step.stepId), ':position': n(step.position), ':phase': s(step.phase), ':title': s(step.title),
          ':running': s('running'), ':failed': s('failed'), ':rolledBack': s('rolled-back'),
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

  /** completed | failed | running (by a runner that lost the lease) | rollback-failed → rolling-back. */
  async beginRollback(owner: string, step: StepKey): Promise<void> {
    const update: TransactWriteItem = {
      Update: {
        TableName: this.tableName,
        Key: this.stepKey(step),
        UpdateExpression: 'SET #status = :rollingBack, #owner = :owner, #rollbackStartedAt = :now',
        ConditionExpression: '#status IN (:completed, :failed, :rollbackFailed) OR (#status IN (:running, :rollingBack) AND #owner <> :owner)',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner', '#rollbackStartedAt': 'rollbackStartedAt' },
        ExpressionAttributeValues: {
          ':rollingBack': s('rolling-back'), ':completed': s('completed'), ':failed': s('failed'), ':rollbackFailed': s('rollback-failed'),
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
          ExpressionAttributeValues: { ':to': s(to), ':from': s(from), ':owner': s(owner), ':now': s(this.nowIso()), ...extra.values },
        },
      },
      step.stepId,
      verb,
    );
  }

  /** Runs `write` in a transaction with a check that `owner` holds an unexpired lease. */
  private async transact(owner: string, write: TransactWriteItem, stepId: string, verb: string): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: { pk: s(this.pk), sk: s(LOCK_SORT_KEY) },
                ConditionExpression: '#owner = :owner AND expiresAt > :now',
                ExpressionAttributeNames: { '#owner': 'owner' },
                ExpressionAttributeValues: { ':owner': s(owner), ':now': n(this.nowSeconds()) },
              },
            },
            write,
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const [lease, item] = error.CancellationReasons ?? [];
        if (lease?.Code === 'ConditionalCheckFailed') throw new LeaseLostError(this.environment, owner);
        if (item?.Code === 'ConditionalCheckFailed') throw new StepConflictError(this.environment, stepId, verb);
      }
      throw error;
    }
  }
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
