import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { INSTALL_HINT, findPostgresBinaries, startPostgres } from './postgres';

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
