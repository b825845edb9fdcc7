import { GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoForSpec } from '@estate/testing';
import {
  describeAttribute,
  LEASE_MS_RANGE,
  LeaseHeldError,
  LeaseLostError,
  Ledger,
  MalformedLockError,
  parseLock,
  StepConflictError,
  stepSortKey,
  type LedgerOptions,
} from './ledger';

// The ledger's edges: what each record and error says exactly, every step and rollback
// transition, the lease wait's timing and stop, races on the lock, and errors that are not
// DynamoDB's condition failures (passed on as they are). On DynamoDB Local.

const TABLE = 'ops-migration-ledger';
const START = Date.parse('2026-03-01T10:00:00Z');
const dynamo = localDynamoForSpec(TABLE);


let envCounter = 0;
const freshEnvironment = () => `edges${++envCounter}`;

/** A ledger on virtual time: `time.now` moves only when the test or the ledger's sleep moves it; every sleep is recorded. */
function ledgerOn(environment: string, overrides: Partial<LedgerOptions> = {}) {
  const time = { now: START, sleeps: [] as number[] };
  let version = 0;
  const ledger = new Ledger({
    client: dynamo.client,
    tableName: TABLE,
    environment,
    clock: () => time.now,
    monotonic: () => time.now - START,
    sleep: async (ms) => {
      time.sleeps.push(ms);
      time.now += ms;
    },
    newVersion: () => `v${++version}`,
    ...overrides,
  });
  return { ledger, time };
}

/** A client that records every command's input and can throw instead of sending, as a broken network would. */
function recordingClient(fail?: (command: object) => Error | undefined) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      const error = fail?.(command);
      if (error) throw error;
      return dynamo.client.send(command as never);
    },
  } as unknown as DynamoDBClient;
  return { client, sent };
}

const key = (environment: string, sk: string) => ({ pk: { S: `ENV#${environment}` }, sk: { S: sk } });
const putItem = (environment: string, sk: string, attributes: Record<string, AttributeValue>) =>
  dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: { ...key(environment, sk), ...attributes } }));
const lockOf = (owner: string, version: string, leaseMs = 60_000): Record<string, AttributeValue> => ({
  owner: { S: owner },
  operator: { S: `${owner}-operator` },
  version: { S: version },
  leaseMs: { N: String(leaseMs) },
  expiresAt: { N: '1' },
  acquiredAt: { S: '2026-03-01T09:00:00.000Z' },
  renewedAt: { S: '2026-03-01T09:59:00.000Z' },
});

const step = { position: 3, stepId: 'full-load', phase: 'data', title: 'copy the data' };

describe('errors and record keys', () => {
  it('names each error class and says what happened', () => {
    const lease = { owner: 'runner-a', operator: 'alice', version: 'v1', leaseMs: 90_500, acquiredAt: '', renewedAt: '2026-03-01T10:00:00.000Z', expiresAt: 1 };
    const held = new LeaseHeldError('dev', lease);
    expect(held.name).toBe('LeaseHeldError');
    expect(held.message).toBe(
      'dev is locked by alice (runner-a), lease 90 s, last renewed 2026-03-01T10:00:00.000Z by its clock. Wait for that run to finish, then run again with --resume; ' +
        'if you know it is dead, `unlock --force --reason <why>`',
    );
    expect(new LeaseHeldError('dev', lease, 'it is alive').message).toContain('by its clock; it is alive. Wait');
    expect(new LeaseHeldError('dev', undefined).message).toBe('dev is locked by another runner');
    const lost = new LeaseLostError('dev', 'runner-a');
    expect([lost.name, lost.message]).toEqual(['LeaseLostError', 'runner-a lost the lease on dev (expired or taken over); stopping without recording anything further']);
    expect(new MalformedLockError('dev', ['a', 'b']).name).toBe('MalformedLockError');
    const conflict = new StepConflictError('dev', 'deploy', 'complete');
    expect([conflict.name, conflict.message]).toEqual(['StepConflictError', 'dev: step deploy cannot complete: the ledger shows another state (it already ran, or another runner has it)']);
  });

  it('keys steps by zero-padded position and id, and describes attributes of any type', () => {
    expect(stepSortKey(3, 'full-load')).toBe('STEP#0003#full-load');
    expect(stepSortKey(12345, 'x')).toBe('STEP#12345#x');
    expect(describeAttribute({ S: 'runner-a' })).toBe('S runner-a');
    expect(describeAttribute({ N: '42' })).toBe('N 42');
    expect(describeAttribute({ BOOL: false })).toBe('BOOL false');
    expect(describeAttribute({} as AttributeValue)).toBe('? undefined');
  });
});

describe('parseLock', () => {
  const good: Record<string, AttributeValue> = { owner: { S: 'runner-a' }, version: { S: 'v1' }, leaseMs: { N: '60000' }, expiresAt: { N: '1772445600' } };

  it('reads a lease whose optional texts are absent as empty', () => {
    expect(parseLock(good)).toEqual({ lease: { owner: 'runner-a', operator: '', version: 'v1', acquiredAt: '', renewedAt: '', expiresAt: 1772445600, leaseMs: 60000 } });
  });

  it.each([
    [LEASE_MS_RANGE.min, true],
    [LEASE_MS_RANGE.max, true],
    [LEASE_MS_RANGE.min - 1, false],
    [LEASE_MS_RANGE.max + 1, false],
    [1000.5, false],
  ])('a lease of %d ms is accepted: %s', (leaseMs, accepted) => {
    const parsed = parseLock({ ...good, leaseMs: { N: String(leaseMs) } });
    expect(parsed).toEqual(accepted ? { lease: expect.objectContaining({ leaseMs }) } : { problems: [`leaseMs is ${leaseMs}, expected whole milliseconds from 1000 to 86400000`] });
  });

  it('names a number that is not finite', () => {
    expect(parseLock({ ...good, expiresAt: { N: 'Infinity' } })).toEqual({ problems: ['expiresAt is N Infinity, expected a number (N)'] });
  });

  it.each([LEASE_MS_RANGE.min, LEASE_MS_RANGE.max])('acquires a lease of exactly %d ms', async (leaseMs) => {
    const { ledger } = ledgerOn(freshEnvironment());
    expect(await ledger.acquireLease('runner-a', 'alice', leaseMs)).toMatchObject({ leaseMs });
  });
});

describe('reading the lock and the records', () => {
  it('reads free, held and malformed locks, strongly consistent, and readLease gives the lease or undefined', async () => {
    const environment = freshEnvironment();
    const { client, sent } = recordingClient();
    const { ledger } = ledgerOn(environment, { client });
    expect(await ledger.readLock()).toEqual({ kind: 'free' });
    expect(await ledger.readLease()).toBeUndefined();
    const lease = await ledger.acquireLease('runner-a', 'alice', 60_000);
    expect(await ledger.readLock()).toEqual({ kind: 'held', lease });
    expect(await ledger.readLease()).toEqual(lease);
    await putItem(environment, 'LOCK', { owner: { S: 'runner-a' } });
    await expect(ledger.readLease()).rejects.toThrow(MalformedLockError);
    await ledger.forceUnlock('bob', 'test');
    await ledger.events();
    await ledger.steps();
    const reads = sent.filter((c) => c.name === 'GetItemCommand' || c.name === 'QueryCommand');
    expect(reads.length).toBeGreaterThanOrEqual(7);
    for (const read of reads) expect(read.input['ConsistentRead']).toBe(true);
  });

  it('reads step records in plan order, with defaults for attributes a record lacks', async () => {
    const environment = freshEnvironment();
    await putItem(environment, stepSortKey(2, 'b'), { stepId: { S: 'b' }, position: { N: '2' }, status: { S: 'completed' }, outputs: { M: { arn: { S: 'x' }, odd: { N: '1' } } } });
    await putItem(environment, stepSortKey(10, 'c'), { stepId: { S: 'c' }, position: { N: '10' } });
    await putItem(environment, stepSortKey(1, 'a'), { stepId: { S: 'a' }, position: { N: '1' }, phase: { S: 'p' }, title: { S: 't' }, status: { S: 'rolled-back' }, rolledBackAt: { S: 'then' }, rollbackNote: { S: 'undone' } });
    await putItem(environment, stepSortKey(0, 'bare'), {});
    const { ledger } = ledgerOn(environment);
    expect(await ledger.steps()).toEqual([
      { position: 0, stepId: '', phase: '', title: '', status: 'failed', attempt: 0, owner: '', operator: '', startedAt: '', finishedAt: undefined, outputs: {}, error: undefined, rolledBackAt: undefined, rollbackNote: undefined },
      expect.objectContaining({ position: 1, stepId: 'a', phase: 'p', title: 't', status: 'rolled-back', rolledBackAt: 'then', rollbackNote: 'undone' }),
      expect.objectContaining({ position: 2, stepId: 'b', status: 'completed', outputs: { arn: 'x', odd: '' } }),
      expect.objectContaining({ position: 10, stepId: 'c' }),
    ]);
  });

  it('reads an event item that lacks attributes with empty defaults', async () => {
    const environment = freshEnvironment();
    await putItem(environment, 'EVENT#2026-03-01T10:00:00.000Z#unlock#0000abcd', {});
    expect(await ledgerOn(environment).ledger.events()).toEqual([{ kind: 'unlock', at: '', operator: '', reason: '', previousLock: {} }]);
  });

  it('records the removed lock without its keys, attributes sorted by name', async () => {
    const environment = freshEnvironment();
    await putItem(environment, 'LOCK', { zeta: { S: 'z' }, owner: { S: 'runner-a' }, alpha: { N: '1' }, flag: { BOOL: true }, tags: { M: { a: { S: 'b' } } } });
    const { ledger } = ledgerOn(environment);
    const removed = await ledger.forceUnlock('bob', 'stale');
    expect(Object.keys(removed ?? {})).toEqual(['alpha', 'flag', 'owner', 'tags', 'zeta']);
    expect(removed).toEqual({ alpha: 'N 1', flag: 'BOOL true', owner: 'S runner-a', tags: 'M {"a":{"S":"b"}}', zeta: 'S z' });
    expect((await ledger.events())[0].previousLock).toEqual(removed);
    expect(await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: key(environment, 'LOCK'), ConsistentRead: true }))).not.toHaveProperty('Item');
  });

  it('conditions the removal on every attribute as read: equal for strings, numbers and booleans, the type for the rest', async () => {
    const environment = freshEnvironment();
    await putItem(environment, 'LOCK', { owner: { S: 'runner-a' }, leaseMs: { N: '5' }, flag: { BOOL: false }, tags: { L: [{ S: 'x' }] } });
    const { client, sent } = recordingClient();
    await ledgerOn(environment, { client }).ledger.forceUnlock('bob', 'stale');
    const transaction = sent.find((c) => c.name === 'TransactWriteItemsCommand')?.input as { TransactItems: { Delete?: Record<string, unknown> }[] };
    const remove = transaction.TransactItems[0].Delete ?? {};
    const names = remove['ExpressionAttributeNames'] as Record<string, string>;
    const values = remove['ExpressionAttributeValues'] as Record<string, AttributeValue>;
    expect(Object.values(names).sort()).toEqual(['flag', 'leaseMs', 'owner', 'tags']);
    const byName = Object.fromEntries(Object.entries(names).map(([alias, name]) => [name, alias]));
    const condition = String(remove['ConditionExpression']);
    expect(condition.startsWith('attribute_exists(sk) AND ')).toBe(true);
    for (const name of ['owner', 'leaseMs', 'flag']) expect(condition).toContain(`${byName[name]} = :v${byName[name].slice(2)}`);
    expect(condition).toContain(`attribute_type(${byName['tags']}, :v${byName['tags'].slice(2)})`);
    expect(values[`:v${byName['tags'].slice(2)}`]).toEqual({ S: 'L' });
    expect(values[`:v${byName['flag'].slice(2)}`]).toEqual({ BOOL: false });
  });
});

describe('step and rollback transitions', () => {
  it('runs a step through failure, a new attempt, completion and rollback, with each record exact', async () => {
    const environment = freshEnvironment();
    const { ledger, time } = ledgerOn(environment);
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    expect(await ledger.beginStep('runner-a', 'alice', step)).toBe(1);
    time.now += 1000;
    await ledger.failStep('runner-a', step, `boom ${'x'.repeat(5000)}`);
    const [failed] = await ledger.steps();
    expect(failed).toMatchObject({ status: 'failed', attempt: 1, finishedAt: new Date(START + 1000).toISOString() });
    expect(failed.error).toBe(`boom ${'x'.repeat(3995)}`);
    await expect(ledger.failStep('runner-a', step, 'again')).rejects.toThrow(new StepConflictError(environment, step.stepId, 'fail'));

    expect(await ledger.beginStep('runner-a', 'alice', step)).toBe(2);
    expect((await ledger.steps())[0]).toMatchObject({ status: 'running', attempt: 2, error: undefined, finishedAt: undefined });
    await ledger.completeStep('runner-a', step, { arn: 'arn:x', count: '3' });
    expect((await ledger.steps())[0]).toMatchObject({ status: 'completed', outputs: { arn: 'arn:x', count: '3' } });
    await expect(ledger.completeStep('runner-a', step, {})).rejects.toThrow(new StepConflictError(environment, step.stepId, 'complete'));
    await expect(ledger.beginStep('runner-a', 'alice', step)).rejects.toThrow(new StepConflictError(environment, step.stepId, 'start'));

    await ledger.beginRollback('runner-a', step);
    expect((await ledger.steps())[0].status).toBe('rolling-back');
    await ledger.failRollback('runner-a', step, `stuck ${'y'.repeat(5000)}`);
    const [rollbackFailed] = await ledger.steps();
    expect(rollbackFailed).toMatchObject({ status: 'rollback-failed', error: `stuck ${'y'.repeat(3994)}` });
    await expect(ledger.failRollback('runner-a', step, 'x')).rejects.toThrow(new StepConflictError(environment, step.stepId, 'fail rolling back'));
    await ledger.beginRollback('runner-a', step);
    await expect(ledger.beginRollback('runner-a', step)).rejects.toThrow(new StepConflictError(environment, step.stepId, 'start rolling back'));
    time.now += 1000;
    await ledger.completeRollback('runner-a', step, 'dropped the task');
    expect((await ledger.steps())[0]).toMatchObject({ status: 'rolled-back', rolledBackAt: new Date(START + 2000).toISOString(), rollbackNote: 'dropped the task' });
    await expect(ledger.completeRollback('runner-a', step, 'x')).rejects.toThrow(new StepConflictError(environment, step.stepId, 'finish rolling back'));
    // A rolled-back step may run again.
    expect(await ledger.beginStep('runner-a', 'alice', step)).toBe(3);
  });

  it('cuts a long interruption reason to 4000 characters, and starts an interrupted step again', async () => {
    const { ledger } = ledgerOn(freshEnvironment());
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    await ledger.beginStep('runner-a', 'alice', step);
    await ledger.interruptStep('runner-a', step, 'z'.repeat(4500));
    expect((await ledger.steps())[0]).toMatchObject({ status: 'interrupted', error: 'z'.repeat(4000) });
    await expect(ledger.interruptStep('runner-a', step, 'again')).rejects.toThrow(new StepConflictError('edges' + envCounter, step.stepId, 'be marked interrupted'));
    expect(await ledger.beginStep('runner-a', 'alice', step)).toBe(2);
  });

  it('rolls back a failed or interrupted step, and one left running or rolling back by a runner that lost the lease', async () => {
    const environment = freshEnvironment();
    const { ledger } = ledgerOn(environment);
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    const steps = [1, 2, 3, 4].map((position) => ({ ...step, position, stepId: `s${position}` }));
    for (const s of steps) await ledger.beginStep('runner-a', 'alice', s);
    await ledger.failStep('runner-a', steps[0], 'boom');
    await ledger.interruptStep('runner-a', steps[1], 'SIGINT');
    await ledger.completeStep('runner-a', steps[3], {});
    await ledger.beginRollback('runner-a', steps[3]);
    // Its own running step cannot be rolled back; nor started twice.
    await expect(ledger.beginRollback('runner-a', steps[2])).rejects.toThrow(StepConflictError);
    await expect(ledger.beginStep('runner-a', 'alice', steps[2])).rejects.toThrow(StepConflictError);
    await ledger.releaseLease('runner-a');

    const { ledger: next } = ledgerOn(environment);
    await next.acquireLease('runner-b', 'bob', 60_000);
    for (const s of steps) await next.beginRollback('runner-b', s);
    expect((await next.steps()).map((r) => [r.stepId, r.status, r.owner])).toEqual(steps.map((s) => [s.stepId, 'rolling-back', 'runner-b']));
    // A step another runner left running may also be started again.
    const { ledger: third } = ledgerOn(environment);
    await next.releaseLease('runner-b');
    await third.acquireLease('runner-c', 'carol', 60_000);
    await expect(third.beginStep('runner-c', 'carol', steps[0])).rejects.toThrow(StepConflictError);
  });
});

describe('waiting for another runner', () => {
  it.each([
    [30_000, 3000],
    [5000, 1000],
    [200_000, 10_000],
  ])('looks again every tenth of a %d ms lease (%d ms, between 1 s and 10 s), and never past the lease', async (leaseMs, poll) => {
    const environment = freshEnvironment();
    await putItem(environment, 'LOCK', lockOf('runner-a', 'a1', leaseMs));
    const { ledger, time } = ledgerOn(environment);
    const lease = await ledger.acquireLease('runner-b', 'bob', 60_000);
    expect(lease.owner).toBe('runner-b');
    expect(time.sleeps.slice(0, -1).every((ms) => ms === poll)).toBe(true);
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBe(leaseMs);
    expect(time.sleeps[time.sleeps.length - 1]).toBe(leaseMs % poll === 0 ? poll : leaseMs % poll);
  });

  it('sleeps no longer than the lease has left, with a long pollMs', async () => {
    const environment = freshEnvironment();
    await putItem(environment, 'LOCK', lockOf('runner-a', 'a1', 4000));
    const { ledger, time } = ledgerOn(environment);
    await ledger.acquireLease('runner-b', 'bob', 60_000, { pollMs: 3000 });
    expect(time.sleeps).toEqual([3000, 1000]);
  });

  it.each([
    ['SIGINT', 'SIGINT'],
    ['', 'interrupted'],
    [undefined, 'interrupted'],
  ])('stops waiting when the signal is aborted with reason %j, saying "%s"', async (reason, word) => {
    const environment = freshEnvironment();
    await putItem(environment, 'LOCK', lockOf('runner-a', 'a1'));
    const before = new AbortController();
    before.abort(reason);
    await expect(ledgerOn(environment).ledger.acquireLease('runner-b', 'bob', 60_000, { signal: before.signal })).rejects.toThrow(`; this runner stopped waiting (${word}). Wait`);

    const during = new AbortController();
    let waits = 0;
    const { ledger } = ledgerOn(environment, { sleep: () => new Promise<void>(() => undefined) });
    const acquiring = ledger.acquireLease('runner-b', 'bob', 60_000, { signal: during.signal, onWait: () => waits++ });
    await new Promise((resolve) => setTimeout(resolve, 50));
    during.abort(reason);
    await expect(acquiring).rejects.toThrow(`; this runner stopped waiting (${word}). Wait`);
    expect(waits).toBe(1);
  });
});

describe('races on the lock', () => {
  /** Writes `lock` just before the ledger's first write of the given command, as a runner on another machine would. */
  function racing(environment: string, commandName: string, lock: Record<string, AttributeValue>) {
    let raced = false;
    return {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === commandName && !raced) {
          raced = true;
          await putItem(environment, 'LOCK', lock);
        }
        return dynamo.client.send(command as never);
      },
    } as unknown as DynamoDBClient;
  }

  it('takes a free lock only if nobody wrote it first; else it watches the winner', async () => {
    const environment = freshEnvironment();
    const { ledger } = ledgerOn(environment, { client: racing(environment, 'PutItemCommand', lockOf('runner-c', 'c1')) });
    await expect(ledger.acquireLease('runner-b', 'bob', 60_000, { patienceMs: 0 })).rejects.toThrow(/^edges\d+ is locked by runner-c-operator \(runner-c\)/);
  });

  it('re-takes its own lease only if it did not change meanwhile', async () => {
    const environment = freshEnvironment();
    await putItem(environment, 'LOCK', lockOf('runner-b', 'b1'));
    const { ledger } = ledgerOn(environment, { client: racing(environment, 'PutItemCommand', lockOf('runner-c', 'c1')) });
    await expect(ledger.acquireLease('runner-b', 'bob', 60_000, { patienceMs: 0 })).rejects.toThrow(/ is locked by runner-c-operator \(runner-c\)/);
  });

  it('takes over a silent lease only if it is still the one it watched', async () => {
    const environment = freshEnvironment();
    await putItem(environment, 'LOCK', lockOf('runner-a', 'a1', 1000));
    const { ledger } = ledgerOn(environment, { client: racing(environment, 'TransactWriteItemsCommand', lockOf('runner-c', 'c1', 1000)) });
    // The first takeover loses to runner-c; runner-c's lease is then watched afresh and taken over.
    expect(await ledger.acquireLease('runner-b', 'bob', 60_000)).toMatchObject({ owner: 'runner-b' });
    expect((await ledger.events()).map((e) => [e.kind, e.previousLock['owner']])).toEqual([['takeover', 'S runner-c']]);
  });
});

describe('errors that are not condition failures are passed on', () => {
  const network = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
  const failing = (names: string[]) => {
    const state = { on: false };
    const { client } = recordingClient((command) => (state.on && names.includes(command.constructor.name) ? network() : undefined));
    return { client, state };
  };

  it('when taking, renewing and releasing the lease', async () => {
    const { client, state } = failing(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
    const { ledger } = ledgerOn(freshEnvironment(), { client });
    state.on = true;
    await expect(ledger.acquireLease('runner-a', 'alice', 60_000)).rejects.toThrow(network());
    state.on = false;
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    state.on = true;
    await expect(ledger.renewLease('runner-a', 60_000)).rejects.toThrow(network());
    await expect(ledger.releaseLease('runner-a')).rejects.toThrow(network());
  });

  it('when recording a step and when forcing the lock open', async () => {
    const { client, state } = failing(['TransactWriteItemsCommand']);
    const environment = freshEnvironment();
    const { ledger } = ledgerOn(environment, { client });
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    state.on = true;
    await expect(ledger.beginStep('runner-a', 'alice', step)).rejects.toThrow(network());
    await expect(ledger.forceUnlock('bob', 'stale')).rejects.toThrow(network());
  });

  it('reports a renewal answered with an unreadable lock as malformed', async () => {
    const environment = freshEnvironment();
    const { ledger } = ledgerOn(environment);
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    const broken = {
      send: async (command: never) => {
        const answer = (await dynamo.client.send(command)) as { Attributes?: Record<string, AttributeValue> };
        return { ...answer, Attributes: { ...answer.Attributes, leaseMs: { S: 'long' } } };
      },
    } as unknown as DynamoDBClient;
    // The ledger's own lease state carries over: a second Ledger on the same table would not hold it.
    Object.assign(ledger as unknown as { client: DynamoDBClient }, { client: broken });
    await expect(ledger.renewLease('runner-a', 60_000)).rejects.toThrow(new MalformedLockError(environment, ['leaseMs is S long, expected a number (N)']));
  });

  it('a step transaction whose step condition fails is a conflict; whose lease condition fails, a lost lease', async () => {
    const environment = freshEnvironment();
    const { ledger } = ledgerOn(environment);
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    await ledger.beginStep('runner-a', 'alice', step);
    await expect(ledger.beginStep('runner-a', 'alice', step)).rejects.toThrow(StepConflictError);
    await putItem(environment, 'LOCK', lockOf('runner-c', 'c1'));
    await expect(ledger.completeStep('runner-a', step, {})).rejects.toThrow(
      new LeaseLostError(environment, 'runner-a', 'taken over: the lock no longer carries the version this runner wrote'),
    );
    const { Items } = await dynamo.client.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `ENV#${environment}` } }, ConsistentRead: true }),
    );
    expect(Items?.find((i) => i['sk'].S === stepSortKey(step.position, step.stepId))?.['status']).toEqual({ S: 'running' });
  });
});

describe('default clocks', () => {
  it('measures the lease on performance.now and waits with setTimeout when none are injected', async () => {
    const environment = freshEnvironment();
    const ledger = new Ledger({ client: dynamo.client, tableName: TABLE, environment });
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    const left = ledger.leaseRemainingMs('runner-a');
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(60_000);
    expect(ledger.leaseRemainingMs('runner-x')).toBe(0);

    const other = new Ledger({ client: dynamo.client, tableName: TABLE, environment });
    let waits = 0;
    const started = Date.now();
    await expect(other.acquireLease('runner-b', 'bob', 60_000, { pollMs: 100, patienceMs: 300, onWait: () => waits++ })).rejects.toThrow(LeaseHeldError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(waits).toBeLessThanOrEqual(4);
  });

  it('uses a fresh random version for each write when none is injected', async () => {
    const environment = freshEnvironment();
    const { ledger } = ledgerOn(environment, { newVersion: undefined });
    const first = await ledger.acquireLease('runner-a', 'alice', 60_000);
    const second = await ledger.renewLease('runner-a', 60_000);
    expect(first.version).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.version).not.toBe(first.version);
  });
});

describe('transaction inputs', () => {
  it('sends :now only with updates that set a time', async () => {
    const { client, sent } = recordingClient();
    const { ledger } = ledgerOn(freshEnvironment(), { client });
    await ledger.acquireLease('runner-a', 'alice', 60_000);
    await ledger.beginStep('runner-a', 'alice', step);
    await ledger.failStep('runner-a', step, 'boom');
    await ledger.beginRollback('runner-a', step);
    await ledger.failRollback('runner-a', step, 'stuck');
    const updates = sent
      .filter((c) => c.name === TransactWriteItemsCommand.name)
      .map((c) => (c.input as { TransactItems: { Update?: { ExpressionAttributeValues?: Record<string, unknown> } }[] }).TransactItems[1]?.Update?.ExpressionAttributeValues ?? {});
    expect(updates.map((values) => ':now' in values)).toEqual([true, true, true, false]);
    expect(updates[3]).toEqual({ ':to': { S: 'rollback-failed' }, ':from': { S: 'rolling-back' }, ':owner': { S: 'runner-a' }, ':error': { S: 'stuck' } });
  });
});
