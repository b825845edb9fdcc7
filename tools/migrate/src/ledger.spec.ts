import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, TransactWriteItemsCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LEDGER_KEYS } from '@estate/data';
import { localDynamoForSpec } from '@estate/testing';
import { ABANDONED_LOCK_TTL_SECONDS, LeaseHeldError, LeaseLostError, Ledger, MalformedLockError, StepConflictError, type LedgerOptions } from './ledger';

const TABLE = 'ops-migration-ledger';
const LEASE_MS = 60_000;
const START = Date.parse('2026-03-01T10:00:00Z');
const dynamo = localDynamoForSpec(TABLE);


let envCounter = 0;
const freshEnvironment = () => `lease${++envCounter}`;

/**
 * Virtual time shared by the runners of one test: `now` only moves when a test or a runner's
 * wait moves it. Each runner has its own wall-clock skew and its own monotonic origin, as
 * separate machines would.
 */
function virtualTime() {
  const time = { now: START };
  return {
    time,
    runner(name: string, environment: string, overrides: Partial<LedgerOptions> & { skewMs?: number; onSleep?: (ms: number) => Promise<void> } = {}) {
      let version = 0;
      const origin = Math.floor(Math.random() * 1e9);
      const { skewMs = 0, onSleep, ...rest } = overrides;
      return new Ledger({
        client: dynamo.client,
        tableName: TABLE,
        environment,
        clock: () => time.now + skewMs,
        monotonic: () => time.now - START + origin,
        sleep: async (ms) => {
          time.now += ms;
          await onSleep?.(ms);
        },
        newVersion: () => `${name}-v${++version}`,
        ...rest,
      });
    },
  };
}

const rawLock = async (environment: string) =>
  (await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `ENV#${environment}` }, sk: { S: 'LOCK' } }, ConsistentRead: true }))).Item;

const putLock = (environment: string, attributes: Record<string, AttributeValue>) =>
  dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `ENV#${environment}` }, sk: { S: 'LOCK' }, ...attributes } }));

const step = { position: 1, stepId: 'deploy', phase: 'deploy', title: 'deploy every stack' };
const iso = (ms: number) => new Date(ms).toISOString();

describe('lease on DynamoDB Local', () => {
  it('writes the lock with owner, operator, version, lease and a TTL a day past the lease, under the table keys of libs/data', async () => {
    const environment = freshEnvironment();
    const { runner } = virtualTime();
    const lease = await runner('a', environment).acquireLease('runner-a', 'arn:aws:iam::222222222222:role/alice', LEASE_MS);
    const expected = {
      owner: 'runner-a',
      operator: 'arn:aws:iam::222222222222:role/alice',
      acquiredAt: iso(START),
      renewedAt: iso(START),
      version: 'a-v1',
      leaseMs: LEASE_MS,
      expiresAt: START / 1000 + 60 + ABANDONED_LOCK_TTL_SECONDS,
    };
    expect(lease).toEqual(expected);
    expect(ABANDONED_LOCK_TTL_SECONDS).toBe(86_400);
    expect(await rawLock(environment)).toEqual({
      [LEDGER_KEYS.partition]: { S: `ENV#${environment}` },
      [LEDGER_KEYS.sort]: { S: 'LOCK' },
      owner: { S: 'runner-a' },
      operator: { S: 'arn:aws:iam::222222222222:role/alice' },
      acquiredAt: { S: iso(START) },
      renewedAt: { S: iso(START) },
      version: { S: 'a-v1' },
      leaseMs: { N: '60000' },
      [LEDGER_KEYS.ttl]: { N: String(START / 1000 + 60 + 86_400) },
    });
  });

  it('renews with a new version, and every step transition renews it too', async () => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    time.now += 20_000;
    const renewed = await a.renewLease('runner-a', LEASE_MS);
    expect(renewed).toMatchObject({ version: 'a-v2', renewedAt: iso(START + 20_000), acquiredAt: iso(START), expiresAt: (START + 20_000) / 1000 + 60 + 86_400 });
    time.now += 20_000;
    await a.beginStep('runner-a', 'alice', step);
    expect(await rawLock(environment)).toMatchObject({ version: { S: 'a-v3' }, renewedAt: { S: iso(START + 40_000) }, expiresAt: { N: String((START + 40_000) / 1000 + 60 + 86_400) } });
    time.now += 50_000; // 90 s after taking it: alive only because the transition renewed it
    await a.completeStep('runner-a', step, { stacks: '6' });
    expect((await rawLock(environment))?.['version']).toEqual({ S: 'a-v4' });
    expect(a.leaseRemainingMs('runner-a')).toBe(LEASE_MS);
    time.now += 15_000;
    expect(a.leaseRemainingMs('runner-a')).toBe(45_000);
    expect(a.leaseRemainingMs('somebody-else')).toBe(0);
  });

  it('serialises its own lease writes: a heartbeat racing a step transition does not lose the lease', async () => {
    const environment = freshEnvironment();
    const { runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    await Promise.all([a.renewLease('runner-a', LEASE_MS), a.beginStep('runner-a', 'alice', step), a.renewLease('runner-a', LEASE_MS)]);
    expect((await rawLock(environment))?.['version']).toEqual({ S: 'a-v4' });
    expect((await a.steps()).map((r) => [r.stepId, r.status, r.attempt])).toEqual([['deploy', 'running', 1]]);
  });

  it('does not let a runner whose clock is 60 s ahead take a live lease: it sees the holder renew and gives up', async () => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    time.now += 30_000;
    // While the skewed runner waits, time passes and the healthy holder's heartbeat (every third of the lease) fires.
    let waited = 0;
    const skewed = runner('b', environment, {
      skewMs: 60_000,
      onSleep: async (ms) => {
        waited += ms;
        if (waited >= LEASE_MS / 3) await a.renewLease('runner-a', LEASE_MS);
      },
    });
    const failure = await skewed.acquireLease('runner-b', 'bob', LEASE_MS, { pollMs: 10_000 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LeaseHeldError);
    expect((failure as Error).message).toBe(
      `${environment} is locked by alice (runner-a), lease 60 s, last renewed ${iso(START + 50_000)} by its clock; ` +
        'it is alive: it renewed its lease while this runner watched. Wait for that run to finish, then run again with --resume; ' +
        'if you know it is dead, `unlock --force --reason <why>`',
    );
    expect(waited).toBe(20_000);
    expect((await rawLock(environment))?.['owner']).toEqual({ S: 'runner-a' });
    expect((await rawLock(environment))?.['version']).toEqual({ S: 'a-v2' });
  });

  it('takes over a dead runner\'s lease only after watching one version for the whole lease, whatever its own clock says', async () => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    await runner('a', environment).acquireLease('runner-a', 'alice', LEASE_MS);
    // An hour slow: by its clock the lease would look live for an hour; by a fast clock it would look dead at once.
    const slow = runner('b', environment, { skewMs: -3_600_000 });
    const early = await slow.acquireLease('runner-b', 'bob', LEASE_MS, { pollMs: 10_000, patienceMs: LEASE_MS - 1 }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(LeaseHeldError);
    expect((early as LeaseHeldError).detail).toBe('its lease has been unchanged for 59 s of the 60 s after which a runner takes over, and this runner stopped waiting');
    expect(time.now).toBe(START + LEASE_MS - 1);
    expect((await rawLock(environment))?.['owner']).toEqual({ S: 'runner-a' });

    const waits: string[] = [];
    const watchStart = time.now;
    const lease = await slow.acquireLease('runner-b', 'bob', LEASE_MS, { pollMs: 10_000, onWait: (m) => waits.push(m) });
    expect(time.now - watchStart).toBe(LEASE_MS);
    expect(lease).toMatchObject({ owner: 'runner-b', operator: 'bob', version: 'b-v1', acquiredAt: iso(time.now - 3_600_000) });
    expect(waits).toHaveLength(6);
    expect(waits[0]).toBe(`${environment} is locked by alice (runner-a); its lease has been unchanged for 0 s of 60 s: taking over if it stays silent, giving up if it renews`);
    expect(waits[5]).toContain('unchanged for 50 s of 60 s');
    const [event] = await slow.events();
    expect(event).toEqual({
      kind: 'takeover',
      at: iso(time.now - 3_600_000),
      operator: 'bob',
      reason: 'lease of runner-a unchanged for 60 s (its lease is 60 s)',
      previousLock: {
        acquiredAt: `S ${iso(START)}`,
        expiresAt: `N ${START / 1000 + 60 + 86_400}`,
        leaseMs: 'N 60000',
        operator: 'S alice',
        owner: 'S runner-a',
        renewedAt: `S ${iso(START)}`,
        version: 'S a-v1',
      },
    });
  });

  it('takes a lease its holder releases while it watches', async () => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    const b = runner('b', environment, { onSleep: async () => void (await a.releaseLease('runner-a')) });
    const lease = await b.acquireLease('runner-b', 'bob', LEASE_MS, { pollMs: 5000 });
    expect(lease.owner).toBe('runner-b');
    expect(time.now).toBe(START + 5000);
    expect(await b.events()).toEqual([]);
  });

  it('re-takes its own lease with a new version, keeping when it was first acquired', async () => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    time.now += 1000;
    expect(await a.acquireLease('runner-a', 'alice', 120_000)).toMatchObject({ version: 'a-v2', acquiredAt: iso(START), renewedAt: iso(START + 1000), leaseMs: 120_000 });
  });

  it('refuses lease durations outside 1 s to 24 h', async () => {
    const a = virtualTime().runner('a', freshEnvironment());
    await expect(a.acquireLease('runner-a', 'alice', 999)).rejects.toThrow('lease of 999 ms: expected whole milliseconds from 1000 to 86400000');
    await expect(a.acquireLease('runner-a', 'alice', 86_400_001)).rejects.toThrow('lease of 86400001 ms: expected whole milliseconds from 1000 to 86400000');
    await expect(a.acquireLease('runner-a', 'alice', 1500.5)).rejects.toThrow('lease of 1500.5 ms');
  });

  it('refuses to renew a lease it let run out, even when nobody took it over', async () => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    time.now += LEASE_MS - 1;
    await a.renewLease('runner-a', LEASE_MS);
    time.now += LEASE_MS;
    await expect(a.renewLease('runner-a', LEASE_MS)).rejects.toThrow(
      new LeaseLostError(environment, 'runner-a', 'not renewed for 60 s, its whole 60 s lease; another runner may have taken over'),
    );
    expect((await rawLock(environment))?.['version']).toEqual({ S: 'a-v2' });
    // Once lost, it stays lost: no transition either.
    await expect(a.beginStep('runner-a', 'alice', step)).rejects.toThrow(`runner-a lost the lease on ${environment} (this runner does not hold it); stopping without recording anything further`);
    expect(await a.steps()).toEqual([]);
  });

  it('lets a runner whose lease was taken over record nothing, nor release the new holder\'s lock', async () => {
    const environment = freshEnvironment();
    const { runner } = virtualTime();
    const a = runner('a', environment);
    const b = runner('b', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    await a.beginStep('runner-a', 'alice', step);
    expect(await b.forceUnlock('bob', 'runner-a is wedged')).toMatchObject({ owner: 'S runner-a' });
    await b.acquireLease('runner-b', 'bob', LEASE_MS);
    const takenOver = `runner-a lost the lease on ${environment} (taken over: the lock no longer carries the version this runner wrote); stopping without recording anything further`;
    await expect(a.completeStep('runner-a', step, {})).rejects.toThrow(takenOver);
    expect(await a.releaseLease('runner-a')).toBe(false);
    expect((await rawLock(environment))?.['owner']).toEqual({ S: 'runner-b' });
    const c = runner('c', environment);
    await c.acquireLease('runner-c', 'carol', LEASE_MS, { patienceMs: 0 }).catch(() => undefined);
    await expect(c.renewLease('runner-c', LEASE_MS)).rejects.toThrow(`runner-c lost the lease on ${environment} (this runner does not hold it)`);
    // The step runner-a left running is started again by the new holder, as attempt 2, once.
    expect(await b.beginStep('runner-b', 'bob', step)).toBe(2);
    await b.completeStep('runner-b', step, { stacks: '6' });
    await expect(b.beginStep('runner-b', 'bob', step)).rejects.toThrow(new StepConflictError(environment, 'deploy', 'start'));
    expect(await b.releaseLease('runner-b')).toBe(true);
    expect(await rawLock(environment)).toBeUndefined();
  });

  it('a renewal that finds someone else\'s version reports the lease taken over', async () => {
    const environment = freshEnvironment();
    const { runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `ENV#${environment}` }, sk: { S: 'LOCK' } },
        UpdateExpression: 'SET version = :v',
        ExpressionAttributeValues: { ':v': { S: 'someone-else' } },
      }),
    );
    await expect(a.renewLease('runner-a', LEASE_MS)).rejects.toThrow(
      `runner-a lost the lease on ${environment} (taken over: the lock no longer carries the version this runner wrote)`,
    );
    expect(a.leaseRemainingMs('runner-a')).toBe(0);
  });

  it('marks a step interrupted, and lets the next run start it again as a new attempt', async () => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    const a = runner('a', environment);
    await a.acquireLease('runner-a', 'alice', LEASE_MS);
    await a.beginStep('runner-a', 'alice', step);
    time.now += 5000;
    await a.interruptStep('runner-a', step, 'interrupted (SIGINT) at a wait');
    const [record] = await a.steps();
    expect(record).toMatchObject({ status: 'interrupted', error: 'interrupted (SIGINT) at a wait', finishedAt: iso(START + 5000), attempt: 1, owner: 'runner-a' });
    await expect(a.interruptStep('runner-a', step, 'again')).rejects.toThrow(new StepConflictError(environment, 'deploy', 'be marked interrupted'));
    expect(await a.beginStep('runner-a', 'alice', step)).toBe(2);
    await a.interruptStep('runner-a', step, 'second stop');
    await a.beginRollback('runner-a', step);
    expect((await a.steps())[0]).toMatchObject({ status: 'rolling-back', attempt: 2 });
  });
});

describe('malformed lock items', () => {
  const good: Record<string, AttributeValue> = {
    owner: { S: 'runner-a' },
    operator: { S: 'alice' },
    version: { S: 'v1' },
    leaseMs: { N: '60000' },
    expiresAt: { N: '1772445600' },
  };
  const without = (name: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== name));
  const cases: [string, Record<string, AttributeValue>, string[]][] = [
    ['missing expiry', without('expiresAt'), ['expiresAt is missing']],
    ['non-numeric expiry', { ...good, expiresAt: { S: 'tomorrow' } }, ['expiresAt is S tomorrow, expected a number (N)']],
    ['boolean expiry', { ...good, expiresAt: { BOOL: true } }, ['expiresAt is BOOL true, expected a number (N)']],
    ['numeric owner', { ...good, owner: { N: '42' } }, ['owner is N 42, expected a string (S)']],
    ['empty owner', { ...good, owner: { S: '' } }, ['owner is empty']],
    ['list operator', { ...good, operator: { L: [{ S: 'x' }] } }, ['operator is L [{"S":"x"}], expected a string (S)']],
    ['no version (an older runner\'s lock)', without('version'), ['version is missing']],
    ['no lease duration', without('leaseMs'), ['leaseMs is missing']],
    ['zero lease', { ...good, leaseMs: { N: '0' } }, ['leaseMs is 0, expected whole milliseconds from 1000 to 86400000']],
    ['fractional lease', { ...good, leaseMs: { N: '1500.5' } }, ['leaseMs is 1500.5, expected whole milliseconds from 1000 to 86400000']],
    ['string lease', { ...good, leaseMs: { S: '60000' } }, ['leaseMs is S 60000, expected a number (N)']],
    ['numeric renewal time', { ...good, renewedAt: { N: '5' } }, ['renewedAt is N 5, expected a string (S)']],
    ['empty item', {}, ['owner is missing', 'version is missing', 'expiresAt is missing', 'leaseMs is missing']],
  ];

  it.each(cases)('reports a lock item with %s, and unlock --force with a reason removes it and records it', async (_name, attributes, problems) => {
    const environment = freshEnvironment();
    const { time, runner } = virtualTime();
    await putLock(environment, attributes);
    const ledger = runner('b', environment);
    const message =
      `${environment}: the lock item (sk = LOCK) is malformed: ${problems.join('; ')}. No runner can tell whether its holder is alive, ` +
      'so none will take it over. If no run is active, remove it with `unlock --force --reason <why>` (recorded in the ledger)';
    // Not even a patient runner waits on it: it is reported at once.
    await expect(ledger.acquireLease('runner-b', 'bob', LEASE_MS)).rejects.toThrow(new MalformedLockError(environment, problems));
    await expect(ledger.acquireLease('runner-b', 'bob', LEASE_MS)).rejects.toThrow(message);
    await expect(ledger.readLease()).rejects.toBeInstanceOf(MalformedLockError);
    expect(time.now).toBe(START);
    const state = await ledger.readLock();
    expect(state).toMatchObject({ kind: 'malformed', problems });

    time.now += 1000;
    const removed = await ledger.forceUnlock('arn:aws:iam::222222222222:role/bob', '  hand-edited lock from the March drill  ');
    expect(await rawLock(environment)).toBeUndefined();
    const events = await ledger.events();
    expect(events).toEqual([{ kind: 'unlock', at: iso(START + 1000), operator: 'arn:aws:iam::222222222222:role/bob', reason: 'hand-edited lock from the March drill', previousLock: removed }]);
    expect(state.kind === 'malformed' && state.item).toEqual(removed);
    expect(await ledger.acquireLease('runner-b', 'bob', LEASE_MS)).toMatchObject({ owner: 'runner-b' });
  });

  it('stores the unlock event with the removed item under EVENT#<time>#unlock', async () => {
    const environment = freshEnvironment();
    const { runner } = virtualTime();
    await putLock(environment, { owner: { S: 'runner-a' }, expiresAt: { S: 'never' } });
    await runner('b', environment).forceUnlock('bob', 'stuck');
    const { Items } = await dynamo.client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `ENV#${environment}` } },
      }),
    );
    expect(Items).toHaveLength(1);
    const [item] = Items ?? [];
    expect(item['sk'].S).toMatch(new RegExp(`^EVENT#${iso(START).replace(/[.]/g, '\\.')}#unlock#[0-9a-f]{8}$`));
    expect({ ...item, sk: undefined }).toEqual({
      pk: { S: `ENV#${environment}` },
      sk: undefined,
      kind: { S: 'unlock' },
      at: { S: iso(START) },
      operator: { S: 'bob' },
      reason: { S: 'stuck' },
      previousLock: { M: { expiresAt: { S: 'S never' }, owner: { S: 'S runner-a' } } },
    });
  });

  it('needs a reason, and does nothing when there is no lock', async () => {
    const environment = freshEnvironment();
    const ledger = virtualTime().runner('b', environment);
    await expect(ledger.forceUnlock('bob', '   ')).rejects.toThrow(`unlock of ${environment} needs a reason (--reason), recorded in the ledger`);
    expect(await ledger.forceUnlock('bob', 'just in case')).toBeUndefined();
    expect(await ledger.events()).toEqual([]);
  });

  it('removes nothing when the lock changes between reading and removing it', async () => {
    const environment = freshEnvironment();
    await putLock(environment, { owner: { S: 'runner-a' }, version: { S: 'v1' }, leaseMs: { N: '60000' }, expiresAt: { N: '1' } });
    let raced = false;
    const racing = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteItemsCommand && !raced) {
          raced = true;
          await putLock(environment, { owner: { S: 'runner-c' }, version: { S: 'c1' }, leaseMs: { N: '60000' }, expiresAt: { N: '1' } });
        }
        return dynamo.client.send(command as never);
      },
    } as unknown as DynamoDBClient;
    const ledger = new Ledger({ client: racing, tableName: TABLE, environment });
    await expect(ledger.forceUnlock('bob', 'stuck')).rejects.toThrow(
      `the lock of ${environment} changed while it was being removed (another runner wrote it); look at \`status\` and unlock again if you still mean to`,
    );
    expect((await rawLock(environment))?.['owner']).toEqual({ S: 'runner-c' });
    expect(await ledger.events()).toEqual([]);
  });
});
