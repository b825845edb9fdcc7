/**
 * Benchmark (not a test): generates a table of ROWS rows (default 1,000,000) in a source and
 * a target database of a throwaway PostgreSQL, changes one row in the target, runs the
 * verifier, and prints rows/second and peak resident memory (sampled every 20 ms).
 *
 *   npx nx run verify-data:bench -- [rows] [chunk]
 */
import { Client } from 'pg';
import { startPostgres } from '@estate/testing';
import { verifyDatabases } from './verify';

async function bench(rows: number, chunk: number): Promise<void> {
  const server = await startPostgres();
  try {
    const clients: Client[] = [];
    for (const name of ['bench_source', 'bench_target']) {
      const client = new Client({ connectionString: await server.createDatabase(name) });
      await client.connect();
      const started = Date.now();
      await client.query(`
        CREATE TABLE ledger_entries (id bigint PRIMARY KEY, account_id int NOT NULL, amount numeric(14,2) NOT NULL,
                                     booked_at timestamptz NOT NULL, memo text);
        INSERT INTO ledger_entries
          SELECT g, g % 5000, (g % 100000) / 100.0, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second', 'entry ' || g
          FROM generate_series(1, ${rows}) g;
        ANALYZE ledger_entries;`);
      console.log(`generated ${rows} rows in ${name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      clients.push(client);
    }
    const [source, target] = clients;
    await target.query(`UPDATE ledger_entries SET memo = 'tampered' WHERE id = ${Math.floor(rows / 2)}`);

    let peak = process.memoryUsage().rss;
    const baseline = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = process.hrtime.bigint();
    const report = await verifyDatabases(source, target, { chunkSize: chunk });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    const table = report.tables[0];
    console.log(`PostgreSQL ${server.version}, chunk ${chunk}`);
    console.log(`compared ${report.rowsCompared} rows in ${seconds.toFixed(2)}s: ${Math.round(report.rowsCompared / seconds)} rows/s`);
    console.log(`peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (baseline before verifying ${(baseline / 2 ** 20).toFixed(0)} MiB)`);
    console.log(`found: ${table.differences.map((d) => d.rows.map((r) => `${r.kind} ${r.key.join(',')}`).join('; ')).join(' | ')}`);
    await Promise.all(clients.map((c) => c.end()));
  } finally {
    await server.stop();
  }
}

const rows = Number(process.argv[2] ?? 1_000_000);
const chunk = Number(process.argv[3] ?? 10_000);
if (!Number.isInteger(rows) || rows < 1_000_000) {
  console.error(`rows '${process.argv[2]}' must be a whole number >= 1000000`);
  process.exit(2);
}
bench(rows, chunk).catch((error) => {
  console.error(error);
  process.exit(1);
});
