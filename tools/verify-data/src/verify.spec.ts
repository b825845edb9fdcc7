import { Client } from 'pg';
import { startPostgres, type PostgresServer } from '@estate/testing';
import { main, parseArgs } from './cli';
import { formatReport, verifyDatabases, type VerifyReport } from './verify';

jest.setTimeout(120_000);

/** The same schema and data on both sides; tests then change one side. */
const SCHEMA = `
  CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(14,2) NOT NULL, opened timestamptz NOT NULL);
  CREATE TABLE postings (account_id bigint NOT NULL, seq int NOT NULL, amount numeric(14,2) NOT NULL, memo text,
                         PRIMARY KEY (account_id, seq));
  CREATE TABLE empty_things (id int PRIMARY KEY, label text);
  CREATE SCHEMA billing;
  CREATE TABLE billing.invoices (code text PRIMARY KEY, total numeric(14,2), paid boolean NOT NULL DEFAULT false);
  INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
    FROM generate_series(1, 2500) g;
  INSERT INTO postings SELECT a, s, (a * s) % 1000 / 10.0, CASE WHEN s % 3 = 0 THEN NULL ELSE 'memo ' || s END
    FROM generate_series(1, 200) a, generate_series(1, 12) s;
  INSERT INTO billing.invoices SELECT 'INV-' || lpad(g::text, 5, '0'), g * 10, g % 2 = 0 FROM generate_series(1, 300) g;
`;

describe('verifyDatabases against a real PostgreSQL', () => {
  let server: PostgresServer;
  let source: Client;
  let target: Client;
  let counter = 0;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    counter += 1;
    source = new Client({ connectionString: await server.createDatabase(`source_${counter}`) });
    target = new Client({ connectionString: await server.createDatabase(`target_${counter}`) });
    await source.connect();
    await target.connect();
    await source.query(SCHEMA);
    await target.query(SCHEMA);
  });
  afterEach(async () => {
    await source.end();
    await target.end();
  });

  const verify = (options: Parameters<typeof verifyDatabases>[2] = {}) => verifyDatabases(source, target, { chunkSize: 500, ...options });
  const table = (report: VerifyReport, name: string) => {
    const found = report.tables.find((t) => t.table === name);
    if (!found) throw new Error(`no report for ${name}`);
    return found;
  };

  it('passes identical databases, in chunks, including an empty table', async () => {
    const report = await verify();
    expect(report.identical).toBe(true);
    expect(report.tables.map((t) => t.table)).toEqual(['billing.invoices', 'public.accounts', 'public.empty_things', 'public.postings']);
    expect(table(report, 'public.accounts')).toMatchObject({ sourceRows: 2500, targetRows: 2500, chunks: 6, identical: true, keyColumns: ['id'] });
    expect(table(report, 'public.postings')).toMatchObject({ sourceRows: 2400, chunks: 5, keyColumns: ['account_id', 'seq'] });
    expect(table(report, 'public.empty_things')).toMatchObject({ sourceRows: 0, targetRows: 0, chunks: 1, identical: true });
    expect(report.rowsCompared).toBe(2500 + 2400 + 300);
  });

  it('is independent of physical row order', async () => {
    // Rewrite the target's rows in reverse order: same data, different heap order.
    await target.query('CREATE TABLE tmp AS SELECT * FROM accounts ORDER BY id DESC; TRUNCATE accounts; INSERT INTO accounts SELECT * FROM tmp; DROP TABLE tmp');
    expect((await verify()).identical).toBe(true);
  });

  it('finds and locates one changed row', async () => {
    await target.query(`UPDATE accounts SET balance = balance + 0.01 WHERE id = 1234`);
    const report = await verify();
    expect(report.identical).toBe(false);
    const accounts = table(report, 'public.accounts');
    expect(accounts.differences).toEqual([
      { after: ['1000'], upTo: ['1500'], sourceRows: 500, targetRows: 500, rows: [{ kind: 'changed', key: ['1234'] }], truncated: false },
    ]);
    expect(report.tables.filter((t) => !t.identical).map((t) => t.table)).toEqual(['public.accounts']);
  });

  it('finds and locates one deleted row', async () => {
    await target.query(`DELETE FROM accounts WHERE id = 7`);
    const accounts = table(await verify(), 'public.accounts');
    expect(accounts.targetRows).toBe(2499);
    expect(accounts.differences).toEqual([
      { after: undefined, upTo: ['500'], sourceRows: 500, targetRows: 499, rows: [{ kind: 'missing-in-target', key: ['7'] }], truncated: false },
    ]);
  });

  it('finds and locates one extra row, also beyond the last source key', async () => {
    await target.query(`INSERT INTO accounts VALUES (99999, 'intruder', 1, now())`);
    const accounts = table(await verify(), 'public.accounts');
    expect(accounts.differences).toEqual([
      { after: ['2500'], upTo: undefined, sourceRows: 0, targetRows: 1, rows: [{ kind: 'extra-in-target', key: ['99999'] }], truncated: false },
    ]);
  });

  it('locates differences in a table with a composite key', async () => {
    await target.query(`UPDATE postings SET memo = 'edited' WHERE account_id = 150 AND seq = 4`);
    await target.query(`DELETE FROM postings WHERE account_id = 3 AND seq = 12`);
    const postings = table(await verify(), 'public.postings');
    expect(postings.differences.map((d) => ({ after: d.after, upTo: d.upTo, rows: d.rows }))).toEqual([
      { after: undefined, upTo: ['42', '8'], rows: [{ kind: 'missing-in-target', key: ['3', '12'] }] },
      { after: ['125', '12'], upTo: ['167', '8'], rows: [{ kind: 'changed', key: ['150', '4'] }] },
    ]);
  });

  it('notices a NULL that became an empty string', async () => {
    await target.query(`UPDATE postings SET memo = '' WHERE account_id = 10 AND seq = 3`);
    const postings = table(await verify(), 'public.postings');
    expect(postings.differences.flatMap((d) => d.rows)).toEqual([{ kind: 'changed', key: ['10', '3'] }]);
  });

  it('finds rows added to an empty table and text keys in another schema', async () => {
    await target.query(`INSERT INTO empty_things VALUES (1, 'surprise')`);
    await target.query(`UPDATE billing.invoices SET paid = NOT paid WHERE code = 'INV-00042'`);
    const report = await verify({ tables: ['empty_things', 'billing.invoices'] });
    expect(report.tables.map((t) => t.table)).toEqual(['public.empty_things', 'billing.invoices']);
    expect(table(report, 'public.empty_things').differences[0].rows).toEqual([{ kind: 'extra-in-target', key: ['1'] }]);
    expect(table(report, 'billing.invoices').differences[0].rows).toEqual([{ kind: 'changed', key: ['INV-00042'] }]);
  });

  it('reports a table missing in the target and different columns', async () => {
    await target.query(`DROP TABLE empty_things; ALTER TABLE accounts ADD COLUMN note text`);
    const report = await verify();
    expect(table(report, 'public.empty_things').problems).toEqual(['public.empty_things is not in the target']);
    expect(table(report, 'public.accounts').problems).toEqual(['public.accounts columns differ: only in source [], only in target [note]']);
    expect(formatReport(report)).toMatch(/DIFF public\.accounts/);
  });

  it('caps the listed rows of a chunk', async () => {
    await target.query(`UPDATE accounts SET owner = 'x' WHERE id <= 50`);
    const accounts = table(await verify({ maxRowsPerChunk: 10 }), 'public.accounts');
    expect(accounts.differences[0].rows).toHaveLength(10);
    expect(accounts.differences[0].truncated).toBe(true);
  });

  it('exits 0 when identical and 1 with the location when not, through the CLI', async () => {
    const lines: string[] = [];
    const args = ['--source', server.url(`source_${counter}`), '--target', server.url(`target_${counter}`), '--chunk', '1000'];
    expect(await main(args, (t) => lines.push(t))).toBe(0);
    await target.query(`DELETE FROM billing.invoices WHERE code = 'INV-00300'`);
    expect(await main([...args, '--json'], (t) => lines.push(t))).toBe(1);
    const report = JSON.parse(lines[lines.length - 1]) as VerifyReport;
    expect(table(report, 'billing.invoices').differences[0].rows).toEqual([{ kind: 'missing-in-target', key: ['INV-00300'] }]);
    expect(await main(['--source', 'postgres://127.0.0.1:1/none', '--target', 'postgres://127.0.0.1:1/none'], () => undefined)).toBe(2);
  });
});

describe('parseArgs', () => {
  it('reads every option', () => {
    expect(parseArgs(['--source', 's', '--target', 't', '--tables', 'a, billing.b', '--chunk', '50', '--json'])).toEqual({
      source: 's', target: 't', tables: ['a', 'billing.b'], chunk: 50, maxRows: 100, json: true,
    });
  });
  it('rejects missing connections, bad numbers and unknown flags', () => {
    expect(() => parseArgs(['--source', 's'])).toThrow(/--source and --target are required/);
    expect(() => parseArgs(['--source', 's', '--target', 't', '--chunk', '0'])).toThrow(/--chunk '0' must be a whole number >= 1/);
    expect(() => parseArgs(['--verbose'])).toThrow(/unknown argument '--verbose'/);
  });
});
