import { startPostgres, type PostgresServer } from '@estate/testing';
import { Client } from 'pg';
import { HELP, main, parseArgs, progressLine, USAGE_LINE, UsageError, type CliIo } from './cli';
import type { VerifyReport } from './report';

jest.setTimeout(120_000);

/** Captures what the CLI prints. */
function io(extra: Partial<CliIo> = {}): CliIo & { lines: string[]; errors: string[]; raw: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const raw: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => errors.push(t), errIsTty: false, errRaw: (t) => raw.push(t), env: {}, lines, errors, raw, ...extra };
}

describe('parseArgs', () => {
  const base = ['--source', 's', '--target', 't'];

  it('has defaults for everything but the two URLs', () => {
    expect(parseArgs(base)).toEqual({
      help: false, source: 's', target: 't', caFile: undefined, include: [], exclude: [], strict: false, recheck: 3, recheckDelay: 1000,
      maxRows: 100, redact: [], leafRows: 10000, parallel: 2, json: false, progress: undefined,
    });
  });

  it('reads every option, in both --flag value and --flag=value forms', () => {
    expect(
      parseArgs([...base, '--ca-file', '/ca.pem', '--tables', 'public.%, billing.b', '--exclude=*.awsdms_*', '--strict', '--recheck', '0', '--recheck-delay=250',
        '--max-rows', '0', '--redact', 'owner,billing.invoices.iban', '--leaf-rows', '100', '--parallel', '16', '--json', '--no-progress']),
    ).toEqual({
      help: false, source: 's', target: 't', caFile: '/ca.pem', include: ['public.%', 'billing.b'], exclude: ['*.awsdms_*'], strict: true, recheck: 0,
      recheckDelay: 250, maxRows: 0, redact: ['owner', 'billing.invoices.iban'], leafRows: 100, parallel: 16, json: true, progress: false,
    });
    expect(parseArgs([...base, '--progress']).help === false && parseArgs([...base, '--progress'])).toMatchObject({ progress: true });
  });

  it('takes the URLs and the CA bundle from the environment when not given', () => {
    expect(parseArgs([], { VERIFY_SOURCE_URL: 'a', VERIFY_TARGET_URL: 'b', PGSSLROOTCERT: '/rds.pem' })).toMatchObject({ source: 'a', target: 'b', caFile: '/rds.pem' });
    expect(parseArgs(['--source', 'x', '--ca-file', '/mine.pem'], { VERIFY_SOURCE_URL: 'a', VERIFY_TARGET_URL: 'b', PGSSLROOTCERT: '/rds.pem' })).toMatchObject({ source: 'x', caFile: '/mine.pem' });
  });

  it('answers --help before checking anything else', () => {
    expect(parseArgs(['--bogus', '--help'])).toEqual({ help: true });
    expect(parseArgs(['--max-rows', 'x', '-h'])).toEqual({ help: true });
    expect(parseArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    [['--target', 't'], '--source is required (or set VERIFY_SOURCE_URL)'],
    [['--source', 's'], '--target is required (or set VERIFY_TARGET_URL)'],
    [[...base, '--verbose'], "unknown option '--verbose'"],
    [[...base, 'extra'], "unexpected argument 'extra'"],
    [[...base, '--max-rows'], '--max-rows needs a value'],
    [[...base, '--tables', '--json'], '--tables needs a value'],
    [[...base, '--source', 'again'], '--source is given twice'],
    [[...base, '--parallel', '0'], "--parallel '0' must be a whole number from 1 to 16"],
    [[...base, '--parallel', '17'], "--parallel '17' must be a whole number from 1 to 16"],
    [[...base, '--leaf-rows', '99'], "--leaf-rows '99' must be a whole number from 100 to 1000000"],
    [[...base, '--max-rows', '-1'], "--max-rows '-1' must be a whole number from 0 to 1000000"],
    [[...base, '--recheck', '2.5'], "--recheck '2.5' must be a whole number from 0 to 100"],
    [[...base, '--recheck-delay', '600001'], "--recheck-delay '600001' must be a whole number from 0 to 600000"],
    [[...base, '--recheck', '1e2'], "--recheck '1e2' must be a whole number from 0 to 100"],
    [[...base, '--tables', ' , '], "--tables ' , ' names nothing"],
    [[...base, '--tables', 'a.b.c'], "--tables: table pattern 'a.b.c' must be schema.table or table (with * or % as wildcards)"],
    [[...base, '--redact', 'a.b.c.d'], "--redact: 'a.b.c.d' must be column, table.column or schema.table.column"],
    [[...base, '--progress', '--no-progress'], '--progress and --no-progress exclude each other'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('progressLine', () => {
  it('shows rows, share, rate and time left while hashing', () => {
    expect(progressLine({ table: 'public.t', phase: 'hashing', rowsDone: 1_000_000, rowsEstimated: 4_000_000, fraction: 0.25, seconds: 0.5 })).toBe(
      'hashing public.t: 1,000,000 of ~4,000,000 rows, 25%, 2,000,000 rows/s, ETA 1.5 s',
    );
    expect(progressLine({ table: 'public.t', phase: 'hashing', rowsDone: 10, rowsEstimated: -1, fraction: 1, seconds: 0 })).toBe('hashing public.t: 10 rows, 100%, 0 rows/s');
    expect(progressLine({ table: 'public.t', phase: 'rechecking', rowsDone: 0, rowsEstimated: 1234, fraction: 0, seconds: 2 })).toBe('rechecking public.t: ~1,234 rows in differing ranges');
  });
});

describe('main', () => {
  it('prints the full help and exits 0 without connecting anywhere', async () => {
    const out = io();
    expect(await main(['--help', '--source', 'postgres://nowhere.invalid/x'], out)).toBe(0);
    expect(out.lines).toEqual([HELP]);
    expect(out.errors).toEqual([]);
    for (const flag of ['--source', '--target', '--ca-file', '--tables', '--exclude', '--strict', '--recheck', '--recheck-delay', '--max-rows', '--redact', '--leaf-rows', '--parallel', '--json', '--progress']) {
      expect(HELP).toContain(flag);
    }
    expect(HELP).toContain('Exit codes: 0 identical; 1 differences (schema or rows); 2 usage, connection or verification error.');
  });

  it('exits 2 with the problem and a usage line on bad arguments', async () => {
    const out = io();
    expect(await main(['--source', 's', '--target', 't', '--chunk', '5'], out)).toBe(2);
    expect(out.errors).toEqual(["verify-data: unknown option '--chunk'", USAGE_LINE]);
    expect(out.lines).toEqual([]);
  });

  it('exits 2 naming the side when a connection fails', async () => {
    const out = io();
    expect(await main(['--source', 'postgres://u@127.0.0.1:1/a?sslmode=disable', '--target', 'postgres://u@127.0.0.1:1/b?sslmode=require'], out)).toBe(2);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatch(/^verify-data: target: sslmode=require does not verify the server certificate/);
  });

  describe('against two real PostgreSQL servers', () => {
    let servers: PostgresServer[];
    let args: string[];
    let target: Client;

    beforeAll(async () => {
      servers = await Promise.all([startPostgres(), startPostgres()]);
      const urls = await Promise.all(servers.map((s) => s.createDatabase('app')));
      for (const url of urls) {
        const client = new Client({ connectionString: url });
        await client.connect();
        await client.query(`CREATE TABLE accounts (id int PRIMARY KEY, iban text, balance numeric(12,2)); INSERT INTO accounts SELECT g, 'DE' || g, g FROM generate_series(1, 1000) g`);
        await client.query(`CREATE TABLE awsdms_apply_exceptions (id int PRIMARY KEY)`);
        await client.end();
      }
      await new Client({ connectionString: urls[1] }).connect().then(async (c) => {
        await c.query('INSERT INTO awsdms_apply_exceptions VALUES (1)');
        await c.end();
      });
      target = new Client({ connectionString: urls[1] });
      await target.connect();
      args = ['--source', `${urls[0]}?sslmode=disable`, '--target', `${urls[1]}?sslmode=disable`, '--recheck', '0', '--exclude', '*.awsdms_*'];
    });
    afterAll(async () => {
      await target?.end();
      await Promise.allSettled((servers ?? []).map((s) => s.stop()));
    });

    it('exits 0 on identical data, 1 with the differing row and redacted values, JSON on request', async () => {
      const ok = io();
      expect(await main(args, ok)).toBe(0);
      expect(ok.lines[0]).toMatch(/^OK {3}public\.accounts: source 1,000 rows, target 1,000 rows\nIDENTICAL: 1 table, 1,000 source rows in \d+\.\d s \([\d,]+ rows\/s\)$/);
      expect(ok.raw).toEqual([]);

      await target.query(`UPDATE accounts SET iban = 'XX', balance = 0 WHERE id = 500`);
      const text = io();
      expect(await main([...args, '--redact', 'iban'], text)).toBe(1);
      expect(text.lines[0].split('\n')).toEqual([
        'DIFF public.accounts: source 1,000 rows, target 1,000 rows',
        '     ! 1 differing row: 1 changed',
        '       changed (id) = (500)',
        '         balance: source "500.00", target "0.00"',
        '         iban: source "[redacted]", target "[redacted]"',
        expect.stringMatching(/^DIFFERENT: 1 table \(1 differing\), 1,000 source rows in /),
      ]);

      const json = io();
      expect(await main([...args, '--json', '--progress'], json)).toBe(1);
      const report = JSON.parse(json.lines[0]) as VerifyReport;
      expect(report.tables.map((t) => t.table)).toEqual(['public.accounts']);
      expect(report.tables[0].rows).toEqual([
        { kind: 'changed', key: ['500'], columns: [{ column: 'balance', source: '500.00', target: '0.00' }, { column: 'iban', source: 'DE500', target: 'XX' }] },
      ]);
      // --progress without a terminal: plain lines on stderr, never mixed into stdout.
      expect(json.raw.some((line) => /^hashing public\.accounts: [\d,]+ of ~?[\d,]* ?rows/.test(line) || /^hashing public\.accounts: /.test(line))).toBe(true);
      await target.query(`UPDATE accounts SET iban = 'DE500', balance = 500 WHERE id = 500`);
    });

    it('draws progress on a terminal in place and clears it before the report', async () => {
      const tty = io({ errIsTty: true });
      expect(await main(args, tty)).toBe(0);
      expect(tty.raw[0].startsWith('\r\u001b[Khashing public.accounts: ')).toBe(true);
      expect(tty.raw[tty.raw.length - 1]).toBe('\r\x1b[K');
    });

    it('counts a DMS artefact table as a difference unless excluded', async () => {
      const out = io();
      expect(await main(args.slice(0, -2), out)).toBe(1);
      expect(out.lines[0]).toContain('DIFF public.awsdms_apply_exceptions: source 0 rows, target 1 row');
    });
  });
});
