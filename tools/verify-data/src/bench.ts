/**
 * Benchmark (not a test): two throwaway PostgreSQL servers on loopback (legacy and migrated, as
 * in production), the same ledger table of N rows in each, then
 *  - the scan floor: both servers read and serialize every row once, at the same time
 *    (`SELECT sum(length(t::text)) FROM ledger_entries t`, one per server, concurrently);
 *  - the verification of the two tables, through the CLI's engine;
 * and prints, last:
 *   verify-bench: <N> rows identical in <S> s = <R> rows/s, peak RSS <M> MB, scan floor <T> s
 * Rows/s is rows per side over the verification's wall time. Peak RSS is this Node process
 * (the verifier's client side), sampled every 10 ms; the servers' memory is their own.
 *
 *   npx nx run verify-data:bench -- [--rows 2000000] [--parallel 1] [--leaf-rows 10000]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '@estate/testing';
import { Client } from 'pg';
import { DEFAULTS, LIMITS, verifyDatabases } from './engine';

const HELP = `usage: nx run verify-data:bench -- [--rows N] [--parallel N] [--leaf-rows N]
  --rows N        rows per side, 100000..100000000 (default 2000000)
  --parallel N    concurrent range queries per side, ${LIMITS.parallel.join('..')} (default ${DEFAULTS.parallel})
  --leaf-rows N   rows per key range, ${LIMITS.leafRows.join('..')} (default ${DEFAULTS.leafRows})
Starts two PostgreSQL servers, fills both, measures the scan floor and the verification.`;

function parse(argv: readonly string[]): { rows: number; parallel: number; leafRows: number } | 'help' {
  const options = { rows: 2_000_000, parallel: DEFAULTS.parallel as number, leafRows: DEFAULTS.leafRows as number };
  const limits: Record<string, readonly [number, number]> = { '--rows': [100_000, 100_000_000], '--parallel': LIMITS.parallel, '--leaf-rows': LIMITS.leafRows };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') return 'help';
    const limit = limits[flag];
    if (!limit) throw new Error(`unknown option '${flag}'\n${HELP}`);
    const raw = argv[++i];
    const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < limit[0] || n > limit[1]) throw new Error(`${flag} '${raw ?? ''}' must be a whole number from ${limit[0]} to ${limit[1]}`);
    if (flag === '--rows') options.rows = n;
    else if (flag === '--parallel') options.parallel = n;
    else options.leafRows = n;
  }
  return options;
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * CPU seconds used by a server's exited processes (backends and parallel workers, reaped by
 * the postmaster: `cutime + cstime` in /proc). Unlike wall time, this does not depend on what
 * else the machine runs, so it shows the cost of each phase on a shared machine.
 */
async function serverCpu(client: Client): Promise<() => number> {
  const { data_directory: dir } = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0];
  const pid = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
  const ticks = 100; // USER_HZ on Linux
  return () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // After "pid (comm) ", field 3 is state; cutime and cstime are fields 16 and 17 of the full line.
    return (Number(fields[13]) + Number(fields[14])) / ticks;
  };
}

/** Both servers' CPU for one phase, run on fresh connections that are closed (and reaped) afterwards. */
async function cpuOf(readers: (() => number)[], phase: () => Promise<void>): Promise<number> {
  const before = readers.map((r) => r());
  await phase();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return readers.reduce((sum, r, i) => sum + r() - before[i], 0);
}

async function bench(rows: number, parallel: number, leafRows: number): Promise<void> {
  const servers: PostgresServer[] = await Promise.all([startPostgres(), startPostgres()]);
  const clients: Client[] = [];
  try {
    const urls = await Promise.all(servers.map((s) => s.createDatabase('ledger')));
    const generated = process.hrtime.bigint();
    await Promise.all(
      urls.map(async (url) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        clients.push(client);
        await client.query(`CREATE TABLE ledger_entries (id bigint PRIMARY KEY, account_id int NOT NULL, amount numeric(14,2) NOT NULL,
                                                        booked_at timestamptz NOT NULL, memo text)`);
        await client.query(`INSERT INTO ledger_entries
          SELECT g, g % 5000, (g % 100000) / 100.0, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second', 'entry ' || g
          FROM generate_series(1, ${rows}) g`);
        await client.query('VACUUM ANALYZE ledger_entries');
      }),
    );
    const [{ size }] = (await clients[0].query<{ size: string }>(`SELECT pg_size_pretty(pg_table_size('ledger_entries')) AS size`)).rows;
    console.log(`PostgreSQL ${servers[0].version}, two servers on 127.0.0.1:${servers[0].port} and :${servers[1].port}`);
    console.log(`generated ${rows.toLocaleString('en-US')} rows (${size} heap) on each side in ${seconds(generated).toFixed(1)} s`);

    const cpu = await Promise.all(clients.map(serverCpu));
    let floor = 0;
    const floorCpu = await cpuOf(cpu, async () => {
      const readers = await Promise.all(urls.map(async (url) => {
        const c = new Client({ connectionString: url });
        await c.connect();
        return c;
      }));
      const floorStart = process.hrtime.bigint();
      await Promise.all(readers.map((c) => c.query('SELECT sum(length(t::text)) FROM ledger_entries t')));
      floor = seconds(floorStart);
      await Promise.all(readers.map((c) => c.end()));
    });
    console.log(`scan floor: both sides read and serialize every row once, concurrently: ${floor.toFixed(2)} s`);

    let peak = process.memoryUsage().rss;
    const baseline = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    let wall = 0;
    let report: Awaited<ReturnType<typeof verifyDatabases>> | undefined;
    const verifyCpu = await cpuOf(cpu, async () => {
      const started = process.hrtime.bigint();
      report = await verifyDatabases({ url: `${urls[0]}?sslmode=disable` }, { url: `${urls[1]}?sslmode=disable` }, { parallel, leafRows, tables: { include: ['ledger_entries'] } });
      wall = seconds(started);
    });
    if (!report) throw new Error('the verification returned nothing');
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const table = report.tables[0];
    if (!report.identical || table.sourceRows !== rows || table.targetRows !== rows) {
      throw new Error(`the verifier did not find ${rows} identical rows per side: ${JSON.stringify(table)}`);
    }
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.log(`verify: ${table.ranges.compared} key ranges, parallel ${parallel} per side, leaf ${leafRows} rows; ${(wall / floor).toFixed(2)}x the scan floor`);
    console.log(`server CPU, both servers (from /proc, independent of other load): scan floor ${floorCpu.toFixed(2)} s, verify ${verifyCpu.toFixed(2)} s; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
    console.log(`peak RSS of this Node process ${mb(peak)} MB (${mb(baseline)} MB before verifying); PostgreSQL's memory is not included`);
    console.log(`verify-bench: ${rows} rows identical in ${wall.toFixed(2)} s = ${Math.round(rows / wall)} rows/s, peak RSS ${mb(peak)} MB, scan floor ${floor.toFixed(2)} s`);
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
    await Promise.allSettled(servers.map((s) => s.stop()));
  }
}

let options: ReturnType<typeof parse>;
try {
  options = parse(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
if (options === 'help') {
  console.log(HELP);
} else {
  bench(options.rows, options.parallel, options.leafRows).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
