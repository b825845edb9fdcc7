import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { exampleOrganisationInput, Organisation } from '@estate/config';
import { startPostgres, type PostgresServer } from '@estate/testing';
import type { StepContext } from './engine';
import { buildMigrationSteps, inertPorts, type MigrationPorts } from './steps';

jest.setTimeout(120_000);

/* eslint-disable @typescript-eslint/no-explicit-any */
function organisation(data: 'seed' | 'empty'): Organisation {
  const input = exampleOrganisationInput() as Record<string, any>;
  input.environments.dev.overrides.migration.data = data;
  input.databases[0].seedFile = 'seeds/ledger.sql';
  return Organisation.fromInput(input);
}

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => server?.stop());

describe("environments that get no production data (migration.data 'seed' / 'empty')", () => {
  it('seed: deploy, load the seed, then the traffic steps; no slot, snapshot, CDC, freeze or switch', () => {
    const org = organisation('seed');
    const ids = buildMigrationSteps(org, org.environment('dev'), inertPorts()).map((s) => s.id);
    expect(ids).toEqual(['preflight', 'deploy', 'seed-ledger', 'traffic-25', 'traffic-50', 'traffic-75', 'traffic-100', 'finalize']);
    // Production is unchanged.
    expect(buildMigrationSteps(org, org.environment('prod'), inertPorts()).map((s) => s.id)).toContain('switch-ledger');
  });

  it('empty: nothing to load', () => {
    const org = organisation('empty');
    expect(buildMigrationSteps(org, org.environment('dev'), inertPorts()).map((s) => s.id)).toEqual(['preflight', 'deploy', 'traffic-25', 'traffic-50', 'traffic-75', 'traffic-100', 'finalize']);
  });

  describe('the seed step on real PostgreSQL', () => {
    const root = mkdtempSync(join(tmpdir(), 'seed-'));
    const seedStep = async (sql: string) => {
      const url = await server.createDatabase(`seed_${Math.random().toString(36).slice(2, 8)}`);
      writeFileSync(join(root, 'ledger.sql'), sql);
      const org = organisation('seed');
      const ports: MigrationPorts = {
        ...inertPorts(),
        readSeed: async (file) => {
          expect(file).toBe('seeds/ledger.sql');
          return readFileSync(join(root, 'ledger.sql'), 'utf8');
        },
        sql: async (side) => {
          expect(side).toBe('migrated');
          const client = new Client({ connectionString: url });
          await client.connect();
          return { query: async (text, values) => (await client.query(text, values as unknown[])).rows, close: () => client.end() };
        },
      };
      const step = buildMigrationSteps(org, org.environment('dev'), ports).find((s) => s.id === 'seed-ledger');
      if (!step) throw new Error('no seed step');
      const count = async () => {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'accounts'")).rows[0].n as number;
        } finally {
          await client.end();
        }
      };
      const exec = async (text: string) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(text);
        } finally {
          await client.end();
        }
      };
      const rewrite = (next: string) => writeFileSync(join(root, 'ledger.sql'), next);
      return { run: () => step.run({} as StepContext), count, exec, rewrite };
    };

    it('loads the statements in one transaction and records the file hash', async () => {
      const sql = "CREATE TABLE accounts (id bigserial PRIMARY KEY, owner text NOT NULL);\nINSERT INTO accounts (owner) VALUES ('masked 1'), ('masked 2');\n";
      const { run, count } = await seedStep(sql);
      const outputs = await run();
      expect(outputs).toEqual({ seedFile: 'seeds/ledger.sql', sha256: createHash('sha256').update(sql).digest('hex'), bytes: String(sql.length), tables: '1' });
      expect(await count()).toBe(1);
    });

    it('loads nothing twice: a rerun after a crash before the ledger finds the marker committed with the data', async () => {
      const sql = "CREATE TABLE accounts (id int PRIMARY KEY);\nINSERT INTO accounts VALUES (1), (2);\n";
      const { run, count } = await seedStep(sql);
      const first = await run();
      await expect(run()).resolves.toEqual(first);
      expect(await count()).toBe(1);
    });

    it('refuses a changed seed over an earlier one, and a database that was loaded some other way', async () => {
      const changed = await seedStep('CREATE TABLE accounts (id int PRIMARY KEY);\n');
      await changed.run();
      changed.rewrite('CREATE TABLE accounts (id int PRIMARY KEY, owner text);\n');
      await expect(changed.run()).rejects.toThrow(/^the new ledger already holds a different seed \(estate seed seeds\/ledger\.sql sha256:[0-9a-f]{64}\); seeds\/ledger\.sql now hashes to [0-9a-f]{64}\. Recreate the database/);
      const foreign = await seedStep('CREATE TABLE accounts (id int PRIMARY KEY);\n');
      await foreign.exec('CREATE TABLE restored_by_hand (id int)');
      await expect(foreign.run()).rejects.toThrow('the new ledger already has 1 table(s) and no seed marker: it was loaded some other way; refusing to load seeds/ledger.sql over it');
      expect(await foreign.count()).toBe(0);
    });

    it('leaves nothing behind when a statement fails', async () => {
      const { run, count } = await seedStep("CREATE TABLE accounts (id int PRIMARY KEY);\nINSERT INTO accounts VALUES (1), (1);\n");
      await expect(run()).rejects.toThrow(/^seeds\/ledger\.sql failed on the new ledger and was rolled back: duplicate key value violates unique constraint "accounts_pkey"/);
      expect(await count()).toBe(0);
    });

    it('refuses COPY FROM stdin, which only psql can feed, before running anything', async () => {
      const { run, count } = await seedStep('CREATE TABLE accounts (id int);\nCOPY public.accounts (id) FROM stdin;\n1\n\\.\n');
      await expect(run()).rejects.toThrow('seeds/ledger.sql uses COPY ... FROM stdin, which only psql can feed; write the seed as INSERT statements (pg_dump --inserts or --column-inserts)');
      expect(await count()).toBe(0);
    });
  });
});
