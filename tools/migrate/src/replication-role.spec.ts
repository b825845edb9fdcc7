import { Client } from 'pg';
import { startPostgres, type PostgresServer } from '@estate/testing';
import { createSlot, dropReplicationRole, dropSubscription, ensurePublication, ensureReplicationRole, ensureSubscription, resolveTables, scramVerifier, type Query } from './postgres-sql';

jest.setTimeout(120_000);

const ROLE = 'estate_replication';
let publisher: PostgresServer;
let subscriber: PostgresServer;
const clients: Client[] = [];

async function connect(url: string): Promise<Query> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return async (sql, values) => (await client.query(sql, values as unknown[])).rows as Record<string, unknown>[];
}

/** Logs in as the replication role with a password (the servers demand SCRAM for it). */
async function login(server: PostgresServer, database: string, password: string): Promise<string> {
  const client = new Client({ host: '127.0.0.1', port: server.port, database, user: ROLE, password });
  await client.connect();
  try {
    return String((await client.query('SELECT current_user AS u')).rows[0].u);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  [publisher, subscriber] = await Promise.all([startPostgres({ logical: true, passwordRoles: [ROLE] }), startPostgres({ logical: true, passwordRoles: [ROLE] })]);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.end()));
  await Promise.all([publisher?.stop(), subscriber?.stop()]);
});

describe('scramVerifier', () => {
  it('builds the RFC 7677 verifier PostgreSQL stores (known vector: salt and password fixed)', () => {
    const salt = Buffer.from('estate-salt-0001');
    const verifier = scramVerifier('correct-horse-battery-staple', salt, 4096);
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:ZXN0YXRlLXNhbHQtMDAwMQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    // Same inputs, same verifier; another salt, another verifier.
    expect(scramVerifier('correct-horse-battery-staple', salt, 4096)).toBe(verifier);
    expect(scramVerifier('correct-horse-battery-staple')).not.toBe(verifier);
  });

  it('refuses short or non-ASCII passwords', () => {
    expect(() => scramVerifier('short')).toThrow('a replication password must be at least 16 printable ASCII characters');
    expect(() => scramVerifier('sixteen-chars-é-long')).toThrow(/printable ASCII/);
  });
});

describe('the dedicated replication role on real PostgreSQL (password authentication)', () => {
  it('logs in with its password only, replicates as itself, survives a password change, and is dropped at the end', async () => {
    const pubUrl = await publisher.createDatabase('ledger');
    const subUrl = await subscriber.createDatabase('ledger');
    const pub = await connect(pubUrl);
    const sub = await connect(subUrl);
    for (const q of [pub, sub]) await q('CREATE SCHEMA books; CREATE TABLE books.entries (id bigserial PRIMARY KEY, v text)');

    const first = 'first-password-0123456789';
    const made = await ensureReplicationRole(pub, { role: ROLE, password: first, schemas: ['books'], dms: false });
    // Plain PostgreSQL has no rds_replication: the REPLICATION attribute instead.
    expect(made).toEqual({ created: true, grants: ['REPLICATION', 'SELECT on books'] });
    expect(await login(publisher, 'ledger', first)).toBe(ROLE);
    await expect(login(publisher, 'ledger', 'wrong-password-0123456789')).rejects.toThrow(/password authentication failed for user "estate_replication"/);
    // The statement carried the verifier, never the password.
    expect(JSON.stringify(await pub("SELECT rolpassword FROM pg_authid WHERE rolname = 'estate_replication'"))).not.toContain(first);

    await ensurePublication(pub, 'books_pub', await resolveTables(pub, ['books.%']));
    await createSlot(pub, 'books_slot', 'pgoutput');
    await pub("INSERT INTO books.entries (v) VALUES ('after the slot')");
    const connection = `host=127.0.0.1 port=${publisher.port} dbname=ledger user=${ROLE} password=${first}`;
    await ensureSubscription(sub, { name: 'books_sub', connection, publication: 'books_pub', existingSlot: 'books_slot' });
    for (let i = 0; i < 100 && (await sub('SELECT count(*)::int AS n FROM books.entries'))[0]['n'] !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await sub('SELECT v FROM books.entries')).toEqual([{ v: 'after the slot' }]);
    // The walsender runs as the replication role, not as the master user.
    expect(await pub("SELECT usename FROM pg_stat_replication WHERE application_name = 'books_sub'")).toEqual([{ usename: ROLE }]);

    // A new password (a rerun with a changed secret): the old one stops working, the new one works.
    const second = 'second-password-0123456789';
    expect(await ensureReplicationRole(pub, { role: ROLE, password: second, schemas: ['books'], dms: true })).toEqual({ created: false, grants: ['REPLICATION', 'SELECT on books'] });
    await expect(login(publisher, 'ledger', first)).rejects.toThrow(/password authentication failed/);
    expect(await login(publisher, 'ledger', second)).toBe(ROLE);

    // A subscription keeps the password it was created with: dropping its slot now fails, which is
    // why the runner keeps one password per migration (in the secret) and sets the same one on reruns.
    await expect(dropSubscription(sub, 'books_sub', { keepSlot: false })).rejects.toThrow(/password authentication failed for user "estate_replication"/);
    await sub(`ALTER SUBSCRIPTION books_sub CONNECTION 'host=127.0.0.1 port=${publisher.port} dbname=ledger user=${ROLE} password=${second}'`);
    expect(await dropSubscription(sub, 'books_sub', { keepSlot: false })).toBe(true);
    expect(await dropReplicationRole(pub, ROLE)).toBe(true);
    expect(await pub('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE])).toEqual([]);
    expect(await dropReplicationRole(pub, ROLE)).toBe(false);
  });
});
