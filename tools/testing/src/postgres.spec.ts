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
