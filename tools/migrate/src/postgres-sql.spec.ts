import { Client } from 'pg';
import { startPostgres, type PostgresServer } from '@estate/testing';
import {
  advanceSequences,
  createSlot,
  currentLsn,
  dropSlot,
  dropSubscription,
  ensurePublication,
  ensureSubscription,
  freezeRole,
  lsnDistance,
  lsnValue,
  resolveTables,
  roleFrozen,
  sequenceValues,
  slotState,
  subscriptionState,
  unfreezeRole,
  writableSessions,
  type Query,
} from './postgres-sql';

jest.setTimeout(120_000);

let publisher: PostgresServer;
let subscriber: PostgresServer;
const clients: Client[] = [];

async function connect(url: string): Promise<{ client: Client; query: Query }> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return { client, query: async (sql, values) => (await client.query(sql, values as unknown[])).rows as Record<string, unknown>[] };
}

beforeAll(async () => {
  [publisher, subscriber] = await Promise.all([startPostgres({ logical: true }), startPostgres({ logical: true })]);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await Promise.all([publisher?.stop(), subscriber?.stop()]);
});

describe('LSNs', () => {
  it('orders positions numerically across the high word and measures the bytes between them', () => {
    expect(lsnValue('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(lsnValue('1/0') > lsnValue('0/FFFFFFFF')).toBe(true);
    expect(lsnDistance('0/100', '0/164')).toBe(100n);
    expect(lsnDistance('0/164', '0/100')).toBe(0n);
    expect(() => lsnValue('16-B374')).toThrow(/'16-B374' is not a PostgreSQL LSN/);
  });
});

describe('replication slot SQL on PostgreSQL with wal_level = logical', () => {
  it('creates the slot at the current position, finds it again, and refuses another plugin', async () => {
    const { query } = await connect(await publisher.createDatabase('slots'));
    const before = await currentLsn(query);
    const created = await createSlot(query, 'dev_ledger_dms', 'test_decoding');
    expect(created.created).toBe(true);
    expect(lsnValue(created.lsn) >= lsnValue(before)).toBe(true);
    const again = await createSlot(query, 'dev_ledger_dms', 'test_decoding');
    expect(again).toEqual({ lsn: created.lsn, created: false });
    expect(await slotState(query, 'dev_ledger_dms')).toMatchObject({ plugin: 'test_decoding', active: false, confirmedFlushLsn: created.lsn });
    await expect(createSlot(query, 'dev_ledger_dms', 'pgoutput')).rejects.toThrow(/exists with plugin test_decoding, not pgoutput/);
    expect(await dropSlot(query, 'dev_ledger_dms')).toBe(true);
    expect(await dropSlot(query, 'dev_ledger_dms')).toBe(false);
    expect(await slotState(query, 'dev_ledger_dms')).toBeUndefined();
  });

  it('resolves table patterns to existing tables, without DMS artefacts', async () => {
    const { query } = await connect(await publisher.createDatabase('patterns'));
    await query('CREATE SCHEMA billing; CREATE TABLE public.accounts (id int primary key); CREATE TABLE public.awsdms_heartbeat (id int); CREATE TABLE billing.invoices (id int primary key); CREATE TABLE billing.draft (id int)');
    expect(await resolveTables(query, ['public.%'])).toEqual(['public.accounts']);
    expect(await resolveTables(query, ['public.%', 'billing.invoices'])).toEqual(['billing.invoices', 'public.accounts']);
  });

  it('replicates from a recorded slot through a subscription without copy, and stops it keeping the slot', async () => {
    const pubUrl = await publisher.createDatabase('forward');
    const subUrl = await subscriber.createDatabase('forward');
    const pub = await connect(pubUrl);
    const sub = await connect(subUrl);
    for (const q of [pub.query, sub.query]) await q('CREATE TABLE items (id bigserial primary key, v text)');
    await pub.query("INSERT INTO items (v) VALUES ('before the slot')");
    await ensurePublication(pub.query, 'items_pub', await resolveTables(pub.query, ['public.%']));
    const { lsn } = await createSlot(pub.query, 'items_slot', 'pgoutput');
    await pub.query("INSERT INTO items (v) VALUES ('after the slot')");
    const u = new URL(pubUrl);
    await ensureSubscription(sub.query, { name: 'items_sub', connection: `host=127.0.0.1 port=${u.port} dbname=forward user=postgres`, publication: 'items_pub', existingSlot: 'items_slot' });
    // Only the change after the slot arrives (no initial copy).
    for (let i = 0; i < 100 && (await sub.query('SELECT count(*)::int AS n FROM items'))[0]['n'] !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await sub.query('SELECT v FROM items')).toEqual([{ v: 'after the slot' }]);
    expect(await subscriptionState(sub.query, 'items_sub')).toEqual({ enabled: true, workerRunning: true });
    const target = await currentLsn(pub.query);
    for (let i = 0; i < 100; i++) {
      const state = await slotState(pub.query, 'items_slot');
      if (state?.confirmedFlushLsn && lsnValue(state.confirmedFlushLsn) >= lsnValue(target)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lsnValue((await slotState(pub.query, 'items_slot'))!.confirmedFlushLsn!) >= lsnValue(lsn)).toBe(true);
    await expect(dropSlot(pub.query, 'items_slot')).rejects.toThrow(/still in use/);
    expect(await dropSubscription(sub.query, 'items_sub', { keepSlot: true })).toBe(true);
    expect(await subscriptionState(sub.query, 'items_sub')).toBeUndefined();
    for (let i = 0; i < 50 && (await slotState(pub.query, 'items_slot'))?.active; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await slotState(pub.query, 'items_slot')).toMatchObject({ active: false });
    expect(await dropSubscription(sub.query, 'items_sub', { keepSlot: true })).toBe(false);
  });
});

describe('write freeze of the application role', () => {
  it('ends open sessions and makes new ones read-only until lifted', async () => {
    const url = await publisher.createDatabase('freezing');
    const admin = await connect(url);
    await admin.query("CREATE ROLE app_freeze LOGIN; CREATE TABLE t (id int); GRANT INSERT, SELECT ON t TO app_freeze");
    const appUrl = url.replace('postgres://postgres@', 'postgres://app_freeze@');
    const open = await connect(appUrl);
    await open.query('INSERT INTO t VALUES (1)');
    expect(await writableSessions(admin.query, 'app_freeze')).toBe(1);
    expect(await freezeRole(admin.query, 'app_freeze')).toBe(1);
    expect(await roleFrozen(admin.query, 'app_freeze')).toBe(true);
    await expect(open.query('INSERT INTO t VALUES (2)')).rejects.toThrow();
    const later = await connect(appUrl);
    await expect(later.query('INSERT INTO t VALUES (3)')).rejects.toThrow(/read-only transaction/);
    expect(await later.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 1 }]);
    await unfreezeRole(admin.query, 'app_freeze');
    expect(await roleFrozen(admin.query, 'app_freeze')).toBe(false);
    const after = await connect(appUrl);
    await after.query('INSERT INTO t VALUES (4)');
    expect(await admin.query('SELECT array_agg(id ORDER BY id) AS ids FROM t')).toEqual([{ ids: [1, 4] }]);
  });
});

describe('sequences', () => {
  it('moves every sequence of the target past the source, never backwards, skipping unused ones', async () => {
    const from = await connect(await publisher.createDatabase('seq_from'));
    const to = await connect(await subscriber.createDatabase('seq_to'));
    for (const q of [from.query, to.query]) {
      await q('CREATE TABLE a (id bigserial primary key); CREATE TABLE b (id bigserial primary key); CREATE SEQUENCE unused_seq');
    }
    await from.query('INSERT INTO a SELECT FROM generate_series(1, 42); INSERT INTO b SELECT FROM generate_series(1, 5)');
    await to.query("SELECT setval('b_id_seq', 900)");
    const moved = await advanceSequences(from.query, to.query, ['public'], 10n);
    expect(moved).toEqual([{ sequence: 'public.a_id_seq', value: 52n }]);
    expect(await sequenceValues(to.query, ['public'])).toEqual([
      { sequence: 'public.a_id_seq', lastValue: 52n },
      { sequence: 'public.b_id_seq', lastValue: 900n },
      { sequence: 'public.unused_seq', lastValue: undefined },
    ]);
    const [row] = await to.query('INSERT INTO a DEFAULT VALUES RETURNING id');
    expect(row['id']).toBe('53');
    await from.query('CREATE SEQUENCE only_here; SELECT nextval(\'only_here\')');
    await expect(advanceSequences(from.query, to.query, ['public'])).rejects.toThrow(/sequence public.only_here exists on the source but not on the target/);
  });
});
