import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { INSTALL_HINT, SHARED_POSTGRES, findPostgresBinaries, startPostgres, type PostgresServer } from './postgres';

jest.setTimeout(60_000);

describe('findPostgresBinaries', () => {
  it('fails with the install hint when no initdb is anywhere', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-pg-'));
    try {
      expect(() => findPostgresBinaries({ PATH: empty }, join(empty, 'nothing'))).toThrow(INSTALL_HINT);
      expect(INSTALL_HINT).toMatch(/apt-get install -y postgresql/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('startPostgres', () => {
  it('runs a real, throwaway cluster and removes it on stop', async () => {
    const server = await startPostgres();
    try {
      const url = await server.createDatabase('harness_check');
      const client = new Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ sum: string }>('SELECT sum(g)::text AS sum FROM generate_series(1, 100) g');
      await client.end();
      expect(rows[0].sum).toBe('5050');
      expect(server.version).toMatch(/^\d+/);
    } finally {
      await server.stop();
    }
    const after = new Client({ connectionString: server.url() });
    await expect(after.connect()).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('createDatabase', () => {
  it('copies a template database with its data, and checks both names before touching the server', async () => {
    const server = await startPostgres();
    try {
      const seed = new Client({ connectionString: await server.createDatabase('seeded') });
      await seed.connect();
      await seed.query('CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)');
      await seed.end();
      const copy = new Client({ connectionString: await server.createDatabase('copied', { template: 'seeded' }) });
      await copy.connect();
      const { rows } = await copy.query<{ n: string }>('SELECT count(*)::text AS n FROM t');
      await copy.end();
      expect(rows[0].n).toBe('10');
      await expect(server.createDatabase('Bad-Name')).rejects.toThrow("database name 'Bad-Name' must be lowercase letters, digits and _");
      await expect(server.createDatabase('fine', { template: 'x; DROP DATABASE seeded' })).rejects.toThrow("template 'x; DROP DATABASE seeded' must be lowercase letters, digits and _");
      // A language's collation as the default, as RDS databases have.
      const icu = new Client({ connectionString: await server.createDatabase('icu', { icuLocale: 'en-US' }) });
      await icu.connect();
      const sorted = await icu.query<{ provider: string; locale: string; words: string[] }>(
        "SELECT datlocprovider AS provider, daticulocale AS locale, (SELECT array_agg(w ORDER BY w) FROM unnest(array['b', 'B', 'a', 'A']) w) AS words FROM pg_database WHERE datname = current_database()",
      );
      await icu.end();
      expect(sorted.rows).toEqual([{ provider: 'i', locale: 'en-US', words: ['a', 'A', 'b', 'B'] }]);
      await expect(server.createDatabase('icu2', { icuLocale: "en'; DROP DATABASE seeded; --" })).rejects.toThrow("ICU locale 'en'; DROP DATABASE seeded; --' must be a language tag such as en-US");
      await expect(server.createDatabase('icu3', { icuLocale: 'en-US', template: 'seeded' })).rejects.toThrow("database 'icu3': a template and an ICU locale cannot be combined");
    } finally {
      await server.stop();
    }
  });
});

describe('startPostgres from the initialised template', () => {
  it('gives every cluster its own copy: a database made in one is in no other', async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
    try {
      await a.createDatabase('only_in_a');
      const names = async (server: typeof a) => {
        const client = new Client({ connectionString: server.url() });
        await client.connect();
        const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname');
        await client.end();
        return rows.map((r) => r.datname);
      };
      expect(await names(a)).toContain('only_in_a');
      expect(await names(b)).not.toContain('only_in_a');
      const c = await startPostgres();
      try {
        expect(await names(c)).toEqual(['postgres', 'template0', 'template1']);
      } finally {
        await c.stop();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('startPostgres on a shared server (ESTATE_POSTGRES)', () => {
  let shared: PostgresServer;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    shared = await startPostgres({ logical: true, settings: { autovacuum: 'off' } }, {});
    env = { [SHARED_POSTGRES]: `postgres://postgres@127.0.0.1:${shared.port}` };
  });
  afterAll(async () => {
    await shared?.stop();
  });
  const query = async <T extends object>(url: string, sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const databases = async () => (await query<{ datname: string }>(shared.url(), 'SELECT datname FROM pg_database ORDER BY datname')).map((r) => r.datname);
  const roles = async () => (await query<{ rolname: string }>(shared.url(), "SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY rolname")).map((r) => r.rolname);

  it('gives each caller a namespace of its own there, and stop() drops its databases and roles', async () => {
    const [a, b] = await Promise.all([startPostgres({}, env), startPostgres({ logical: true, settings: { autovacuum: 'off' } }, env)]);
    expect([a.port, b.port]).toEqual([shared.port, shared.port]);
    expect(a.version).toBe(shared.version);
    await a.createDatabase('seeded');
    await query(a.url('seeded'), 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 3)');
    await a.createDatabase('copied', { template: 'seeded' });
    await b.createDatabase('seeded');
    expect(await query(a.url('copied'), 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 3 }]);
    // The same name in b is another database: empty.
    expect(await query(b.url('seeded'), "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 't'")).toEqual([{ n: 0 }]);
    // Each caller's own `postgres` database too.
    expect(a.url()).not.toBe(b.url());
    await query(a.url(), 'CREATE TABLE mine (id int)');
    expect(await query(b.url(), "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'mine'")).toEqual([{ n: 0 }]);

    const reader = a.role('reader');
    expect(reader).not.toBe('reader');
    expect(reader).not.toBe(b.role('reader'));
    await query(a.url('seeded'), `CREATE ROLE ${reader} LOGIN; GRANT SELECT ON t TO ${reader}`);
    expect(await query(a.url('seeded').replace('postgres://postgres@', `postgres://${reader}@`), 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 3 }]);
    expect(() => a.role('Bad-Role')).toThrow("role 'Bad-Role' must be lowercase letters, digits and _");

    const before = await databases();
    expect(before.filter((d) => !['postgres', 'template0', 'template1'].includes(d))).toHaveLength(5);
    await a.stop();
    await a.stop();
    expect((await databases()).filter((d) => !before.includes(d))).toEqual([]);
    expect(await databases()).toHaveLength(before.length - 3);
    expect(await roles()).toEqual(['postgres']);
    await b.stop();
    // The shared server itself runs on, as it was.
    expect(await databases()).toEqual(['postgres', 'template0', 'template1']);
  });

  it('starts a server of its own when the shared one lacks what the caller asks for', async () => {
    const plain = await startPostgres({}, {});
    const unshared = { [SHARED_POSTGRES]: `postgres://postgres@127.0.0.1:${plain.port}` };
    try {
      for (const options of [{ logical: true }, { settings: { autovacuum: 'off' } }, { passwordRoles: ['app'] }]) {
        const own = await startPostgres(options, unshared);
        try {
          expect(own.port).not.toBe(plain.port);
          expect(own.role('reader')).toBe('reader');
          expect(await query(own.url(), 'SELECT current_database() AS name')).toEqual([{ name: 'postgres' }]);
        } finally {
          await own.stop();
        }
      }
      const same = await startPostgres({ settings: { autovacuum: 'on' } }, unshared);
      expect(same.port).toBe(plain.port);
      await same.stop();
    } finally {
      await plain.stop();
    }
  });

  it('names the variable and the value when it is not a shared server or does not answer', async () => {
    await expect(startPostgres({}, { [SHARED_POSTGRES]: 'postgres://app@db.example.com:5432' })).rejects.toThrow(
      "ESTATE_POSTGRES 'postgres://app@db.example.com:5432' is not a shared PostgreSQL server; expected postgres://postgres@127.0.0.1:<port>",
    );
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}`;
    await expect(startPostgres({}, { [SHARED_POSTGRES]: closed })).rejects.toThrow(`ESTATE_POSTGRES '${closed}' does not accept connections: connect ECONNREFUSED`);
  });
});
