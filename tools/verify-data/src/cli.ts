import { ConnectionError } from './connection';
import { DEFAULTS, LIMITS, verifyDatabases, type Progress, type VerifyOptions } from './engine';
import { formatReport } from './report';
import { patternMatcher } from './schema';

export const USAGE_LINE = 'usage: nx run verify-data:verify -- --source URL --target URL [--tables P,..] [--exclude P,..] [--strict] [--json] (--help for all options)';

export const HELP = `Compares a migrated PostgreSQL database (target) with its source, table by table.

${USAGE_LINE}

Both databases hash their rows themselves, at the same time, per primary-key range; only
the figures of each range travel. Ranges whose figures differ are narrowed to rows and
reported with the differing columns and both values. Schema and type differences are
reported first. Differing ranges are re-read after a delay, so rows still arriving through
replication are not taken for corruption.

Connections (the URLs may also come from VERIFY_SOURCE_URL / VERIFY_TARGET_URL):
  --source URL          the legacy database: postgres://user:password@host:port/database
  --target URL          the migrated database, same form
                        TLS: sslmode=verify-full (default: chain and host name checked),
                        verify-ca (chain only) or disable (local servers); require/prefer are refused
  --ca-file PATH        CA bundle to trust on both sides, e.g. the RDS global-bundle.pem
                        (default: $PGSSLROOTCERT, else sslrootcert= in the URL, else Node's CAs)

Tables (patterns: schema.table or table in public; * and % match any characters):
  --tables P,P          compare only these (default: every table on either side)
  --exclude P,P         leave these out, e.g. '*.awsdms_*' (DMS's own tables)

Comparison:
  --strict              write-freeze mode: a source that changes while it is verified fails
  --recheck N           re-reads of differing ranges, ${LIMITS.recheckAttempts.join('..')} (default ${DEFAULTS.recheckAttempts})
  --recheck-delay MS    wait before each re-read, ${LIMITS.recheckDelayMs.join('..')} (default ${DEFAULTS.recheckDelayMs})
  --max-rows N          differing rows listed per table, ${LIMITS.maxRows.join('..')} (default ${DEFAULTS.maxRows}); counts are always complete
  --redact C,C          columns whose values are never shown: column, table.column, schema.table.column
  --leaf-rows N         rows per key range, ${LIMITS.leafRows.join('..')} (default ${DEFAULTS.leafRows})
  --parallel N          concurrent range queries per side, ${LIMITS.parallel.join('..')} (default ${DEFAULTS.parallel})

Output:
  --json                the report as JSON on stdout
  --progress            rows/s and ETA on stderr (default when stderr is a terminal)
  --no-progress         no progress display
  -h, --help            this help; changes nothing

Exit codes: 0 identical; 1 differences (schema or rows); 2 usage, connection or verification error.`;

export interface CliOptions {
  readonly source: string;
  readonly target: string;
  readonly caFile?: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly strict: boolean;
  readonly recheck: number;
  readonly recheckDelay: number;
  readonly maxRows: number;
  readonly redact: readonly string[];
  readonly leafRows: number;
  readonly parallel: number;
  readonly json: boolean;
  /** undefined: decided by whether stderr is a terminal. */
  readonly progress?: boolean;
}

export type Parsed = { readonly help: true } | ({ readonly help: false } & CliOptions);

export class UsageError extends Error {}

const VALUE_FLAGS = ['--source', '--target', '--ca-file', '--tables', '--exclude', '--recheck', '--recheck-delay', '--max-rows', '--redact', '--leaf-rows', '--parallel'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** Parses the command line; throws a `UsageError` naming the bad argument. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Parsed {
  const values = new Map<ValueFlag, string>();
  const switches = new Set<string>();
  // --help wins wherever it stands, before anything else is checked.
  if (argv.some((a) => a === '--help' || a === '-h')) return { help: true };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    if ((VALUE_FLAGS as readonly string[]).includes(flag)) {
      const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      if (values.has(flag as ValueFlag)) throw new UsageError(`${flag} is given twice`);
      values.set(flag as ValueFlag, value);
    } else if (['--strict', '--json', '--progress', '--no-progress'].includes(raw)) {
      switches.add(raw);
    } else {
      throw new UsageError(raw.startsWith('-') ? `unknown option '${raw}'` : `unexpected argument '${raw}'`);
    }
  }
  if (switches.has('--progress') && switches.has('--no-progress')) throw new UsageError('--progress and --no-progress exclude each other');
  const source = values.get('--source') ?? env['VERIFY_SOURCE_URL'];
  const target = values.get('--target') ?? env['VERIFY_TARGET_URL'];
  if (!source) throw new UsageError('--source is required (or set VERIFY_SOURCE_URL)');
  if (!target) throw new UsageError('--target is required (or set VERIFY_TARGET_URL)');

  const number = (flag: ValueFlag, fallback: number, [min, max]: readonly [number, number]) => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} '${raw}' must be a whole number from ${min} to ${max}`);
    return n;
  };
  const list = (flag: ValueFlag, check?: (item: string) => void) => {
    const raw = values.get(flag);
    if (raw === undefined) return [];
    const items = raw.split(',').map((t) => t.trim()).filter(Boolean);
    if (items.length === 0) throw new UsageError(`${flag} '${raw}' names nothing`);
    for (const item of items) {
      try {
        check?.(item);
      } catch (error) {
        throw new UsageError(`${flag}: ${(error as Error).message}`);
      }
    }
    return items;
  };
  const redact = list('--redact', (item) => {
    if (item.split('.').length > 3 || item.split('.').some((p) => p === '')) throw new Error(`'${item}' must be column, table.column or schema.table.column`);
  });
  return {
    help: false,
    source,
    target,
    caFile: values.get('--ca-file') ?? env['PGSSLROOTCERT'],
    include: list('--tables', patternMatcher),
    exclude: list('--exclude', patternMatcher),
    strict: switches.has('--strict'),
    recheck: number('--recheck', DEFAULTS.recheckAttempts, LIMITS.recheckAttempts),
    recheckDelay: number('--recheck-delay', DEFAULTS.recheckDelayMs, LIMITS.recheckDelayMs),
    maxRows: number('--max-rows', DEFAULTS.maxRows, LIMITS.maxRows),
    redact,
    leafRows: number('--leaf-rows', DEFAULTS.leafRows, LIMITS.leafRows),
    parallel: number('--parallel', DEFAULTS.parallel, LIMITS.parallel),
    json: switches.has('--json'),
    progress: switches.has('--progress') ? true : switches.has('--no-progress') ? false : undefined,
  };
}

/** One progress line: what, how far, how fast, how long still. */
export function progressLine(progress: Progress): string {
  const rate = progress.seconds > 0 ? progress.rowsDone / progress.seconds : 0;
  const percent = Math.min(100, Math.round(progress.fraction * 100));
  const eta = progress.fraction > 0 && progress.fraction < 1 ? `, ETA ${((progress.seconds * (1 - progress.fraction)) / progress.fraction).toFixed(1)} s` : '';
  const of = progress.rowsEstimated > 0 ? ` of ~${Math.round(progress.rowsEstimated).toLocaleString('en-US')}` : '';
  if (progress.phase !== 'hashing') return `${progress.phase} ${progress.table}: ~${progress.rowsEstimated.toLocaleString('en-US')} rows in differing ranges`;
  return `hashing ${progress.table}: ${progress.rowsDone.toLocaleString('en-US')}${of} rows, ${percent}%, ${Math.round(rate).toLocaleString('en-US')} rows/s${eta}`;
}

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (progress display). */
  readonly errIsTty: boolean;
  /** Writes raw text to stderr (for the progress line). */
  readonly errRaw?: (text: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  errIsTty: Boolean(process.stderr.isTTY),
  errRaw: (t) => process.stderr.write(t),
  env: process.env,
};

/** Runs the verifier; returns the exit code (0 identical, 1 different, 2 error). */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv, io.env ?? {});
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`verify-data: ${error.message}`);
    io.err(USAGE_LINE);
    return 2;
  }
  if (parsed.help) {
    io.out(HELP);
    return 0;
  }
  const showProgress = (parsed.progress ?? io.errIsTty) && io.errRaw !== undefined;
  let last = 0;
  let shown = false;
  const onProgress: VerifyOptions['onProgress'] = showProgress
    ? (p) => {
        const now = Date.now();
        if (now - last < 100 && p.fraction < 1) return;
        last = now;
        shown = true;
        io.errRaw?.(io.errIsTty ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`);
      }
    : undefined;
  try {
    const report = await verifyDatabases(
      { url: parsed.source, caFile: parsed.caFile },
      { url: parsed.target, caFile: parsed.caFile },
      {
        tables: { include: parsed.include, exclude: parsed.exclude },
        strict: parsed.strict,
        recheck: { attempts: parsed.recheck, delayMs: parsed.recheckDelay },
        maxRows: parsed.maxRows,
        redact: parsed.redact,
        leafRows: parsed.leafRows,
        parallel: parsed.parallel,
        onProgress,
      },
    );
    if (shown && io.errIsTty) io.errRaw?.('\r\x1b[K');
    io.out(parsed.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.identical ? 0 : 1;
  } catch (error) {
    if (shown && io.errIsTty) io.errRaw?.('\r\x1b[K');
    io.err(error instanceof ConnectionError ? `verify-data: ${error.message}` : `verify-data: verification failed: ${(error as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
