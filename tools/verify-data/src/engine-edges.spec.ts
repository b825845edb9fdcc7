import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startPostgres, type CreateDatabaseOptions, type PostgresServer } from '@estate/testing';
import { Client } from 'pg';
import { ConnectionError } from './connection';
import { verifyDatabases, type Progress, type VerifyOptions } from './engine';
import type { TableReport, VerifyReport } from './report';
import { describeTables } from './schema';

jest.setTimeout(60_000);

const unreachable = (db: string) => `postgres://u@127.0.0.1:1/${db}?sslmode=disable`;
const rejection = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e as Error,
  );

/** Option checks happen before anything connects: an unreachable or malformed URL shows which check ran first. */
describe('verifyDatabases before connecting', () => {
  it('accepts every option at both ends of its range', async () => {
    const low: VerifyOptions = { maxRows: 0, leafRows: 100, maxRanges: 2, parallel: 1, recheck: { attempts: 0, delayMs: 0 } };
    const high: VerifyOptions = { maxRows: 1_000_000, leafRows: 1_000_000, maxRanges: 4096, parallel: 16, recheck: { attempts: 100, delayMs: 600_000 } };
    for (const options of [low, high]) {
      const error = await rejection(verifyDatabases({ url: 'not a url' }, { url: unreachable('t') }, options));
      expect(error).toEqual(new ConnectionError('source', "'not a url' is not a URL; expected postgres://user:password@host:port/database"));
    }
  });

  it.each([
    [{ maxRows: 1_000_001 }, 'maxRows 1000001 must be a whole number from 0 to 1000000'],
    [{ leafRows: 99 }, 'leafRows 99 must be a whole number from 100 to 1000000'],
    [{ leafRows: 1_000_001 }, 'leafRows 1000001 must be a whole number from 100 to 1000000'],
    [{ maxRanges: 4097 }, 'maxRanges 4097 must be a whole number from 2 to 4096'],
    [{ parallel: 17 }, 'parallel 17 must be a whole number from 1 to 16'],
    [{ parallel: 1.5 }, 'parallel 1.5 must be a whole number from 1 to 16'],
    [{ recheck: { attempts: 101 } }, 'recheck.attempts 101 must be a whole number from 0 to 100'],
    [{ recheck: { attempts: -1 } }, 'recheck.attempts -1 must be a whole number from 0 to 100'],
    [{ recheck: { delayMs: -1 } }, 'recheck.delayMs -1 must be a whole number from 0 to 600000'],
    [{ recheck: { delayMs: 600_001 } }, 'recheck.delayMs 600001 must be a whole number from 0 to 600000'],
    [{ maxRows: Number.NaN }, 'maxRows NaN must be a whole number from 0 to 1000000'],
    [{ redact: [''] }, "redact pattern '' must be column, table.column or schema.table.column"],
    [{ redact: ['a.'] }, "redact pattern 'a.' must be column, table.column or schema.table.column"],
    [{ redact: ['a.b c'] }, "redact pattern 'a.b c' must be column, table.column or schema.table.column"],
    [{ redact: ['a b.c'] }, "redact pattern 'a b.c' must be column, table.column or schema.table.column"],
    [{ tables: { exclude: ['a b'] } }, "table pattern 'a b' must be schema.table or table (with * or % as wildcards)"],
    [{ tables: { include: ['ok'], exclude: ['x.y.z'] } }, "table pattern 'x.y.z' must be schema.table or table (with * or % as wildcards)"],
  ] as [VerifyOptions, string][])('refuses %p', async (options, message) => {
    expect(await rejection(verifyDatabases({ url: unreachable('s') }, { url: unreachable('t') }, options))).toEqual(new Error(message));
  });

  it('accepts redact patterns of one to three parts, trimmed', async () => {
    const error = await rejection(verifyDatabases({ url: 'not a url' }, { url: unreachable('t') }, { redact: [' owner ', 'accounts.owner', 'public.accounts.owner', '*.*.%'] }));
    expect(error).toBeInstanceOf(ConnectionError);
  });

  it('checks the target URL before connecting to the source', async () => {
    expect(await rejection(verifyDatabases({ url: unreachable('s') }, { url: 'mysql://x/y' }))).toEqual(new ConnectionError('target', "'mysql://x/y' must start with postgres:// or postgresql://"));
  });

  it('joins both sides\' connection failures into one error', async () => {
    const error = await rejection(verifyDatabases({ url: unreachable('a') }, { url: unreachable('b') }, { parallel: 1 }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).side).toBe('both');
    expect(error.message).toBe(
      'source: cannot connect to 127.0.0.1:1 (postgres://u@127.0.0.1:1/a?sslmode=disable): connect ECONNREFUSED 127.0.0.1:1; ' +
        'target: cannot connect to 127.0.0.1:1 (postgres://u@127.0.0.1:1/b?sslmode=disable): connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});

/** 1,000 keyed rows: with `leafRows: 100` both sides sample every 100th key, so the ranges are known exactly. */
const SCHEMA = `
  CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL, qty int);
  INSERT INTO items SELECT g, 'item ' || g, g % 7 FROM generate_series(1, 1000) g;
  CREATE TABLE loose (v int, w text);
  INSERT INTO loose SELECT g % 10, 'w' || g FROM generate_series(1, 50) g;
`;

/** One server, source and target as two databases of it (copies of one template): the engine only sees two URLs. */
describe('verifyDatabases at the edges, against a real PostgreSQL', () => {
  let server: PostgresServer;
  let source: Client;
  let target: Client;
  let names: { source: string; target: string };
  let counter = 0;
  const TEMPLATE = 'edges_template';

  beforeAll(async () => {
    // No autovacuum: planner statistics stay exactly what each test makes them.
    server = await startPostgres({ settings: { autovacuum: 'off' } });
    const seed = new Client({ connectionString: await server.createDatabase(TEMPLATE) });
    await seed.connect();
    await seed.query(SCHEMA);
    await seed.end();
  });
  afterAll(async () => {
    await Promise.allSettled([source?.end(), target?.end()]);
    await server?.stop();
  });

  /** Fresh source and target databases: copies of the template, or made with `options` (empty). */
  async function databases(options: CreateDatabaseOptions = { template: TEMPLATE }): Promise<void> {
    await Promise.allSettled([source?.end(), target?.end()]);
    counter += 1;
    names = { source: `src_${counter}`, target: `tgt_${counter}` };
    await server.createDatabase(names.source, options);
    await server.createDatabase(names.target, options);
    source = new Client({ connectionString: server.url(names.source) });
    target = new Client({ connectionString: server.url(names.target) });
    await Promise.all([source.connect(), target.connect()]);
  }
  /** Runs SQL on one side synchronously: from inside a progress callback, before the engine's next query. */
  const now = (side: 'source' | 'target', sql: string) =>
    execFileSync(join(server.bin, 'psql'), ['-d', server.url(names[side]), '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: 'pipe' });
  const verify = (options: VerifyOptions = {}) =>
    verifyDatabases({ url: `${server.url(names.source)}?sslmode=disable` }, { url: `${server.url(names.target)}?sslmode=disable` }, {
      leafRows: 100,
      recheck: { attempts: 0 },
      tables: { include: ['items'] },
      ...options,
    });
  const table = (report: VerifyReport, name = 'public.items'): TableReport => {
    const found = report.tables.find((t) => t.table === name);
    if (!found) throw new Error(`no report for ${name}`);
    return found;
  };
  /** Calls `action` once, at the first progress event that `when` accepts. */
  const once = (when: (p: Progress) => boolean, action: () => void) => {
    let done = false;
    return (p: Progress) => {
      if (done || !when(p)) return;
      done = true;
      action();
    };
  };

  describe('ranges and rows', () => {
    beforeAll(async () => {
      await databases();
      await source.query('ANALYZE items');
      await target.query(`UPDATE items SET label = 'x' WHERE id IN (5, 150, 250); DELETE FROM items WHERE id = 1000; INSERT INTO items VALUES (1001, 'new', 1)`);
    });

    it('cuts the key space at every 100th key of both sides and lists differences in the first, adjacent and last ranges', async () => {
      const events: Progress[] = [];
      const report = await verify({ maxRows: 5, onProgress: (p) => events.push(p) });
      const items = table(report);
      expect(items.ranges).toEqual({ compared: 12, differing: 5 });
      expect(items.rows).toEqual([
        { kind: 'changed', key: ['5'], columns: [{ column: 'label', source: 'item 5', target: 'x' }] },
        { kind: 'changed', key: ['150'], columns: [{ column: 'label', source: 'item 150', target: 'x' }] },
        { kind: 'changed', key: ['250'], columns: [{ column: 'label', source: 'item 250', target: 'x' }] },
        { kind: 'missing-in-target', key: ['1000'] },
        { kind: 'extra-in-target', key: ['1001'] },
      ]);
      expect(items).toMatchObject({ sourceRows: 1000, targetRows: 1000, truncated: false, status: 'different', keyColumns: ['id'], notes: [], schemaDifferences: [] });
      expect(items.rowDifferences).toEqual({ missingInTarget: 1, extraInTarget: 1, changed: 3 });
      expect(items.problems).toEqual(['5 differing rows: 1 missing in the target, 1 extra in the target, 3 changed']);
      expect(items.recheck).toEqual({ attempts: 0, settled: 0, sourceChangedRanges: 0 });
      expect(report.rowsCompared).toBe(1000);

      // Whole table (one query per side), then the ranges (one per side), then the rows of the 5 ranges (99 + 100 + 100 + 1 + 0 source rows).
      expect(events.map((e) => [e.table, e.phase, e.fraction, e.rowsEstimated])).toEqual([
        ['public.items', 'hashing', 0.5, 1000],
        ['public.items', 'hashing', 1, 1000],
        ['public.items', 'hashing', 0.5, 1000],
        ['public.items', 'hashing', 1, 1000],
        ['public.items', 'locating', 0, 300],
      ]);
      expect(events.filter((e) => e.fraction === 1).map((e) => e.rowsDone)).toEqual([1000, 1000]);
      expect(events[4].rowsDone).toBe(0);
      for (const e of events) expect(e.seconds).toBeGreaterThanOrEqual(0);
      expect(events[4].seconds).toBeLessThan(30);
    });

    it('keeps maxRanges by taking every n-th of the sampled keys, spread over the key space', async () => {
      const items = table(await verify({ maxRanges: 4 }));
      // 11 keys sampled (every 100th of both sides) → 3 kept: 100, 400, 700.
      expect(items.ranges).toEqual({ compared: 4, differing: 3 });
      // 1000 and 1001 now share the last range: within a range, rows only in the target are listed first.
      expect(items.rows.map((r) => `${r.kind} ${r.key[0]}`)).toEqual(['changed 5', 'changed 150', 'changed 250', 'extra-in-target 1001', 'missing-in-target 1000']);
    });

    it('truncates the list only when more rows differ than it holds', async () => {
      const items = table(await verify({ maxRows: 4 }));
      expect(items.rows.map((r) => r.key[0])).toEqual(['5', '150', '250', '1000']);
      expect(items.truncated).toBe(true);
    });

    it('estimates 0 rows for a table never analyzed, and reports no progress for a table compared as a whole', async () => {
      const events: Progress[] = [];
      await verify({ tables: { include: ['loose'] }, onProgress: (p) => events.push(p) });
      expect(events).toEqual([]);
      // The target database as the source: its items were never analyzed (reltuples -1).
      const swapped = await verifyDatabases({ url: `${server.url(names.target)}?sslmode=disable` }, { url: `${server.url(names.source)}?sslmode=disable` }, {
        leafRows: 100,
        recheck: { attempts: 0 },
        tables: { include: ['items'] },
        onProgress: (p) => events.push(p),
      });
      expect(table(swapped).ranges).toEqual({ compared: 12, differing: 5 });
      expect(events.map((e) => [e.phase, e.rowsEstimated])).toEqual([
        ['hashing', 0],
        ['hashing', 0],
        ['hashing', 0],
        ['hashing', 0],
        ['locating', 300],
      ]);
    });
  });

  describe('rechecks', () => {
    beforeEach(() => databases());

    it('does not recheck when the rows already match by the time it reads them', async () => {
      await target.query(`UPDATE items SET label = 'lagging' WHERE id = 7`);
      let hashed = 0;
      // The replica catches up after the range hashes (the fourth hashing event), before the rows are read.
      const onProgress = (p: Progress) => {
        if (p.phase === 'hashing' && ++hashed === 4) now('target', `UPDATE items SET label = 'item 7' WHERE id = 7`);
      };
      const items = table(await verify({ recheck: { attempts: 3, delayMs: 0 }, onProgress }));
      expect(hashed).toBe(4);
      expect(items).toMatchObject({ identical: true, problems: [], rows: [], notes: [] });
      expect(items.ranges).toEqual({ compared: 11, differing: 1 });
      expect(items.recheck).toEqual({ attempts: 0, settled: 0, sourceChangedRanges: 0 });
    });

    it('says a single row settled, and passes', async () => {
      await target.query(`UPDATE items SET label = 'lagging' WHERE id = 7`);
      const report = await verify({ recheck: { attempts: 3, delayMs: 0 }, onProgress: once((p) => p.phase === 'rechecking', () => now('target', `UPDATE items SET label = 'item 7' WHERE id = 7`)) });
      const items = table(report);
      expect(report.identical).toBe(true);
      expect(items).toMatchObject({ status: 'identical', problems: [], rows: [], truncated: false, rowDifferences: { missingInTarget: 0, extraInTarget: 0, changed: 0 } });
      expect(items.recheck).toEqual({ attempts: 1, settled: 1, sourceChangedRanges: 0 });
      expect(items.ranges).toEqual({ compared: 11, differing: 1 });
      expect(items.notes).toEqual(['1 row differed at first and matched on a recheck (replication lag)']);
    });

    it('estimates the rows to locate from the source side of the differing ranges', async () => {
      await target.query(`DELETE FROM items WHERE id <= 10`);
      const events: Progress[] = [];
      const items = table(await verify({ onProgress: (p) => events.push(p) }));
      expect(items.rowDifferences).toEqual({ missingInTarget: 10, extraInTarget: 0, changed: 0 });
      expect(items.ranges.differing).toBe(1);
      expect(events.filter((e) => e.phase !== 'hashing')).toEqual([{ table: 'public.items', phase: 'locating', rowsDone: 0, rowsEstimated: 99, fraction: 0, seconds: expect.any(Number) }]);
    });

    it('counts nothing as settled when a recheck finds more, and says how many rechecks it made', async () => {
      await target.query(`UPDATE items SET label = 'x' WHERE id = 7`);
      const report = await verify({ recheck: { attempts: 1, delayMs: 0 }, onProgress: once((p) => p.phase === 'rechecking', () => now('target', `UPDATE items SET label = 'y' WHERE id = 8`)) });
      const items = table(report);
      expect(items.recheck).toEqual({ attempts: 1, settled: 0, sourceChangedRanges: 0 });
      expect(items.problems).toEqual(['2 differing rows: 2 changed (after 1 recheck)']);
      expect(items.notes).toEqual([]);
      expect(items.rows.map((r) => r.key[0])).toEqual(['7', '8']);
    });

    it('counts source changes per rechecked range: a failure in strict mode, a note otherwise', async () => {
      await target.query(`UPDATE items SET qty = 100 WHERE id IN (7, 550)`);
      const moveBoth = () => {
        now('source', `UPDATE items SET qty = 200 WHERE id IN (7, 550)`);
        now('target', `UPDATE items SET qty = 200 WHERE id IN (7, 550)`);
      };
      const strict = await verify({ strict: true, recheck: { attempts: 2, delayMs: 0 }, onProgress: once((p) => p.phase === 'rechecking', moveBoth) });
      const items = table(strict);
      expect(strict).toMatchObject({ identical: false, strict: true });
      expect(items.recheck).toEqual({ attempts: 1, settled: 2, sourceChangedRanges: 2 });
      expect(items.problems).toEqual(['the source changed during verification in 2 rechecked ranges: writes are not frozen (strict mode)']);
      expect(items.notes).toEqual(['2 rows differed at first and matched on a recheck (replication lag)']);

      await target.query(`UPDATE items SET qty = 100 WHERE id IN (7, 550)`);
      const moveAgain = () => {
        now('source', `UPDATE items SET qty = 300 WHERE id IN (7, 550)`);
        now('target', `UPDATE items SET qty = 300 WHERE id IN (7, 550)`);
      };
      const relaxed = await verify({ recheck: { attempts: 2, delayMs: 0 }, onProgress: once((p) => p.phase === 'rechecking', moveAgain) });
      expect(relaxed.identical).toBe(true);
      expect(table(relaxed).problems).toEqual([]);
      expect(table(relaxed).notes).toEqual(['2 rows differed at first and matched on a recheck (replication lag)', 'the source changed between checks in 2 ranges (writes are still flowing)']);
    });

    it('tells when the source changed between the whole-table hash and the range hash', async () => {
      await target.query(`UPDATE items SET label = 'x' WHERE id = 7`);
      const afterWhole = (sql: string) =>
        once(
          (p) => p.phase === 'hashing' && p.fraction === 1,
          () => {
            now('source', sql);
            now('target', sql);
          },
        );
      // An update: the same count, another hash.
      const strict = table(await verify({ strict: true, onProgress: afterWhole(`UPDATE items SET label = 'moved' WHERE id = 500`) }));
      expect(strict.problems).toEqual(['1 differing row: 1 changed', 'the source changed between the whole-table hash and the range hash: writes are not frozen (strict mode)']);
      expect(strict.notes).toEqual([]);
      expect(strict).toMatchObject({ sourceRows: 1000, targetRows: 1000 });

      // An insert, without strict mode: a note; the row counts are those of the range pass.
      const relaxed = table(await verify({ onProgress: afterWhole(`INSERT INTO items VALUES (2000, 'late', 1)`) }));
      expect(relaxed.problems).toEqual(['1 differing row: 1 changed']);
      expect(relaxed.notes).toEqual(['the source changed between the whole-table hash and the range hash (writes are still flowing)']);
      expect(relaxed).toMatchObject({ sourceRows: 1001, targetRows: 1001 });

      // Nothing moves: neither.
      const still = table(await verify({ strict: true }));
      expect(still.problems).toEqual(['1 differing row: 1 changed']);
      expect(still.notes).toEqual([]);
    });
  });

  describe('tables as a whole, missing tables, redaction, failures', () => {
    beforeAll(() => databases());

    it('compares a table without primary key in one range, naming the source key when only the source has one', async () => {
      const equal = table(await verify({ tables: { include: ['loose'] } }), 'public.loose');
      expect(equal).toMatchObject({ identical: true, keyColumns: [], ranges: { compared: 1, differing: 0 }, recheck: { attempts: 0, settled: 0, sourceChangedRanges: 0 }, rows: [], truncated: false });
      await target.query(`UPDATE loose SET w = 'changed' WHERE w = 'w3'`);
      const changed = table(await verify({ tables: { include: ['loose'] } }), 'public.loose');
      expect(changed).toMatchObject({ identical: false, contentDiffers: true, ranges: { compared: 1, differing: 1 }, sourceRows: 50, targetRows: 50 });
      await source.query(`ALTER TABLE loose ADD PRIMARY KEY (w)`);
      const keyed = table(await verify({ tables: { include: ['loose'] } }), 'public.loose');
      expect(keyed).toMatchObject({ keyColumns: ['w'], notes: [], contentDiffers: true });
      expect(keyed.problems).toEqual(['primary keys differ: source (w text), target none; rows compared as a whole, not by key', 'content differs with equal row counts (50; compared as a whole, rows cannot be located)']);
      await Promise.all([source.query(`ALTER TABLE loose DROP CONSTRAINT loose_pkey`), target.query(`UPDATE loose SET w = 'w3' WHERE w = 'changed'`)]);
    });

    it('counts a table missing on one side with thousands separators, and only source rows in rowsCompared', async () => {
      await source.query(`CREATE TABLE extra AS SELECT g AS id FROM generate_series(1, 1234) g`);
      await target.query(`CREATE TABLE only_target AS SELECT g AS id FROM generate_series(1, 3) g`);
      try {
        const report = await verify({ tables: { include: ['extra', 'only_target', 'loose'] } });
        expect(report.tables.map((t) => [t.table, t.status, t.sourceRows, t.targetRows, t.problems])).toEqual([
          ['public.extra', 'missing', 1234, null, ['public.extra is not in the target (1,234 rows in the source)']],
          ['public.loose', 'identical', 50, 50, []],
          ['public.only_target', 'missing', null, 3, ['public.only_target is not in the source (3 rows in the target)']],
        ]);
        expect(report.rowsCompared).toBe(1234 + 50);
        expect(report.identical).toBe(false);
        expect(report.seconds).toBeGreaterThanOrEqual(0);
      } finally {
        await Promise.all([source.query('DROP TABLE extra'), target.query('DROP TABLE only_target')]);
      }
    });

    it('redacts by column, table.column and schema.table.column, with wildcards, and nothing else', async () => {
      await target.query(`UPDATE items SET label = 'secret', qty = 99 WHERE id = 3`);
      const columnsOf = async (redact: string[]) => table(await verify({ redact })).rows[0].columns;
      const label = { column: 'label', source: 'item 3', target: 'secret' };
      const qty = { column: 'qty', source: '3', target: '99' };
      const hidden = (column: string) => ({ column, source: '[redacted]', target: '[redacted]' });
      expect(await columnsOf([])).toEqual([label, qty]);
      expect(await columnsOf([' label '])).toEqual([hidden('label'), qty]);
      expect(await columnsOf(['items.qty'])).toEqual([label, hidden('qty')]);
      expect(await columnsOf(['public.items.*'])).toEqual([hidden('label'), hidden('qty')]);
      expect(await columnsOf(['other.items.label', 'public.other.label', 'x.label', 'it.qty'])).toEqual([label, qty]);
      expect(await columnsOf(['lab%', 'i*s.q*'])).toEqual([hidden('label'), hidden('qty')]);
      await target.query(`UPDATE items SET label = 'item 3', qty = 3 WHERE id = 3`);
    });

    it('names the statement, on one line and cut at 160 characters, when a query is refused', async () => {
      const reader = server.role('edges_reader');
      await target.query(`CREATE ROLE ${reader} LOGIN; GRANT USAGE ON SCHEMA public TO ${reader}`);
      const url = `${server.url(names.target).replace('postgres://postgres@', `postgres://${reader}@`)}?sslmode=disable`;
      const error = await rejection(verifyDatabases({ url: `${server.url(names.source)}?sslmode=disable` }, { url }, { tables: { include: ['items'] } }));
      expect(error).toBeInstanceOf(ConnectionError);
      const [, statement] = /^target: permission denied for table items \(in: (.*)\)$/s.exec(error.message) ?? [];
      expect(statement).toBe('SELECT 0 AS b, count(*)::text AS n, coalesce(sum((hashint4extended(t."id", 1) # hashtextextended(t."label" COLLATE "C", 2) # coalesce(hashint4extended(t."qty", ');
      expect(statement).toHaveLength(160);
    });
  });

  describe('describeTables', () => {
    it('describes columns, keys, kinds and sizes exactly, and leaves system, temporary and partition tables out', async () => {
      await databases();
      await source.query(`
        CREATE TABLE shapes (b text COLLATE "C", a int, gone int, c numeric(5,2), d text NOT NULL, j json, PRIMARY KEY (b, a));
        ALTER TABLE shapes DROP COLUMN gone;
        INSERT INTO shapes VALUES ('x', 1, 1.5, 'd', '{}');
        CREATE TABLE nocols ();
        CREATE TABLE parts (id int PRIMARY KEY) PARTITION BY RANGE (id);
        CREATE TABLE parts_low PARTITION OF parts FOR VALUES FROM (0) TO (100);
        INSERT INTO parts SELECT generate_series(0, 9);
        ANALYZE parts;
        CREATE SCHEMA pgx; CREATE TABLE pgx.t (id int);
        CREATE TEMP TABLE scratch (id int);
        DROP TABLE items, loose`);
      const tables = await describeTables(source);
      expect([...tables.keys()].sort()).toEqual(['pgx.t', 'public.nocols', 'public.parts', 'public.shapes']);
      expect(tables.get('public.shapes')).toEqual({
        schema: 'public',
        name: 'shapes',
        kind: 'r',
        columns: [
          { name: 'b', type: 'text', baseType: 'text', collatable: true, collation: 'C', hashable: true, notNull: true },
          { name: 'a', type: 'integer', baseType: 'integer', collatable: false, hashable: true, notNull: true },
          { name: 'c', type: 'numeric(5,2)', baseType: 'numeric', collatable: false, hashable: true },
          { name: 'd', type: 'text', baseType: 'text', collatable: true, collation: 'default', hashable: true, notNull: true },
          { name: 'j', type: 'json', baseType: 'json', collatable: false, hashable: false },
        ],
        key: ['b', 'a'],
        estimatedRows: -1,
        pages: 1,
      });
      expect(tables.get('public.nocols')).toEqual({ schema: 'public', name: 'nocols', kind: 'r', columns: [], key: [], estimatedRows: -1, pages: 0 });
      expect(tables.get('public.parts')).toEqual({
        schema: 'public',
        name: 'parts',
        kind: 'p',
        columns: [{ name: 'id', type: 'integer', baseType: 'integer', collatable: false, hashable: true, notNull: true }],
        key: ['id'],
        estimatedRows: 10,
        pages: 1,
      });
    });
  });

  describe('what it leaves behind and what it reads', () => {
    /** The database's name as the server knows it (a shared server prefixes it). */
    const actualName = (name: string) => new URL(server.url(name)).pathname.slice(1);
    /** Connections to `client`'s database other than its own, once those closing have gone (up to 3 s). */
    const othersOn = async (client: Client): Promise<number> => {
      const count = async () =>
        (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows[0].n;
      for (let i = 0; i < 60; i++) {
        if ((await count()) === 0) return 0;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return count();
    };

    it('closes every connection it opened: after a report, and after one side could open only some', async () => {
      await databases();
      await target.query(`UPDATE items SET qty = 99 WHERE id = 500`);
      const events: Progress[] = [];
      const report = await verify({ parallel: 3, onProgress: (p) => events.push(p) });
      expect(table(report).rowDifferences).toEqual({ missingInTarget: 0, extraInTarget: 0, changed: 1 });
      // Seconds, not milliseconds, from the start of the run or the table.
      for (const seconds of [report.seconds, table(report).seconds, ...events.map((e) => e.seconds)]) {
        expect(seconds).toBeGreaterThanOrEqual(0);
        expect(seconds).toBeLessThan(60);
      }
      expect(await othersOn(source)).toBe(0);
      expect(await othersOn(target)).toBe(0);

      // A login allowed one connection: the target side opens one of three and fails; that one,
      // and the source side's three, are closed again.
      const limited = server.role('edges_limited');
      await target.query(`CREATE ROLE ${limited} LOGIN CONNECTION LIMIT 1; GRANT USAGE ON SCHEMA public TO ${limited}; GRANT SELECT ON items TO ${limited}`);
      const url = `${server.url(names.target).replace('postgres://postgres@', `postgres://${limited}@`)}?sslmode=disable`;
      const error = await rejection(verifyDatabases({ url: `${server.url(names.source)}?sslmode=disable` }, { url }, { parallel: 3, tables: { include: ['items'] } }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.message).toMatch(new RegExp(`^target: .*too many connections for role "${limited}"`));
      expect(await othersOn(source)).toBe(0);
      expect(await othersOn(target)).toBe(0);
    });

    it('closes the side that opened when the other cannot connect at all', async () => {
      await databases();
      const error = await rejection(verifyDatabases({ url: `${server.url(names.source)}?sslmode=disable` }, { url: `${server.url('no_such_db')}?sslmode=disable` }, { parallel: 2 }));
      expect((error as ConnectionError).side).toBe('target');
      expect(await othersOn(source)).toBe(0);
    });

    it('reports a table missing on one side with every other figure at its empty value', async () => {
      await databases();
      await target.query('DROP TABLE loose');
      const report = await verify({ tables: { include: ['loose'] } });
      const message = 'public.loose is not in the target (50 rows in the source)';
      expect(report.tables).toEqual([
        {
          table: 'public.loose',
          status: 'missing',
          identical: false,
          problems: [message],
          keyColumns: [],
          sourceRows: 50,
          targetRows: null,
          schemaDifferences: [{ kind: 'missing-table', message }],
          rowDifferences: { missingInTarget: 0, extraInTarget: 0, changed: 0 },
          contentDiffers: false,
          rows: [],
          truncated: false,
          ranges: { compared: 0, differing: 0 },
          recheck: { attempts: 0, settled: 0, sourceChangedRanges: 0 },
          notes: [],
          seconds: expect.any(Number),
        },
      ]);
      expect(report.tables[0].seconds).toBeLessThan(60);
    });

    it('compares a table without columns by its row count', async () => {
      await databases();
      await source.query('CREATE TABLE bare (); INSERT INTO bare DEFAULT VALUES; INSERT INTO bare DEFAULT VALUES; INSERT INTO bare DEFAULT VALUES');
      await target.query('CREATE TABLE bare (); INSERT INTO bare DEFAULT VALUES; INSERT INTO bare DEFAULT VALUES; INSERT INTO bare DEFAULT VALUES');
      const same = table(await verify({ tables: { include: ['bare'] } }), 'public.bare');
      expect(same).toMatchObject({ identical: true, sourceRows: 3, targetRows: 3, contentDiffers: false });
      await target.query('DELETE FROM bare WHERE ctid = (SELECT min(ctid) FROM bare)');
      const fewer = table(await verify({ tables: { include: ['bare'] } }), 'public.bare');
      expect(fewer.problems).toEqual(['row counts differ: source 3, target 2 (compared as a whole, rows cannot be located)']);
    });

    it('shows values in UTC and ISO whatever time zone and date style each database defaults to', async () => {
      await databases();
      const events = `CREATE TABLE events (id int PRIMARY KEY, at timestamptz NOT NULL, day date NOT NULL);
        INSERT INTO events VALUES (1, '2024-03-01 10:00:00+00', '2024-03-01'), (2, '2024-03-02 23:30:00+00', '2024-03-02')`;
      await Promise.all([source.query(events), target.query(events)]);
      await target.query(`UPDATE events SET at = '2024-03-02 23:45:00+00', day = '2024-03-03' WHERE id = 2`);
      await source.query(`ALTER DATABASE ${actualName(names.source)} SET timezone TO 'Asia/Tokyo'; ALTER DATABASE ${actualName(names.source)} SET datestyle TO 'SQL, DMY'`);
      await target.query(`ALTER DATABASE ${actualName(names.target)} SET timezone TO 'America/New_York'; ALTER DATABASE ${actualName(names.target)} SET datestyle TO 'German'`);
      const report = table(await verify({ tables: { include: ['events'] } }), 'public.events');
      expect(report.rows).toEqual([
        {
          kind: 'changed',
          key: ['2'],
          columns: [
            { column: 'at', source: '2024-03-02 23:30:00+00', target: '2024-03-02 23:45:00+00' },
            { column: 'day', source: '2024-03-02', target: '2024-03-03' },
          ],
        },
      ]);
    });

    it('finds every difference in text keys when both databases sort by a language (ICU en-US), as RDS databases do by default', async () => {
      await databases({ icuLocale: 'en-US' });
      // Keys of upper and lower case letters and digits, whose order under en-US (a1, A2, b3 ...) is not their order under C (A2, ..., a1, b3 ...).
      const rows = `INSERT INTO words SELECT chr(CASE WHEN g % 2 = 0 THEN 65 ELSE 97 END + g % 26) || g, g FROM generate_series(1, 1000) g; ANALYZE words`;
      await source.query(`CREATE TABLE words (w text PRIMARY KEY, n int NOT NULL); ${rows}`);
      // The target's key collates as C: the plan says so in the notes.
      await target.query(`CREATE TABLE words (w text COLLATE "C" PRIMARY KEY, n int NOT NULL); ${rows}`);
      const orders = await source.query<{ same: boolean }>(`SELECT array_agg(w ORDER BY w) = array_agg(w ORDER BY w COLLATE "C") AS same FROM words`);
      expect(orders.rows).toEqual([{ same: false }]);
      const keysOf = async (ns: number[]) => (await source.query<{ w: string }>('SELECT w FROM words WHERE n = ANY($1) ORDER BY n', [ns])).rows.map((r) => r.w);
      const [changedKeys, deletedKeys] = [await keysOf([1, 250, 500, 999]), await keysOf([27, 612])];
      await target.query(`UPDATE words SET n = -n WHERE n IN (1, 250, 500, 999); DELETE FROM words WHERE n IN (27, 612); INSERT INTO words VALUES ('zz', 0)`);
      const events: Progress[] = [];
      const report = table(await verify({ tables: { include: ['words'] }, maxRows: 20, onProgress: (p) => events.push(p) }), 'public.words');
      const found = report.rows.map((r) => `${r.kind} ${r.key[0]}`).sort();
      const expected = [...changedKeys.map((k) => `changed ${k}`), ...deletedKeys.map((k) => `missing-in-target ${k}`), 'extra-in-target zz'].sort();
      expect(found).toEqual(expected);
      expect(report.rowDifferences).toEqual({ missingInTarget: 2, extraInTarget: 1, changed: 4 });
      expect(report.ranges.compared).toBeGreaterThan(5);
      expect(report.notes).toEqual(['key w has collation default in the source and C in the target: ranges are compared under "C" on both sides']);
      // Rows done counts the source's rows: 1,000 here, 999 in the target.
      expect(events.filter((e) => e.phase === 'hashing' && e.fraction === 1).map((e) => e.rowsDone)).toEqual([1000, 1000]);
    });
  });
});
