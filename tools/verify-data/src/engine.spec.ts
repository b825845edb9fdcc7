import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '@estate/testing';
import { Client } from 'pg';
import { ConnectionError } from './connection';
import { verifyDatabases, type Progress, type VerifyOptions } from './engine';
import type { TableReport, VerifyReport } from './report';

jest.setTimeout(180_000);

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

/** Two real PostgreSQL servers, as in production: the legacy source and the migrated target. */
describe('verifyDatabases against two real PostgreSQL servers', () => {
  let sourceServer: PostgresServer;
  let targetServer: PostgresServer;
  let source: Client;
  let target: Client;
  let urls: { source: string; target: string };
  let counter = 0;

  /** SCHEMA loaded once per server; a test's fresh databases are file copies of it. */
  const TEMPLATE = 'verify_template';
  beforeAll(async () => {
    [sourceServer, targetServer] = await Promise.all([startPostgres(), startPostgres()]);
    await Promise.all(
      [sourceServer, targetServer].map(async (server) => {
        const seed = new Client({ connectionString: await server.createDatabase(TEMPLATE) });
        await seed.connect();
        await seed.query(SCHEMA);
        await seed.end();
      }),
    );
  });
  afterAll(async () => {
    await Promise.allSettled([source?.end(), target?.end()]);
    await Promise.allSettled([sourceServer?.stop(), targetServer?.stop()]);
  });

  /** Fresh databases on both servers, with `schema` run on each. */
  async function databases(schema = SCHEMA): Promise<void> {
    await Promise.allSettled([source?.end(), target?.end()]);
    counter += 1;
    const name = `verify_${counter}`;
    const template = schema === SCHEMA ? TEMPLATE : undefined;
    const [sourceUrl, targetUrl] = await Promise.all([sourceServer.createDatabase(name, { template }), targetServer.createDatabase(name, { template })]);
    urls = { source: `${sourceUrl}?sslmode=disable`, target: `${targetUrl}?sslmode=disable` };
    source = new Client({ connectionString: sourceServer.url(name) });
    target = new Client({ connectionString: targetServer.url(name) });
    await Promise.all([source.connect(), target.connect()]);
    if (schema && !template) await Promise.all([source.query(schema), target.query(schema)]);
  }
  const verify = (options: VerifyOptions = {}) => verifyDatabases({ url: urls.source }, { url: urls.target }, { leafRows: 500, recheck: { attempts: 0 }, ...options });
  const table = (report: VerifyReport, name: string): TableReport => {
    const found = report.tables.find((t) => t.table === name);
    if (!found) throw new Error(`no report for ${name}: ${report.tables.map((t) => t.table).join(', ')}`);
    return found;
  };

  describe('identical data', () => {
    beforeAll(() => databases());

    it('passes every table, with exact counts per side, in many ranges', async () => {
      const report = await verify();
      expect(report.identical).toBe(true);
      expect(report.tables.map((t) => [t.table, t.status])).toEqual([
        ['billing.invoices', 'identical'],
        ['public.accounts', 'identical'],
        ['public.empty_things', 'identical'],
        ['public.postings', 'identical'],
      ]);
      const accounts = table(report, 'public.accounts');
      expect(accounts).toMatchObject({ sourceRows: 2500, targetRows: 2500, keyColumns: ['id'], problems: [], schemaDifferences: [], rows: [], truncated: false });
      expect(accounts.rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 0, changed: 0 });
      // Identical: settled by the whole-table figures, one range, no sampling.
      expect(accounts.ranges).toEqual({ compared: 1, differing: 0 });
      expect(table(report, 'public.postings')).toMatchObject({ sourceRows: 2400, targetRows: 2400, keyColumns: ['account_id', 'seq'] });
      expect(table(report, 'public.empty_things')).toMatchObject({ sourceRows: 0, targetRows: 0, identical: true });
      expect(report.rowsCompared).toBe(2500 + 2400 + 300);
      expect(report.strict).toBe(false);
    });

    it('gives the same answer with several range queries per side, over block ranges in one snapshot', async () => {
      // About 1,500 heap pages per side: the hash pass splits each heap into block ranges.
      const big = `CREATE TABLE ledger (id bigint PRIMARY KEY, account int, amount numeric(12,2), memo text);
        INSERT INTO ledger SELECT g, g % 97, g / 100.0, 'entry number ' || g FROM generate_series(1, 150000) g; ANALYZE ledger`;
      await Promise.all([source.query(big), target.query(big)]);
      try {
        const events: Progress[] = [];
        const report = await verify({ tables: { include: ['ledger'] }, parallel: 3, leafRows: 5000, onProgress: (p) => events.push(p) });
        const ledger = table(report, 'public.ledger');
        expect(ledger).toMatchObject({ identical: true, sourceRows: 150000, targetRows: 150000 });
        expect(ledger.ranges).toEqual({ compared: 1, differing: 0 });
        expect(events.filter((e) => e.phase === 'hashing').length).toBeGreaterThanOrEqual(4);
        expect(events[events.length - 1]).toMatchObject({ phase: 'hashing', rowsDone: 150000, fraction: 1 });

        // A row moved to another page by an update is still counted once.
        await target.query(`UPDATE ledger SET memo = 'edited' WHERE id = 77777; UPDATE ledger SET memo = memo WHERE id = 3`);
        const changed = table(await verify({ tables: { include: ['ledger'] }, parallel: 2, leafRows: 5000 }), 'public.ledger');
        expect(changed).toMatchObject({ sourceRows: 150000, targetRows: 150000 });
        expect(changed.rows).toEqual([{ kind: 'changed', key: ['77777'], columns: [{ column: 'memo', source: 'entry number 77777', target: 'edited' }] }]);
        // The whole-table figures differ, so the key space is cut: about 150,000 / 5,000 ranges, from TABLESAMPLE on both sides, one of them differing.
        expect(changed.ranges.compared).toBeGreaterThanOrEqual(20);
        expect(changed.ranges.compared).toBeLessThanOrEqual(45);
        expect(changed.ranges.differing).toBe(1);
      } finally {
        await Promise.all([source.query('DROP TABLE ledger'), target.query('DROP TABLE ledger')]);
      }
    });

    it('compares only the included tables, minus the excluded ones', async () => {
      await target.query('CREATE TABLE awsdms_apply_exceptions (id serial PRIMARY KEY, error text); INSERT INTO awsdms_apply_exceptions (error) VALUES (\'x\')');
      try {
        const all = await verify({ tables: { include: ['public.*'] } });
        expect(all.tables.map((t) => t.table)).toEqual(['public.accounts', 'public.awsdms_apply_exceptions', 'public.empty_things', 'public.postings']);
        expect(all.identical).toBe(false);
        const report = await verify({ tables: { include: ['public.%', 'billing.invoices'], exclude: ['*.awsdms_*', 'empty_things'] } });
        expect(report.tables.map((t) => t.table)).toEqual(['billing.invoices', 'public.accounts', 'public.postings']);
        expect(report.identical).toBe(true);
      } finally {
        await target.query('DROP TABLE awsdms_apply_exceptions');
      }
    });

    it('reports progress of the hash pass with rows and a fraction that reaches 1', async () => {
      const events: Progress[] = [];
      await verify({ tables: { include: ['accounts'] }, onProgress: (p) => events.push(p) });
      const hashing = events.filter((e) => e.phase === 'hashing');
      expect(hashing.length).toBeGreaterThanOrEqual(2);
      expect(hashing.every((e) => e.table === 'public.accounts')).toBe(true);
      expect(hashing[hashing.length - 1]).toMatchObject({ rowsDone: 2500, fraction: 1 });
    });
  });

  describe('differences', () => {
    beforeEach(() => databases());

    it('is independent of physical row order', async () => {
      await target.query('CREATE TABLE tmp AS SELECT * FROM accounts ORDER BY id DESC; TRUNCATE accounts; INSERT INTO accounts SELECT * FROM tmp; DROP TABLE tmp');
      expect((await verify()).identical).toBe(true);
    });

    it('locates a changed row, with the differing column and both values', async () => {
      await target.query(`UPDATE accounts SET balance = balance + 0.01 WHERE id = 1234`);
      const report = await verify();
      expect(report.identical).toBe(false);
      expect(report.tables.filter((t) => !t.identical).map((t) => t.table)).toEqual(['public.accounts']);
      const accounts = table(report, 'public.accounts');
      expect(accounts.status).toBe('different');
      expect(accounts.rows).toEqual([{ kind: 'changed', key: ['1234'], columns: [{ column: 'balance', source: '1851.00', target: '1851.01' }] }]);
      expect(accounts.rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 0, changed: 1 });
      expect(accounts.problems).toEqual(['1 differing row: 1 changed']);
      expect(accounts.ranges.differing).toBe(1);
    });

    it('redacts the values of sensitive columns but still names them', async () => {
      await target.query(`UPDATE accounts SET owner = 'mallory', balance = 0 WHERE id = 7`);
      const accounts = table(await verify({ redact: ['accounts.owner'] }), 'public.accounts');
      expect(accounts.rows).toEqual([
        {
          kind: 'changed',
          key: ['7'],
          columns: [
            { column: 'balance', source: '10.50', target: '0.00' },
            { column: 'owner', source: '[redacted]', target: '[redacted]' },
          ],
        },
      ]);
      const other = table(await verify({ redact: ['billing.*.owner'] }), 'public.accounts');
      expect(other.rows[0].columns?.find((c) => c.column === 'owner')).toEqual({ column: 'owner', source: 'owner 7', target: 'mallory' });
    });

    it('finds a deleted row and an extra row beyond the last source key', async () => {
      await target.query(`DELETE FROM accounts WHERE id = 7; INSERT INTO accounts VALUES (99999, 'intruder', 1, now())`);
      const accounts = table(await verify(), 'public.accounts');
      expect(accounts).toMatchObject({ sourceRows: 2500, targetRows: 2500 });
      expect(accounts.rows).toEqual([
        { kind: 'missing-in-target', key: ['7'] },
        { kind: 'extra-in-target', key: ['99999'] },
      ]);
      expect(accounts.problems).toEqual(['2 differing rows: 1 missing in the target, 1 extra in the target']);
    });

    it('locates differences in a table with a composite key, and a NULL that became an empty string', async () => {
      await target.query(`UPDATE postings SET memo = 'edited' WHERE account_id = 150 AND seq = 4`);
      await target.query(`UPDATE postings SET memo = '' WHERE account_id = 10 AND seq = 3`);
      await target.query(`DELETE FROM postings WHERE account_id = 3 AND seq = 12`);
      const postings = table(await verify(), 'public.postings');
      expect(postings.rows).toEqual([
        { kind: 'missing-in-target', key: ['3', '12'] },
        { kind: 'changed', key: ['10', '3'], columns: [{ column: 'memo', source: null, target: '' }] },
        { kind: 'changed', key: ['150', '4'], columns: [{ column: 'memo', source: 'memo 4', target: 'edited' }] },
      ]);
      expect(postings.rowDifferences).toEqual({ missingInTarget: 1, extraInTarget: 0, changed: 2 });
    });

    it('finds rows added to an empty table and text keys in another schema', async () => {
      await target.query(`INSERT INTO empty_things VALUES (1, 'surprise')`);
      await target.query(`UPDATE billing.invoices SET paid = NOT paid WHERE code = 'INV-00042'`);
      const report = await verify({ tables: { include: ['empty_things', 'billing.invoices'] } });
      expect(report.tables.map((t) => t.table)).toEqual(['billing.invoices', 'public.empty_things']);
      expect(table(report, 'public.empty_things')).toMatchObject({ sourceRows: 0, targetRows: 1, rows: [{ kind: 'extra-in-target', key: ['1'] }] });
      expect(table(report, 'billing.invoices').rows).toEqual([{ kind: 'changed', key: ['INV-00042'], columns: [{ column: 'paid', source: 'true', target: 'false' }] }]);
    });

    it('lists at most maxRows rows but counts every differing row', async () => {
      await target.query(`UPDATE accounts SET owner = 'x' WHERE id <= 1200; DELETE FROM accounts WHERE id > 2400`);
      const accounts = table(await verify({ maxRows: 10 }), 'public.accounts');
      expect(accounts.rows).toHaveLength(10);
      expect(accounts.rows[0]).toEqual({ kind: 'changed', key: ['1'], columns: [{ column: 'owner', source: 'owner 1', target: 'x' }] });
      expect(accounts.truncated).toBe(true);
      expect(accounts.rowDifferences).toEqual({ missingInTarget: 100, extraInTarget: 0, changed: 1200 });
      expect(accounts.problems).toEqual(['1,300 differing rows: 100 missing in the target, 1,200 changed']);
      const none = table(await verify({ maxRows: 0 }), 'public.accounts');
      expect(none.rows).toEqual([]);
      expect(none.rowDifferences.changed).toBe(1200);
    });

    it('splits a large differing range before reading its rows, and still finds the row', async () => {
      await target.query(`UPDATE accounts SET opened = opened + interval '1 second' WHERE id IN (2222, 2500)`);
      const events: Progress[] = [];
      const accounts = table(await verify({ leafRows: 100, maxRanges: 2, onProgress: (p) => events.push(p) }), 'public.accounts');
      expect(accounts.ranges.compared).toBe(2);
      // The differing range (about 1,250 rows) is cut at every 100th row; only the pieces that differ are read.
      // The piece holding 2222 (100 rows) and the last piece, from the last cut to the end (2 rows).
      expect(events.filter((e) => e.phase === 'locating').map((e) => e.rowsEstimated)).toEqual([102]);
      expect(accounts.rows).toEqual([
        { kind: 'changed', key: ['2222'], columns: [{ column: 'opened', source: '2024-01-02 13:02:00+00', target: '2024-01-02 13:02:01+00' }] },
        // In the last piece, after the last cut.
        { kind: 'changed', key: ['2500'], columns: [{ column: 'opened', source: '2024-01-02 17:40:00+00', target: '2024-01-02 17:40:01+00' }] },
      ]);
    });

    it('reports a table missing on either side, with the other side\'s count', async () => {
      await target.query(`DROP TABLE empty_things; CREATE TABLE only_here (id int PRIMARY KEY); INSERT INTO only_here VALUES (1), (2)`);
      const report = await verify();
      expect(table(report, 'public.empty_things')).toMatchObject({
        status: 'missing',
        identical: false,
        sourceRows: 0,
        targetRows: null,
        problems: ['public.empty_things is not in the target (0 rows in the source)'],
        schemaDifferences: [{ kind: 'missing-table', message: 'public.empty_things is not in the target (0 rows in the source)' }],
      });
      expect(table(report, 'public.only_here')).toMatchObject({ status: 'missing', sourceRows: null, targetRows: 2, problems: ['public.only_here is not in the source (2 rows in the target)'] });
    });

    it('reports missing and extra columns as schema differences and compares the common ones', async () => {
      await target.query(`ALTER TABLE accounts ADD COLUMN note text; ALTER TABLE accounts DROP COLUMN opened`);
      const accounts = table(await verify(), 'public.accounts');
      expect(accounts.schemaDifferences).toEqual([
        { kind: 'missing-column', column: 'opened', source: 'timestamp with time zone', message: 'column opened (timestamp with time zone) is missing in the target' },
        { kind: 'extra-column', column: 'note', target: 'text', message: 'column note (text) exists only in the target' },
      ]);
      expect(accounts.rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 0, changed: 0 });
      expect(accounts.status).toBe('different');
    });
  });

  describe('partitioned tables', () => {
    it('compares a table partitioned by month through its partitions, with sampled ranges', async () => {
      await databases('');
      const schema = `CREATE TABLE entries (id bigint, booked date, amount numeric(12,2), PRIMARY KEY (booked, id)) PARTITION BY RANGE (booked);
        CREATE TABLE entries_2024_01 PARTITION OF entries FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
        CREATE TABLE entries_2024_02 PARTITION OF entries FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
        INSERT INTO entries SELECT g, date '2024-01-01' + (g % 59), g / 100.0 FROM generate_series(1, 20000) g; ANALYZE entries`;
      await Promise.all([source.query(schema), target.query(schema)]);
      const same = table(await verify({ leafRows: 1000 }), 'public.entries');
      expect(same).toMatchObject({ identical: true, sourceRows: 20000, targetRows: 20000, keyColumns: ['booked', 'id'] });
      expect(same.ranges).toEqual({ compared: 1, differing: 0 });

      await target.query(`UPDATE entries SET amount = 0 WHERE id = 12345`);
      const changed = table(await verify({ leafRows: 1000 }), 'public.entries');
      expect(changed.rows).toEqual([{ kind: 'changed', key: ['2024-01-15', '12345'], columns: [{ column: 'amount', source: '123.45', target: '0.00' }] }]);
      expect(changed.ranges.compared).toBeGreaterThanOrEqual(14);
      // About 20,000 / 1,000, up to twice that: each side's sample gives boundaries and they are merged.
      expect(changed.ranges.compared).toBeLessThanOrEqual(45);
      expect(changed.ranges.differing).toBe(1);
    });
  });

  describe('collations', () => {
    // Mixed case, digits and punctuation: "C" and ICU order these very differently.
    const keys = `SELECT (ARRAY['a','B','c','D','_','Z','é','1'])[1 + g % 8] || g FROM generate_series(1, 1000) g`;

    it('counts and compares a text key under C on one side and ICU on the other exactly', async () => {
      await databases('');
      await source.query(`CREATE TABLE codes (code text COLLATE "C" PRIMARY KEY, label text); INSERT INTO codes SELECT k, 'label ' || k FROM (${keys}) s(k)`);
      await target.query(`CREATE TABLE codes (code text COLLATE "en-x-icu" PRIMARY KEY, label text); INSERT INTO codes SELECT k, 'label ' || k FROM (${keys}) s(k)`);
      const report = await verify({ leafRows: 100 });
      const codes = table(report, 'public.codes');
      expect(codes).toMatchObject({ identical: true, sourceRows: 1000, targetRows: 1000, rows: [] });
      expect(codes.ranges).toEqual({ compared: 1, differing: 0 });
      expect(codes.notes).toEqual(['key code has collation C in the source and en-x-icu in the target: ranges are compared under "C" on both sides']);

      await target.query(`UPDATE codes SET label = 'moved' WHERE code = 'B1'`);
      const changed = table(await verify({ leafRows: 100 }), 'public.codes');
      expect(changed.rows).toEqual([{ kind: 'changed', key: ['B1'], columns: [{ column: 'label', source: 'label B1', target: 'moved' }] }]);
      expect(changed.rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 0, changed: 1 });
      expect(changed.ranges.compared).toBeGreaterThanOrEqual(10);
      expect(changed.ranges.compared).toBeLessThanOrEqual(13); // 1,000 / 100: a small table is read whole
      expect(changed.ranges.differing).toBe(1);
    });

    it('tells apart values that a case-insensitive collation calls equal', async () => {
      await databases('');
      const ci = `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`;
      await Promise.all([source.query(ci), target.query(ci)]);
      await source.query(`CREATE TABLE people (id int PRIMARY KEY, name text COLLATE ci); INSERT INTO people VALUES (1, 'Ada'), (2, 'Grace')`);
      await target.query(`CREATE TABLE people (id int PRIMARY KEY, name text COLLATE ci); INSERT INTO people VALUES (1, 'ADA'), (2, 'Grace')`);
      const people = table(await verify(), 'public.people');
      expect(people.rows).toEqual([{ kind: 'changed', key: ['1'], columns: [{ column: 'name', source: 'Ada', target: 'ADA' }] }]);
    });
  });

  describe('type differences', () => {
    const create = (amount: string, at: string, n: string) => `
      CREATE TABLE ledger (id int PRIMARY KEY, amount ${amount}, at ${at}, n ${n});
      INSERT INTO ledger SELECT g, g / 10.0, timestamp '2024-03-01 12:00:00' + g * interval '1 hour', g * 1000 FROM generate_series(1, 300) g;`;

    it('reports numeric(12,1) vs numeric(12,2), timestamptz vs timestamp and int vs bigint before any row, and compares values', async () => {
      await databases('');
      await source.query(create('numeric(12,1)', 'timestamptz', 'int'));
      await target.query(create('numeric(12,2)', 'timestamp', 'bigint'));
      const ledger = table(await verify(), 'public.ledger');
      expect(ledger.schemaDifferences).toEqual([
        { kind: 'type', column: 'amount', source: 'numeric(12,1)', target: 'numeric(12,2)', message: 'column amount is numeric(12,1) in the source but numeric(12,2) in the target (rows compared by value)' },
        {
          kind: 'type',
          column: 'at',
          source: 'timestamp with time zone',
          target: 'timestamp without time zone',
          message: 'column at is timestamp with time zone in the source but timestamp without time zone in the target (rows compared by value)',
        },
        { kind: 'type', column: 'n', source: 'integer', target: 'bigint', message: 'column n is integer in the source but bigint in the target (rows compared by value)' },
      ]);
      // Equal values are not reported as changed rows...
      expect(ledger.rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 0, changed: 0 });
      expect(ledger.problems).toHaveLength(3);
      expect(ledger.identical).toBe(false);

      // ...but a value that really differs is.
      await target.query(`UPDATE ledger SET amount = 4.25 WHERE id = 42`);
      const changed = table(await verify(), 'public.ledger');
      expect(changed.rows).toEqual([{ kind: 'changed', key: ['42'], columns: [{ column: 'amount', source: '4.2', target: '4.25' }] }]);
    });

    it('tells a NULL from a value, and values swapped between columns, in every directly hashed type', async () => {
      await databases('');
      const types = ['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'text', 'varchar(20)', 'timestamp', 'timestamptz', 'uuid', 'jsonb', 'date', 'boolean'];
      const values = ["1", "2", "3", "4.5", "5.5", "6.5", "'seven'", "'eight'", "'2024-01-01 10:00'", "'2024-01-01 10:00+00'", "'6ba7b810-9dad-11d1-80b4-00c04fd430c8'", "'{\"a\": 1}'", "'2024-01-02'", "true"];
      const columns = types.map((type, i) => `c${i} ${type}`).join(', ');
      const create = `CREATE TABLE typed (id int PRIMARY KEY, ${columns}, x int, y int)`;
      const row = (id: number, nullAt?: number) => `(${id}, ${values.map((v, i) => (i === nullAt ? 'NULL' : v)).join(', ')}, 10, 20)`;
      const rows = types.map((_, i) => row(i + 1));
      await source.query(`${create}; INSERT INTO typed VALUES ${rows.join(', ')}`);
      await target.query(`${create}; INSERT INTO typed VALUES ${types.map((_, i) => row(i + 1, i)).join(', ')}`);
      const nulls = table(await verify(), 'public.typed');
      // Row i+1 has column c<i> NULL in the target only: every type's NULL is told apart from its value.
      expect(nulls.rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 0, changed: types.length });
      expect(nulls.rows.map((r) => r.columns?.map((c) => [c.column, c.target]))).toEqual(types.map((_, i) => [[`c${i}`, null]]));

      await target.query(`TRUNCATE typed; INSERT INTO typed VALUES ${rows.join(', ')}; UPDATE typed SET x = 20, y = 10 WHERE id = 3`);
      const swapped = table(await verify(), 'public.typed');
      expect(swapped.rows).toEqual([{ kind: 'changed', key: ['3'], columns: [{ column: 'x', source: '10', target: '20' }, { column: 'y', source: '20', target: '10' }] }]);
    });

    it('hashes a column NOT NULL on one side only the same as on the other', async () => {
      await databases('');
      await source.query(`CREATE TABLE n (id int PRIMARY KEY, a text NOT NULL, b timestamptz NOT NULL); INSERT INTO n SELECT g, 'v' || g, timestamptz '2024-01-01 00:00+00' + g * interval '1 s' FROM generate_series(1, 50) g`);
      await target.query(`CREATE TABLE n (id int PRIMARY KEY, a text, b timestamptz); INSERT INTO n SELECT g, 'v' || g, timestamptz '2024-01-01 00:00+00' + g * interval '1 s' FROM generate_series(1, 50) g`);
      expect(table(await verify(), 'public.n')).toMatchObject({ identical: true, sourceRows: 50, targetRows: 50 });
      await target.query(`UPDATE n SET b = b + interval '1 microsecond' WHERE id = 7`);
      expect(table(await verify(), 'public.n').rows).toEqual([
        { kind: 'changed', key: ['7'], columns: [{ column: 'b', source: '2024-01-01 00:00:07+00', target: '2024-01-01 00:00:07.000001+00' }] },
      ]);
    });

    it('compares integer against numeric as numbers and json as text', async () => {
      await databases('');
      await source.query(`CREATE TABLE t (id int PRIMARY KEY, qty int, doc json); INSERT INTO t VALUES (1, 5, '{"a": 1}'), (2, 6, '{"b": 2}')`);
      await target.query(`CREATE TABLE t (id int PRIMARY KEY, qty numeric(10,2), doc json); INSERT INTO t VALUES (1, 5.00, '{"a": 1}'), (2, 6, '{"b":2}')`);
      const t = table(await verify(), 'public.t');
      expect(t.schemaDifferences.map((d) => d.message)).toEqual(['column qty is integer in the source but numeric(10,2) in the target (rows compared as numeric)']);
      expect(t.rows).toEqual([{ kind: 'changed', key: ['2'], columns: [{ column: 'doc', source: '{"b": 2}', target: '{"b":2}' }] }]);
    });

    it('reports a primary key of another type as such, not as an SQL error', async () => {
      await databases('');
      await source.query(`CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'a'), (2, 'b')`);
      await target.query(`CREATE TABLE items (id text PRIMARY KEY, name text); INSERT INTO items VALUES ('1', 'a'), ('2', 'b')`);
      const items = table(await verify(), 'public.items');
      expect(items.problems).toEqual([
        'column id is integer in the source but text in the target (rows compared as text)',
        'primary keys differ: source (id integer), target (id text); rows compared as a whole, not by key',
      ]);
      expect(items).toMatchObject({ sourceRows: 2, targetRows: 2, contentDiffers: false, identical: false, status: 'different' });
    });
  });

  describe('primary keys', () => {
    it('fails a table whose primary key differs even when the data is equal', async () => {
      await databases('');
      await source.query(`CREATE TABLE p (a int, b int, v text, PRIMARY KEY (a)); INSERT INTO p VALUES (1, 1, 'x'), (2, 1, 'y')`);
      await target.query(`CREATE TABLE p (a int, b int, v text, PRIMARY KEY (a, b)); INSERT INTO p VALUES (1, 1, 'x'), (2, 1, 'y')`);
      const p = table(await verify(), 'public.p');
      expect(p.identical).toBe(false);
      expect(p.schemaDifferences).toEqual([
        { kind: 'primary-key', source: '(a integer)', target: '(a integer, b integer)', message: 'primary keys differ: source (a integer), target (a integer, b integer); rows compared as a whole, not by key' },
      ]);
      expect(p.problems).toEqual(['primary keys differ: source (a integer), target (a integer, b integer); rows compared as a whole, not by key']);
      expect(p.contentDiffers).toBe(false);
    });

    it('fails a table that has a primary key on one side only', async () => {
      await databases('');
      await source.query(`CREATE TABLE p (a int PRIMARY KEY); INSERT INTO p VALUES (1)`);
      await target.query(`CREATE TABLE p (a int); INSERT INTO p VALUES (1), (1)`);
      const p = table(await verify(), 'public.p');
      expect(p.problems).toEqual([
        'primary keys differ: source (a integer), target none; rows compared as a whole, not by key',
        'row counts differ: source 1, target 2 (compared as a whole, rows cannot be located)',
      ]);
      expect(p).toMatchObject({ sourceRows: 1, targetRows: 2, contentDiffers: true });
    });

    it('compares a table without primary key as a whole: equal content passes, a changed row fails', async () => {
      await databases('');
      const schema = `CREATE TABLE events (at int, what text); INSERT INTO events SELECT g % 50, 'e' || g FROM generate_series(1, 400) g; INSERT INTO events VALUES (1, 'dup'), (1, 'dup')`;
      await Promise.all([source.query(schema), target.query(schema)]);
      const equal = table(await verify(), 'public.events');
      expect(equal).toMatchObject({ identical: true, status: 'identical', sourceRows: 402, targetRows: 402, contentDiffers: false, keyColumns: [], problems: [] });
      expect(equal.notes).toEqual(['public.events has no primary key: compared as a whole (row count and content hash); differing rows cannot be located']);

      // A duplicate removed and a different one added: same count, different multiset.
      await target.query(`DELETE FROM events WHERE ctid = (SELECT min(ctid) FROM events WHERE what = 'dup'); INSERT INTO events VALUES (2, 'dup')`);
      const changed = table(await verify(), 'public.events');
      expect(changed).toMatchObject({ identical: false, contentDiffers: true, sourceRows: 402, targetRows: 402 });
      expect(changed.problems).toEqual(['content differs with equal row counts (402; compared as a whole, rows cannot be located)']);
    });
  });

  describe('an empty source against a large target', () => {
    it('counts every extra row in ranges sampled from the target, listing only maxRows', async () => {
      await databases('');
      await source.query(`CREATE TABLE big (id bigint PRIMARY KEY, v text)`);
      await target.query(`CREATE TABLE big (id bigint PRIMARY KEY, v text); INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 50000) g; ANALYZE big`);
      const big = table(await verify({ leafRows: 500, maxRows: 5 }), 'public.big');
      expect(big).toMatchObject({ sourceRows: 0, targetRows: 50000, truncated: true });
      expect(big.rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 50000, changed: 0 });
      expect(big.rows.map((r) => r.key[0])).toEqual(['1', '2', '3', '4', '5']);
      // The boundaries come from the target's sample too, so no range holds the whole table.
      expect(big.ranges.compared).toBeGreaterThanOrEqual(60);
      expect(big.ranges.compared).toBeLessThanOrEqual(160); // about 50,000 / 500
      expect(big.ranges.differing).toBe(big.ranges.compared);
    });
  });

  describe('replication lag and the recheck', () => {
    /** Applies a write to the target `ms` after the first pass saw the difference, as a lagging replica does. */
    const lagging = (sql: string, ms: number) => {
      let applied: Promise<unknown> | undefined;
      const onProgress = (p: Progress) => {
        if (p.phase === 'locating' && !applied) applied = new Promise((resolve) => setTimeout(resolve, ms)).then(() => target.query(sql));
      };
      return { onProgress, applied: () => applied };
    };

    beforeEach(() => databases());

    it('fails on rows still arriving when rechecks are off', async () => {
      await source.query(`INSERT INTO accounts VALUES (5000, 'new', 1, now())`);
      const replica = lagging(`INSERT INTO accounts VALUES (5000, 'new', 1, now())`, 150);
      const accounts = table(await verify({ tables: { include: ['accounts'] }, recheck: { attempts: 0 }, onProgress: replica.onProgress }), 'public.accounts');
      await replica.applied();
      expect(accounts.rows).toEqual([{ kind: 'missing-in-target', key: ['5000'] }]);
      expect(accounts.recheck).toEqual({ attempts: 0, settled: 0, sourceChangedRanges: 0 });
    });

    /**
     * Runs `writes` synchronously when the first recheck starts, before its queries: what a
     * replica applies, or a source receives, while the verifier waits. Records when the
     * verifier started locating and rechecking (its progress clock, seconds).
     */
    const atRecheck = (writes: { readonly source?: string; readonly target?: string }) => {
      const seen: Partial<Record<Progress['phase'], number>> = {};
      const onProgress = (p: Progress) => {
        if (seen[p.phase] !== undefined) return;
        seen[p.phase] = p.seconds;
        if (p.phase !== 'rechecking') return;
        for (const side of ['source', 'target'] as const) {
          const sql = writes[side];
          if (!sql) continue;
          execFileSync(join(sourceServer.bin, 'psql'), ['-d', urls[side], '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: 'pipe' });
        }
      };
      return { onProgress, seen };
    };

    it('passes once the lagging rows arrive, and says they settled on a recheck', async () => {
      await source.query(`INSERT INTO accounts VALUES (5000, 'new', 1, '2024-06-01'); UPDATE accounts SET owner = 'renamed' WHERE id = 3`);
      // The replica applies while the verifier waits before its first recheck.
      const replica = atRecheck({ target: `INSERT INTO accounts VALUES (5000, 'new', 1, '2024-06-01'); UPDATE accounts SET owner = 'renamed' WHERE id = 3` });
      const report = await verify({ tables: { include: ['accounts'] }, recheck: { attempts: 3, delayMs: 150 }, onProgress: replica.onProgress });
      const accounts = table(report, 'public.accounts');
      expect(report.identical).toBe(true);
      expect(accounts.recheck).toEqual({ attempts: 1, settled: 2, sourceChangedRanges: 0 });
      expect(accounts.notes).toEqual(['2 rows differed at first and matched on a recheck (replication lag)']);
      expect(accounts.ranges.differing).toBeGreaterThanOrEqual(1);
      // It waited delayMs before rechecking (the locating pass in between only adds to that).
      const { locating, rechecking } = replica.seen;
      expect(locating).toEqual(expect.any(Number));
      expect((rechecking ?? 0) - (locating ?? 0)).toBeGreaterThanOrEqual(0.15);
    });

    it('gives up after the last attempt and reports what still differs', async () => {
      await target.query(`DELETE FROM accounts WHERE id = 10`);
      const accounts = table(await verify({ tables: { include: ['accounts'] }, recheck: { attempts: 2, delayMs: 10 } }), 'public.accounts');
      expect(accounts.recheck).toEqual({ attempts: 2, settled: 0, sourceChangedRanges: 0 });
      expect(accounts.problems).toEqual(['1 differing row: 1 missing in the target (after 2 rechecks)']);
    });

    it('in strict mode, fails when the source itself changes between checks (the freeze leaks)', async () => {
      await source.query(`INSERT INTO accounts VALUES (5000, 'new', 1, '2024-06-01')`);
      // While the verifier waits, the source changes the row again and the replica catches up with it.
      const writes = { source: `UPDATE accounts SET owner = 'again' WHERE id = 5000`, target: `INSERT INTO accounts VALUES (5000, 'again', 1, '2024-06-01')` };
      const strict = await verify({ tables: { include: ['accounts'] }, strict: true, recheck: { attempts: 2, delayMs: 20 }, onProgress: atRecheck(writes).onProgress });
      const accounts = table(strict, 'public.accounts');
      expect(strict).toMatchObject({ identical: false, strict: true });
      expect(accounts.recheck.sourceChangedRanges).toBe(1);
      expect(accounts.problems).toEqual(['the source changed during verification in 1 rechecked range: writes are not frozen (strict mode)']);

      // The same history without strict mode: the rows matched in the end; the change is a note.
      await source.query(`DELETE FROM accounts WHERE id = 5000`);
      await target.query(`DELETE FROM accounts WHERE id = 5000`);
      await source.query(`INSERT INTO accounts VALUES (5000, 'new', 1, '2024-06-01')`);
      const relaxed = table(await verify({ tables: { include: ['accounts'] }, recheck: { attempts: 2, delayMs: 20 }, onProgress: atRecheck(writes).onProgress }), 'public.accounts');
      expect(relaxed.identical).toBe(true);
      expect(relaxed.notes).toContain('the source changed between checks in 1 range (writes are still flowing)');
    });
  });

  describe('connections', () => {
    beforeAll(() => databases());

    it('names the side that cannot be reached', async () => {
      const error = await verifyDatabases({ url: urls.source }, { url: 'postgres://postgres@127.0.0.1:1/none?sslmode=disable' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).side).toBe('target');
      expect((error as Error).message).toMatch(/^target: cannot connect to 127\.0\.0\.1:1 \(postgres:\/\/postgres@127\.0\.0\.1:1\/none\?sslmode=disable\): /);
      const source = await verifyDatabases({ url: 'postgres://postgres@127.0.0.1:1/none?sslmode=disable' }, { url: urls.target }).catch((e: unknown) => e as Error);
      expect((source as ConnectionError).side).toBe('source');
      const both = await verifyDatabases({ url: 'postgres://postgres@127.0.0.1:1/a?sslmode=disable' }, { url: 'postgres://postgres@127.0.0.1:1/b?sslmode=disable' }).catch((e: unknown) => e as Error);
      expect((both as ConnectionError).side).toBe('both');
      expect((both as Error).message).toMatch(/^source: cannot connect .*; target: cannot connect /);
    });

    it('names the side of a database that does not exist', async () => {
      const nope = targetServer.url('nope');
      const error = await verifyDatabases({ url: urls.source }, { url: `${nope}?sslmode=disable` }).catch((e: unknown) => e as Error);
      // The database's name as the server knows it (a shared server prefixes it).
      expect((error as Error).message).toContain(`database "${new URL(nope).pathname.slice(1)}" does not exist`);
      expect((error as Error).message).toMatch(/^target: cannot connect .*nope" does not exist/);
    });

    it('names the side and the statement when a query is refused there', async () => {
      const reader = targetServer.role('reader');
      await target.query(`CREATE ROLE ${reader} LOGIN; GRANT USAGE ON SCHEMA public, billing TO ${reader}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}; REVOKE SELECT ON accounts FROM ${reader}`);
      const readerUrl = urls.target.replace('postgres://postgres@', `postgres://${reader}@`);
      const error = await verifyDatabases({ url: urls.source }, { url: readerUrl }, { tables: { include: ['accounts'] } }).then(() => undefined, (e: unknown) => e as ConnectionError);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error?.side).toBe('target');
      expect(error?.message).toMatch(/^target: permission denied for table accounts \(in: SELECT /);
    });

    it('range-checks its options before connecting', async () => {
      await expect(verify({ leafRows: 10 })).rejects.toThrow('leafRows 10 must be a whole number from 100 to 1000000');
      await expect(verify({ parallel: 0 })).rejects.toThrow('parallel 0 must be a whole number from 1 to 16');
      await expect(verify({ maxRows: -1 })).rejects.toThrow('maxRows -1 must be a whole number from 0 to 1000000');
      await expect(verify({ recheck: { attempts: 1.5 } })).rejects.toThrow('recheck.attempts 1.5 must be a whole number from 0 to 100');
      await expect(verify({ recheck: { delayMs: 700_000 } })).rejects.toThrow('recheck.delayMs 700000 must be a whole number from 0 to 600000');
      await expect(verify({ maxRanges: 1 })).rejects.toThrow('maxRanges 1 must be a whole number from 2 to 4096');
      await expect(verify({ redact: ['a.b.c.d'] })).rejects.toThrow("redact pattern 'a.b.c.d' must be column, table.column or schema.table.column");
      await expect(verify({ redact: ['a..b'] })).rejects.toThrow("redact pattern 'a..b' must be column");
      await expect(verify({ tables: { include: ['x.y.z'] } })).rejects.toThrow("table pattern 'x.y.z' must be schema.table or table");
    });
  });
});
