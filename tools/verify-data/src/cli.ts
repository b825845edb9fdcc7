import { Client } from 'pg';
import { formatReport, verifyDatabases } from './verify';

const USAGE = `usage: npx nx run verify-data:verify -- --source postgres://... --target postgres://... [--tables a,b] [--chunk 10000] [--max-rows 100] [--json]

Compares every table (or --tables, as schema.table or table in public) of source and target:
row counts and an order-independent checksum per primary-key chunk, then the differing rows.
Exit codes: 0 identical, 1 different, 2 usage or connection error.`;

export interface CliOptions {
  readonly source: string;
  readonly target: string;
  readonly tables?: string[];
  readonly chunk: number;
  readonly maxRows: number;
  readonly json: boolean;
}

/** Parses the command line; throws with a message naming the bad argument. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else if (['--source', '--target', '--tables', '--chunk', '--max-rows'].includes(arg)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`);
      values.set(arg, value);
    } else throw new Error(`unknown argument '${arg}'\n${USAGE}`);
  }
  const source = values.get('--source');
  const target = values.get('--target');
  if (!source || !target) throw new Error(`--source and --target are required\n${USAGE}`);
  const number = (flag: string, fallback: number) => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} '${raw}' must be a whole number >= 1`);
    return n;
  };
  const tables = values.get('--tables')?.split(',').map((t) => t.trim()).filter(Boolean);
  return { source, target, tables, chunk: number('--chunk', 10000), maxRows: number('--max-rows', 100), json };
}

/** Runs the verification; returns the exit code. */
export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    out((error as Error).message);
    return 2;
  }
  const source = new Client({ connectionString: options.source, application_name: 'estate-verify-data' });
  const target = new Client({ connectionString: options.target, application_name: 'estate-verify-data' });
  try {
    await Promise.all([source.connect(), target.connect()]);
  } catch (error) {
    out(`cannot connect: ${(error as Error).message}`);
    await Promise.allSettled([source.end(), target.end()]);
    return 2;
  }
  try {
    const report = await verifyDatabases(source, target, { tables: options.tables, chunkSize: options.chunk, maxRowsPerChunk: options.maxRows });
    out(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.identical ? 0 : 1;
  } catch (error) {
    out(`verification failed: ${(error as Error).message}`);
    return 2;
  } finally {
    await Promise.allSettled([source.end(), target.end()]);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
