import type { Client } from 'pg';
import { clientConfig, connect, ConnectionError, type ConnectionConfig, type Side } from './connection';
import type { ColumnDifference, RowCounts, RowDifference, TableReport, VerifyReport } from './report';
import { describeTables, hashTerm, planTable, qualifiedName, quoteIdent, selectTables, patternMatcher, type TablePlan, type TableSelection, type TableShape } from './schema';

/**
 * The verification engine. Per table, both sides hash in the database, at the same time:
 *
 * 1. Schema: columns, types and primary keys are compared first; type differences are
 *    reported as such and the values are then compared by value where that is lossless.
 * 2. Ranges: the primary-key space is cut into ranges of about `leafRows` rows at keys
 *    sampled from both sides (`TABLESAMPLE SYSTEM`), ordered under `COLLATE "C"` on both
 *    sides whatever the columns' collations are.
 * 3. Hash pass: each side computes, in one scan of its heap (split into block ranges,
 *    `parallel` at a time, all in one snapshot), `count(*)` and the sum of the row hashes (see
 *    `hashTerm`),
 *    first for the whole table as one range (a plain aggregate, no grouping: the whole cost of
 *    an identical table), and only if those differ per range (`GROUP BY width_bucket(key,
 *    boundaries)`). Only these figures reach the client.
 * 4. Locate: ranges whose figures differ are split further while they are large, then
 *    streamed as `(key, row hash)` from both sides (a cursor, one range at a time in memory)
 *    and compared by key: missing, extra, changed, with the differing columns' values.
 * 5. Recheck: differing ranges are read again after a delay; what became equal was
 *    replication lag. In strict mode a source that changed between checks fails the table.
 */

export interface VerifyOptions {
  /** Tables to compare (patterns, see `patternMatcher`). @default - every table on either side */
  readonly tables?: TableSelection;
  /** Differing rows listed per table; the counts are always complete. @default 100 */
  readonly maxRows?: number;
  /** Target rows per key range. @default 10000 */
  readonly leafRows?: number;
  /** Key ranges in the hash pass at most; larger differing ranges are split before their rows are read. @default 4096 */
  readonly maxRanges?: number;
  /** Concurrent range queries per side in the hash pass (one connection each). @default 2 */
  readonly parallel?: number;
  /** Re-reads of differing ranges, to tell replication lag from real differences. @default - 3 attempts, 1000 ms apart */
  readonly recheck?: { readonly attempts?: number; readonly delayMs?: number };
  /** The write freeze: any change of the source during verification fails the table. @default false */
  readonly strict?: boolean;
  /** Columns whose values never appear in the report: `column`, `table.column` or `schema.table.column` (`*`/`%` wildcards). @default - none */
  readonly redact?: readonly string[];
  /** Called as the hash pass advances (for a progress display). */
  readonly onProgress?: (progress: Progress) => void;
}

export interface Progress {
  readonly table: string;
  readonly phase: 'hashing' | 'locating' | 'rechecking';
  /** Source rows hashed so far in this table. */
  readonly rowsDone: number;
  /** Estimated source rows of this table (planner statistics or heap size). */
  readonly rowsEstimated: number;
  /** Share of both heaps scanned, 0..1. */
  readonly fraction: number;
  /** Seconds since this table started. */
  readonly seconds: number;
}

export const DEFAULTS = { maxRows: 100, leafRows: 10_000, maxRanges: 4096, parallel: 2, recheckAttempts: 3, recheckDelayMs: 1000 } as const;
/** Limits of the numeric options (checked by `verifyDatabases` and the CLI). */
export const LIMITS = {
  maxRows: [0, 1_000_000],
  leafRows: [100, 1_000_000],
  maxRanges: [2, 4096],
  parallel: [1, 16],
  recheckAttempts: [0, 100],
  recheckDelayMs: [0, 600_000],
} as const;

/** Sampled heap pages per range: enough for even ranges when keys cluster by page. */
const SAMPLE_PAGES_PER_RANGE = 4;
/** Heap pages per hash-pass query (8 MB): the unit of parallelism and of progress. */
const PAGES_PER_PARTITION = 1024;
/** Most hash-pass queries per side and table. */
const MAX_PARTITIONS = 64;
/** A differing range with more rows than `leafRows * SPLIT_FACTOR` on either side is split before its rows are read. */
const SPLIT_FACTOR = 4;
const MAX_SPLIT_DEPTH = 6;
const FETCH_ROWS = 2000;

/** Pins the text form of values (what the report shows, and what text-hashed columns hash). */
const SESSION_SETTINGS = "SET TIME ZONE 'UTC'; SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'";

type Key = readonly string[];

interface Range {
  /** Inclusive lower bound; undefined = from the start. */
  readonly lo?: Key;
  /** Exclusive upper bound; undefined = to the end. */
  readonly hi?: Key;
  readonly sourceRows: number;
  readonly targetRows: number;
}

interface Figures {
  n: number;
  h: bigint;
}

function checkRange(name: string, value: number, [min, max]: readonly [number, number]): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} ${value} must be a whole number from ${min} to ${max}`);
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One side's connections. */
class SidePool {
  private constructor(
    readonly side: Side,
    readonly clients: readonly Client[],
  ) {}

  static async open(side: Side, config: ConnectionConfig, size: number): Promise<SidePool> {
    const opened = await Promise.allSettled(Array.from({ length: size }, () => connect(side, config)));
    const clients = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(clients.map((c) => c.end()));
      throw failed.reason;
    }
    const pool = new SidePool(side, clients);
    await Promise.all(clients.map((c) => pool.run(c, SESSION_SETTINGS)));
    return pool;
  }

  get main(): Client {
    return this.clients[0];
  }

  /** A query whose failure names the side. */
  async run<R extends object = Record<string, string>>(client: Client, text: string, values: unknown[] = [], rowMode?: 'array'): Promise<R[]> {
    try {
      return (await client.query({ text, values, ...(rowMode ? { rowMode } : {}) })).rows as R[];
    } catch (error) {
      throw new ConnectionError(this.side, `${(error as Error).message} (in: ${text.replace(/\s+/g, ' ').slice(0, 160)})`);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => c.end()));
  }
}

/** SQL for one table and side: key expressions, row hash, ranges. */
class TableSql {
  readonly from: string;
  constructor(
    shape: TableShape,
    readonly plan: TablePlan,
    side: Side,
  ) {
    this.from = `${qualifiedName(shape)} t`;
    const exprs = plan.columns.map((c) => (side === 'source' ? c.sourceExpr : c.targetExpr));
    const terms = plan.columns.map((c, i) =>
      side === 'source' ? hashTerm(c.sourceExpr, c.sourceType, i + 1, c.sourceNullable) : hashTerm(c.targetExpr, c.targetType, i + 1, c.targetNullable),
    );
    this.hash = terms.length === 0 ? '0::bigint' : `(${terms.join(' # ')})`;
    this.columnHashes = exprs.map((e) => `hash_record_extended(ROW(${e}), 0)::text`);
  }

  readonly hash: string;
  readonly columnHashes: readonly string[];

  private col(i: number): string {
    const k = this.plan.key[i];
    const ref = `t.${quoteIdent(k.name)}`;
    return k.collatable ? `${ref} COLLATE "C"` : ref;
  }

  /** The key as one comparable value (a row for composite keys), under "C" for text. */
  get key(): string {
    const cols = this.plan.key.map((_, i) => this.col(i));
    return cols.length === 1 ? cols[0] : `ROW(${cols.join(', ')})`;
  }

  get keyParts(): string[] {
    return this.plan.key.map((_, i) => this.col(i));
  }

  get keyOrder(): string {
    return this.keyParts.join(', ');
  }

  get keyText(): string {
    return this.plan.key.map((k, i) => `t.${quoteIdent(k.name)}::text AS k${i}`).join(', ');
  }

  /** An array of key values from text parameters ($first..), in the order given. */
  boundaries(first: number): string {
    const params = this.plan.key.map((_, i) => `$${first + i}::text[]`).join(', ');
    const cols = this.plan.key.map((_, i) => `c${i}`).join(', ');
    const element = this.element((i) => `u.c${i}`);
    return `array(SELECT ${element} FROM unnest(${params}) WITH ORDINALITY AS u(${cols}, o) ORDER BY o)`;
  }

  private element(ref: (i: number) => string): string {
    const parts = this.plan.key.map((k, i) => `${ref(i)}::${k.type}${k.collatable ? ' COLLATE "C"' : ''}`);
    return parts.length === 1 ? parts[0] : `ROW(${parts.join(', ')})`;
  }

  /** Range bucket of each row: 0 below the first boundary, i from boundary i-1 (inclusive) to i. */
  bucket(boundaryCount: number, first: number): string {
    return boundaryCount === 0 ? '0' : `width_bucket(${this.key}, ${this.boundaries(first)})`;
  }

  /** `key >= lo AND key < hi` with parameters from `first`. */
  range(range: Pick<Range, 'lo' | 'hi'>, first: number): { sql: string; values: string[] } {
    const parts: string[] = [];
    const values: string[] = [];
    const literal = () => this.element((i) => `$${first + values.length - this.plan.key.length + i}`);
    if (range.lo) {
      values.push(...range.lo);
      parts.push(`${this.key} >= ${literal()}`);
    }
    if (range.hi) {
      values.push(...range.hi);
      parts.push(`${this.key} < ${literal()}`);
    }
    return { sql: parts.length ? parts.join(' AND ') : 'true', values };
  }
}

/** Key arrays as one text array per key column (the parameter form of `boundaries`). */
const columnsOf = (keys: readonly Key[], width: number): string[][] => Array.from({ length: width }, (_, i) => keys.map((k) => k[i]));

interface TableContext {
  readonly name: string;
  readonly plan: TablePlan;
  readonly sql: Record<Side, TableSql>;
  readonly shapes: Record<Side, TableShape>;
  readonly started: number;
}

interface LeafOutcome {
  readonly range: Range;
  readonly counts: RowCounts;
  /** Source figures of the range at this check (to see whether the source moved). */
  readonly source: Figures;
}

/** Verifies the selected tables of `target` against `source`. Connection and SQL failures throw a `ConnectionError` naming the side. */
export async function verifyDatabases(sourceConfig: ConnectionConfig, targetConfig: ConnectionConfig, options: VerifyOptions = {}): Promise<VerifyReport> {
  const maxRows = checkRange('maxRows', options.maxRows ?? DEFAULTS.maxRows, LIMITS.maxRows);
  const leafRows = checkRange('leafRows', options.leafRows ?? DEFAULTS.leafRows, LIMITS.leafRows);
  const maxRanges = checkRange('maxRanges', options.maxRanges ?? DEFAULTS.maxRanges, LIMITS.maxRanges);
  const parallel = checkRange('parallel', options.parallel ?? DEFAULTS.parallel, LIMITS.parallel);
  const attempts = checkRange('recheck.attempts', options.recheck?.attempts ?? DEFAULTS.recheckAttempts, LIMITS.recheckAttempts);
  const delayMs = checkRange('recheck.delayMs', options.recheck?.delayMs ?? DEFAULTS.recheckDelayMs, LIMITS.recheckDelayMs);
  const redactors = (options.redact ?? []).map(redactMatcher);
  for (const pattern of [...(options.tables?.include ?? []), ...(options.tables?.exclude ?? [])]) patternMatcher(pattern);
  const strict = options.strict ?? false;
  const started = Date.now();
  // Both URLs and CA files are checked before anything connects.
  clientConfig('source', sourceConfig);
  clientConfig('target', targetConfig);

  const [sourceResult, targetResult] = await Promise.allSettled([SidePool.open('source', sourceConfig, parallel), SidePool.open('target', targetConfig, parallel)]);
  const pools = { source: sourceResult.status === 'fulfilled' ? sourceResult.value : undefined, target: targetResult.status === 'fulfilled' ? targetResult.value : undefined };
  if (!pools.source || !pools.target) {
    await Promise.allSettled([pools.source?.close(), pools.target?.close()]);
    const failures = [sourceResult, targetResult].flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (failures.length === 1) throw failures[0];
    throw new ConnectionError('both', failures.map((e) => e.message).join('; '));
  }
  const source = pools.source;
  const target = pools.target;
  try {
    const [sourceTables, targetTables] = await Promise.all([describeTables(source.main), describeTables(target.main)]);
    const selected = selectTables([...sourceTables.keys(), ...targetTables.keys()], options.tables);
    const reports: TableReport[] = [];
    for (const name of selected) {
      const engine = new TableRun(name, sourceTables.get(name), targetTables.get(name), { source, target }, {
        maxRows, leafRows, maxRanges, parallel, attempts, delayMs, strict, redactors, onProgress: options.onProgress,
      });
      reports.push(await engine.run());
    }
    const rowsCompared = reports.reduce((sum, r) => sum + (r.sourceRows ?? 0), 0);
    return { identical: reports.every((r) => r.identical), strict, tables: reports, rowsCompared, seconds: (Date.now() - started) / 1000 };
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

function redactMatcher(pattern: string): (table: string, column: string) => boolean {
  const parts = pattern.trim().split('.');
  if (parts.length > 3 || parts.some((p) => p === '' || /\s/.test(p))) throw new Error(`redact pattern '${pattern}' must be column, table.column or schema.table.column`);
  const column = parts[parts.length - 1];
  const tablePattern = parts.length === 1 ? '*.*' : parts.length === 2 ? `*.${parts[0]}` : `${parts[0]}.${parts[1]}`;
  const table = patternMatcher(tablePattern);
  const col = patternMatcher(`x.${column}`);
  return (t, c) => table(t) && col(`x.${c}`);
}

interface RunSettings {
  readonly maxRows: number;
  readonly leafRows: number;
  readonly maxRanges: number;
  readonly parallel: number;
  readonly attempts: number;
  readonly delayMs: number;
  readonly strict: boolean;
  readonly redactors: readonly ((table: string, column: string) => boolean)[];
  readonly onProgress?: (progress: Progress) => void;
}

/** One table's verification. */
class TableRun {
  private readonly started = Date.now();
  private readonly problems: string[] = [];
  private listed: RowDifference[] = [];

  constructor(
    private readonly name: string,
    private readonly sourceShape: TableShape | undefined,
    private readonly targetShape: TableShape | undefined,
    private readonly pools: Record<Side, SidePool>,
    private readonly settings: RunSettings,
  ) {}

  private base(): Omit<TableReport, 'status' | 'identical' | 'problems'> {
    return {
      table: this.name,
      keyColumns: [],
      sourceRows: null,
      targetRows: null,
      schemaDifferences: [],
      rowDifferences: { missingInTarget: 0, extraInTarget: 0, changed: 0 },
      contentDiffers: false,
      rows: [],
      truncated: false,
      ranges: { compared: 0, differing: 0 },
      recheck: { attempts: 0, settled: 0, sourceChangedRanges: 0 },
      notes: [],
      seconds: 0,
    };
  }

  private finish(report: Omit<TableReport, 'status' | 'identical' | 'problems' | 'seconds'>): TableReport {
    const identical = this.problems.length === 0;
    const status = report.sourceRows === null || report.targetRows === null ? 'missing' : identical ? 'identical' : 'different';
    return { ...report, status, identical, problems: [...this.problems], seconds: (Date.now() - this.started) / 1000 };
  }

  async run(): Promise<TableReport> {
    const { sourceShape, targetShape } = this;
    if (!sourceShape || !targetShape) {
      const present = sourceShape ? 'source' : 'target';
      const shape = (sourceShape ?? targetShape) as TableShape;
      const [row] = await this.pools[present].run<{ n: string }>(this.pools[present].main, `SELECT count(*)::text AS n FROM ${qualifiedName(shape)}`);
      const rows = Number(row.n);
      const message = `${this.name} is not in the ${present === 'source' ? 'target' : 'source'} (${rows.toLocaleString('en-US')} rows in the ${present})`;
      this.problems.push(message);
      return this.finish({
        ...this.base(),
        schemaDifferences: [{ kind: 'missing-table', message }],
        sourceRows: present === 'source' ? rows : null,
        targetRows: present === 'target' ? rows : null,
      });
    }

    const plan = planTable(this.name, sourceShape, targetShape);
    for (const difference of plan.schemaDifferences) this.problems.push(difference.message);
    const context: TableContext = {
      name: this.name,
      plan,
      shapes: { source: sourceShape, target: targetShape },
      sql: { source: new TableSql(sourceShape, plan, 'source'), target: new TableSql(targetShape, plan, 'target') },
      started: this.started,
    };
    if (!plan.keyed) return this.wholeTable(context);
    return this.keyed(context);
  }

  /** No usable key: one count and content hash per side. */
  private async wholeTable(context: TableContext): Promise<TableReport> {
    const figures = await Promise.all(
      (['source', 'target'] as const).map(async (side) => {
        const sql = context.sql[side];
        const [row] = await this.pools[side].run<{ n: string; h: string }>(this.pools[side].main, `SELECT count(*)::text AS n, coalesce(sum(${sql.hash}), 0)::text AS h FROM ${sql.from}`);
        return { n: Number(row.n), h: row.h };
      }),
    );
    const [s, t] = figures;
    const contentDiffers = s.n !== t.n || s.h !== t.h;
    if (contentDiffers) {
      this.problems.push(
        s.n !== t.n
          ? `row counts differ: source ${s.n.toLocaleString('en-US')}, target ${t.n.toLocaleString('en-US')} (compared as a whole, rows cannot be located)`
          : `content differs with equal row counts (${s.n.toLocaleString('en-US')}; compared as a whole, rows cannot be located)`,
      );
    }
    return this.finish({
      ...this.base(),
      keyColumns: context.plan.key.map((k) => k.name),
      schemaDifferences: context.plan.schemaDifferences,
      notes: context.plan.notes,
      sourceRows: s.n,
      targetRows: t.n,
      contentDiffers,
      ranges: { compared: 1, differing: contentDiffers ? 1 : 0 },
    });
  }

  private async keyed(context: TableContext): Promise<TableReport> {
    // The whole table first, as one range: when both sides agree (the expected case, and the one
    // that runs inside a write freeze) the table is done in one scan per side, with no grouping.
    const whole = await this.hashPass(context, []);
    const wholeSource = whole.source.get(0) ?? { n: 0, h: 0n };
    const wholeTarget = whole.target.get(0) ?? { n: 0, h: 0n };
    if (wholeSource.n === wholeTarget.n && wholeSource.h === wholeTarget.h) {
      return this.finish({
        ...this.base(),
        keyColumns: context.plan.key.map((k) => k.name),
        schemaDifferences: context.plan.schemaDifferences,
        notes: context.plan.notes,
        sourceRows: wholeSource.n,
        targetRows: wholeTarget.n,
        ranges: { compared: 1, differing: 0 },
      });
    }
    // They differ: cut the key space into ranges and hash each range, to find where.
    const boundaries = await this.sampleBoundaries(context);
    const figures = await this.hashPass(context, boundaries);
    const ranges: Range[] = [];
    let sourceRows = 0;
    let targetRows = 0;
    const rangedSource: Figures = { n: 0, h: 0n };
    for (let b = 0; b <= boundaries.length; b++) {
      const s = figures.source.get(b) ?? { n: 0, h: 0n };
      const t = figures.target.get(b) ?? { n: 0, h: 0n };
      sourceRows += s.n;
      targetRows += t.n;
      rangedSource.n += s.n;
      rangedSource.h += s.h;
      if (s.n !== t.n || s.h !== t.h) ranges.push({ lo: b > 0 ? boundaries[b - 1] : undefined, hi: b < boundaries.length ? boundaries[b] : undefined, sourceRows: s.n, targetRows: t.n });
    }
    const compared = boundaries.length + 1;
    const differingRanges = ranges.length;
    // The source's content between the whole-table pass and the range pass: writes still flowing.
    const sourceMovedBetweenPasses = rangedSource.n !== wholeSource.n || rangedSource.h !== wholeSource.h;

    let counts: RowCounts = { missingInTarget: 0, extraInTarget: 0, changed: 0 };
    let attempts = 0;
    let settled = 0;
    let sourceChangedRanges = 0;
    if (ranges.length > 0) {
      const leaves: Range[] = [];
      for (const range of ranges) leaves.push(...(await this.split(context, range, 0)));
      let differing = (await this.leafPass(context, leaves, 'locating')).filter((o) => total(o.counts) > 0);
      while (differing.length > 0 && attempts < this.settings.attempts) {
        attempts += 1;
        await sleep(this.settings.delayMs);
        const again = await this.leafPass(context, differing.map((o) => o.range), 'rechecking');
        again.forEach((outcome, i) => {
          const before = differing[i];
          if (outcome.source.n !== before.source.n || outcome.source.h !== before.source.h) sourceChangedRanges += 1;
          settled += Math.max(0, total(before.counts) - total(outcome.counts));
        });
        differing = again.filter((o) => total(o.counts) > 0);
      }
      counts = differing.reduce(
        (sum, o) => ({ missingInTarget: sum.missingInTarget + o.counts.missingInTarget, extraInTarget: sum.extraInTarget + o.counts.extraInTarget, changed: sum.changed + o.counts.changed }),
        counts,
      );
      if (differing.length === 0) this.listed = [];
      await this.describeChanged(context);
    }
    const differingRows = total(counts);
    if (differingRows > 0) {
      const parts = [
        counts.missingInTarget ? `${counts.missingInTarget.toLocaleString('en-US')} missing in the target` : '',
        counts.extraInTarget ? `${counts.extraInTarget.toLocaleString('en-US')} extra in the target` : '',
        counts.changed ? `${counts.changed.toLocaleString('en-US')} changed` : '',
      ].filter(Boolean);
      this.problems.push(`${differingRows.toLocaleString('en-US')} differing row${differingRows === 1 ? '' : 's'}: ${parts.join(', ')}${attempts ? ` (after ${attempts} recheck${attempts === 1 ? '' : 's'})` : ''}`);
    }
    if (sourceMovedBetweenPasses && this.settings.strict) {
      this.problems.push('the source changed between the whole-table hash and the range hash: writes are not frozen (strict mode)');
    }
    if (sourceChangedRanges > 0 && this.settings.strict) {
      this.problems.push(`the source changed during verification in ${sourceChangedRanges} rechecked range${sourceChangedRanges === 1 ? '' : 's'}: writes are not frozen (strict mode)`);
    }
    const notes = [...context.plan.notes];
    if (settled > 0) notes.push(`${settled.toLocaleString('en-US')} row${settled === 1 ? '' : 's'} differed at first and matched on a recheck (replication lag)`);
    if (sourceMovedBetweenPasses && !this.settings.strict) notes.push('the source changed between the whole-table hash and the range hash (writes are still flowing)');
    if (sourceChangedRanges > 0 && !this.settings.strict) notes.push(`the source changed between checks in ${sourceChangedRanges} range${sourceChangedRanges === 1 ? '' : 's'} (writes are still flowing)`);
    return this.finish({
      ...this.base(),
      keyColumns: context.plan.key.map((k) => k.name),
      schemaDifferences: context.plan.schemaDifferences,
      notes,
      sourceRows,
      targetRows,
      rowDifferences: counts,
      rows: this.listed,
      truncated: differingRows > this.listed.length,
      ranges: { compared, differing: differingRanges },
      recheck: { attempts, settled, sourceChangedRanges },
    });
  }

  /** Range boundaries: keys sampled from both sides, merged and ordered under "C" by the source server. */
  private async sampleBoundaries(context: TableContext): Promise<Key[]> {
    const width = context.plan.key.length;
    const samples = await Promise.all(
      (['source', 'target'] as const).map(async (side) => {
        const shape = context.shapes[side];
        const sql = context.sql[side];
        const perPage = shape.estimatedRows > 0 && shape.pages > 0 ? shape.estimatedRows / shape.pages : 100;
        const pagesPerRange = this.settings.leafRows / perPage;
        const small = shape.pages <= pagesPerRange * SAMPLE_PAGES_PER_RANGE;
        const percent = small ? 100 : Math.min(100, (100 * SAMPLE_PAGES_PER_RANGE) / pagesPerRange);
        const step = Math.max(1, Math.round((this.settings.leafRows * percent) / 100));
        const sample = small ? '' : `TABLESAMPLE SYSTEM (${percent.toFixed(6)}) REPEATABLE (17)`;
        const rows = await this.pools[side].run<Record<string, string>>(
          this.pools[side].main,
          `SELECT ${context.plan.key.map((_, i) => `k${i}`).join(', ')} FROM (
             SELECT ${sql.keyText}, row_number() OVER (ORDER BY ${sql.keyOrder}) AS rn FROM ${sql.from} ${sample}
           ) s WHERE rn % ${step} = 0 ORDER BY rn`,
        );
        return rows.map((r) => Array.from({ length: width }, (_, i) => r[`k${i}`]));
      }),
    );
    const [fromSource, fromTarget] = samples;
    if (fromSource.length + fromTarget.length === 0) return [];
    const cols = context.plan.key.map((_, i) => `c${i}`);
    const typed = context.plan.key.map((k, i) => `u.c${i}::${k.type} AS x${i}`).join(', ');
    const order = context.plan.key.map((k, i) => `x${i}${k.collatable ? ' COLLATE "C"' : ''}`).join(', ');
    const merged = await this.pools.source.run<Record<string, string>>(
      this.pools.source.main,
      `SELECT ${context.plan.key.map((_, i) => `x${i}::text AS k${i}`).join(', ')} FROM (
         SELECT DISTINCT ${typed} FROM unnest(${cols.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${cols.join(', ')})
       ) d ORDER BY ${order}`,
      columnsOf([...fromSource, ...fromTarget], width),
    );
    let keys: Key[] = merged.map((r) => Array.from({ length: width }, (_, i) => r[`k${i}`]));
    const most = this.settings.maxRanges - 1;
    if (keys.length > most) {
      const every = keys.length / most;
      keys = Array.from({ length: most }, (_, i) => keys[Math.floor(i * every)]);
    }
    return keys;
  }

  /** Per-range count and hash sum on both sides, each side in one snapshot, `parallel` block ranges at a time. */
  private async hashPass(context: TableContext, boundaries: readonly Key[]): Promise<Record<Side, Map<number, Figures>>> {
    const width = context.plan.key.length;
    const params = columnsOf(boundaries, width);
    const done: Record<Side, number> = { source: 0, target: 0 };
    const partitionCount: Record<Side, number> = { source: 1, target: 1 };
    let sourceRowsDone = 0;
    const estimate = Math.max(context.shapes.source.estimatedRows, 0);
    const report = () =>
      this.settings.onProgress?.({
        table: this.name,
        phase: 'hashing',
        rowsDone: sourceRowsDone,
        rowsEstimated: estimate,
        fraction: (done.source + done.target) / (partitionCount.source + partitionCount.target),
        seconds: (Date.now() - this.started) / 1000,
      });

    const side = async (which: Side): Promise<Map<number, Figures>> => {
      const pool = this.pools[which];
      const shape = context.shapes[which];
      const sql = context.sql[which];
      const heapSplit = shape.kind === 'r' && shape.pages > PAGES_PER_PARTITION;
      const count = heapSplit ? Math.min(MAX_PARTITIONS, Math.ceil(shape.pages / PAGES_PER_PARTITION)) : 1;
      partitionCount[which] = count;
      const per = Math.ceil(shape.pages / count);
      const partitions = Array.from({ length: count }, (_, i) => (heapSplit ? { from: i * per, to: i === count - 1 ? undefined : (i + 1) * per } : undefined));
      const text = (part: { from: number; to?: number } | undefined) => {
        const where = part ? `WHERE t.ctid >= '(${part.from},0)'::tid${part.to === undefined ? '' : ` AND t.ctid < '(${part.to},0)'::tid`}` : '';
        // No boundaries: one plain aggregate (grouping costs more than hashing the rows).
        if (boundaries.length === 0) return `SELECT 0 AS b, count(*)::text AS n, coalesce(sum(${sql.hash}), 0)::text AS h FROM ${sql.from} ${where}`;
        return `SELECT ${sql.bucket(boundaries.length, 1)} AS b, count(*)::text AS n, sum(${sql.hash})::text AS h FROM ${sql.from} ${where} GROUP BY 1`;
      };
      const clients = pool.clients.slice(0, Math.min(pool.clients.length, count));
      // One snapshot for all block ranges of this side: rows moving between pages cannot be counted twice.
      await pool.run(clients[0], 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        if (clients.length > 1) {
          const [{ snapshot }] = await pool.run<{ snapshot: string }>(clients[0], 'SELECT pg_export_snapshot() AS snapshot');
          await Promise.all(clients.slice(1).map((c) => pool.run(c, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshot}'`)));
        }
        const figures = new Map<number, Figures>();
        let next = 0;
        await Promise.all(
          clients.map(async (client) => {
            while (next < partitions.length) {
              const part = partitions[next++];
              const rows = await pool.run<{ b: number; n: string; h: string }>(client, text(part), boundaries.length ? params : []);
              for (const row of rows) {
                const current = figures.get(row.b) ?? { n: 0, h: 0n };
                const n = Number(row.n);
                current.n += n;
                current.h += BigInt(row.h);
                figures.set(row.b, current);
                if (which === 'source') sourceRowsDone += n;
              }
              done[which] += 1;
              report();
            }
          }),
        );
        return figures;
      } finally {
        await Promise.allSettled(clients.map((c) => c.query('COMMIT')));
      }
    };
    const [source, target] = await Promise.all([side('source'), side('target')]);
    return { source, target };
  }

  /** A differing range, split (by the larger side's row order) until each piece is small enough to read. */
  private async split(context: TableContext, range: Range, depth: number): Promise<Range[]> {
    const limit = this.settings.leafRows * SPLIT_FACTOR;
    if (Math.max(range.sourceRows, range.targetRows) <= limit || depth >= MAX_SPLIT_DEPTH) return [range];
    const width = context.plan.key.length;
    const larger: Side = range.sourceRows >= range.targetRows ? 'source' : 'target';
    const lsql = context.sql[larger];
    const where = lsql.range(range, 1);
    const rows = await this.pools[larger].run<Record<string, string>>(
      this.pools[larger].main,
      `SELECT ${context.plan.key.map((_, i) => `k${i}`).join(', ')} FROM (
         SELECT ${lsql.keyText}, row_number() OVER (ORDER BY ${lsql.keyOrder}) AS rn FROM ${lsql.from} WHERE ${where.sql}
       ) s WHERE rn % ${this.settings.leafRows} = 0 ORDER BY rn`,
      where.values,
    );
    const inner: Key[] = rows.map((r) => Array.from({ length: width }, (_, i) => r[`k${i}`]));
    const figures = await Promise.all(
      (['source', 'target'] as const).map(async (side) => {
        const sql = context.sql[side];
        const w = sql.range(range, 1);
        const result = await this.pools[side].run<{ b: number; n: number; h: string }>(
          this.pools[side].main,
          `SELECT ${sql.bucket(inner.length, 1 + w.values.length)} AS b, count(*)::int AS n, sum(${sql.hash})::text AS h FROM ${sql.from} WHERE ${w.sql} GROUP BY 1`,
          [...w.values, ...(inner.length ? columnsOf(inner, width) : [])],
        );
        return new Map(result.map((r) => [r.b, { n: r.n, h: BigInt(r.h) }]));
      }),
    );
    const pieces: Range[] = [];
    for (let b = 0; b <= inner.length; b++) {
      const s = figures[0].get(b) ?? { n: 0, h: 0n };
      const t = figures[1].get(b) ?? { n: 0, h: 0n };
      if (s.n === t.n && s.h === t.h) continue;
      const piece = { lo: b > 0 ? inner[b - 1] : range.lo, hi: b < inner.length ? inner[b] : range.hi, sourceRows: s.n, targetRows: t.n };
      pieces.push(...(await this.split(context, piece, depth + 1)));
    }
    return pieces;
  }

  /**
   * Reads the given ranges (ordered, disjoint) as `(key, row hash)` from both sides through
   * cursors in key order, one range at a time in memory, and compares them by key.
   */
  private async leafPass(context: TableContext, leaves: readonly Range[], phase: 'locating' | 'rechecking'): Promise<LeafOutcome[]> {
    const width = context.plan.key.length;
    // Boundaries such that every leaf is exactly one width_bucket bucket.
    const bounds: Key[] = [];
    const bucketOf: number[] = [];
    const same = (a?: Key, b?: Key) => a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
    for (const leaf of leaves) {
      if (leaf.lo && !same(bounds[bounds.length - 1], leaf.lo)) bounds.push(leaf.lo);
      bucketOf.push(leaf.lo ? bounds.length : 0);
      if (leaf.hi) bounds.push(leaf.hi);
    }
    const wanted = [...bucketOf];
    this.settings.onProgress?.({ table: this.name, phase, rowsDone: 0, rowsEstimated: leaves.reduce((s, l) => s + l.sourceRows, 0), fraction: 0, seconds: (Date.now() - this.started) / 1000 });

    const streams = (['source', 'target'] as const).map((side) => {
      const sql = context.sql[side];
      const values: unknown[] = bounds.length ? columnsOf(bounds, width) : [];
      const bucket = sql.bucket(bounds.length, 1);
      values.push(wanted);
      // A few ranges: spell them out too, so the planner can use the primary-key index instead of a full scan.
      let hint = '';
      if (leaves.length <= 64) {
        const parts = leaves.map((leaf) => {
          const r = sql.range(leaf, values.length + 1);
          values.push(...r.values);
          return `(${r.sql})`;
        });
        hint = `WHERE ${parts.join(' OR ')}`;
      }
      const text = `SELECT s.b, ${context.plan.key.map((_, i) => `s.k${i}`).join(', ')}, s.h FROM (
          SELECT ${bucket} AS b, ${sql.keyText}, ${sql.hash}::text AS h, ${sql.keyParts.map((e, i) => `${e} AS o${i}`).join(', ')} FROM ${sql.from} ${hint}
        ) s WHERE s.b = ANY($${bounds.length ? width + 1 : 1}::int[]) ORDER BY ${context.plan.key.map((_, i) => `s.o${i}`).join(', ')}`;
      return new RowStream(this.pools[side], text, values, width);
    });
    const [sourceRows, targetRows] = streams;
    await Promise.all([sourceRows.open(), targetRows.open()]);
    const outcomes: LeafOutcome[] = [];
    // The listed rows are those of the latest pass.
    this.listed = [];
    try {
      for (let i = 0; i < leaves.length; i++) {
        const b = bucketOf[i];
        const [s, t] = await Promise.all([sourceRows.take(b), targetRows.take(b)]);
        outcomes.push({ range: leaves[i], ...this.compareRows(s, t) });
      }
    } finally {
      await Promise.allSettled([sourceRows.close(), targetRows.close()]);
    }
    return outcomes;
  }

  /** Compares one range's rows (both in the same key order) by key. */
  private compareRows(source: readonly StreamRow[], target: readonly StreamRow[]): { counts: RowCounts; source: Figures } {
    const inTarget = new Set(target.map((r) => r.id));
    const inSource = new Set(source.map((r) => r.id));
    let missingInTarget = 0;
    let extraInTarget = 0;
    let changed = 0;
    let h = 0n;
    for (const row of source) h += BigInt(row.hash);
    const list = (difference: RowDifference) => {
      if (this.listed.length < this.settings.maxRows) this.listed.push(difference);
    };
    let i = 0;
    let j = 0;
    while (i < source.length || j < target.length) {
      const s = source[i];
      const t = target[j];
      if (s && t && s.id === t.id) {
        if (s.hash !== t.hash) {
          changed += 1;
          list({ kind: 'changed', key: keyOf(s) });
        }
        i += 1;
        j += 1;
      } else if (t && !inSource.has(t.id)) {
        extraInTarget += 1;
        list({ kind: 'extra-in-target', key: keyOf(t) });
        j += 1;
      } else if (s && !inTarget.has(s.id)) {
        missingInTarget += 1;
        list({ kind: 'missing-in-target', key: keyOf(s) });
        i += 1;
      } else {
        // Both present elsewhere: the orders disagree (cannot happen under one collation); count as changed and move on.
        if (s) i += 1;
        if (t) j += 1;
      }
    }
    return { counts: { missingInTarget, extraInTarget, changed }, source: { n: source.length, h } };
  }

  /** Fills in the differing columns, with both values, of the listed changed rows. */
  private async describeChanged(context: TableContext): Promise<void> {
    const changed = this.listed.filter((r) => r.kind === 'changed');
    if (changed.length === 0) return;
    const width = context.plan.key.length;
    const fetch = async (side: Side) => {
      const sql = context.sql[side];
      const cols = context.plan.key.map((_, i) => `c${i}`);
      const typed = context.plan.key.map((k, i) => `u.c${i}::${k.type}`).join(', ');
      const keyCols = sql.keyOrder;
      const values = context.plan.columns.map((c, i) => `t.${quoteIdent(c.name)}::text AS v${i}, ${sql.columnHashes[i]} AS h${i}`).join(', ');
      const rows = await this.pools[side].run<Record<string, string | null>>(
        this.pools[side].main,
        `SELECT ${sql.keyText}, ${values} FROM ${sql.from}
          WHERE (${keyCols}) IN (SELECT ${typed} FROM unnest(${cols.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${cols.join(', ')}))`,
        columnsOf(changed.map((r) => r.key), width),
      );
      return new Map(rows.map((r) => [JSON.stringify(Array.from({ length: width }, (_, i) => r[`k${i}`])), r]));
    };
    const [source, target] = await Promise.all([fetch('source'), fetch('target')]);
    this.listed = this.listed.map((row) => {
      if (row.kind !== 'changed') return row;
      const s = source.get(JSON.stringify(row.key));
      const t = target.get(JSON.stringify(row.key));
      if (!s || !t) return row;
      const columns: ColumnDifference[] = [];
      context.plan.columns.forEach((c, i) => {
        if (s[`h${i}`] === t[`h${i}`]) return;
        const hidden = this.settings.redactors.some((m) => m(this.name, c.name));
        columns.push({ column: c.name, source: hidden ? '[redacted]' : s[`v${i}`], target: hidden ? '[redacted]' : t[`v${i}`] });
      });
      return { ...row, columns };
    });
  }
}

const keyOf = (row: StreamRow): Key => row.id.split('\u0000');

const total = (c: RowCounts) => c.missingInTarget + c.extraInTarget + c.changed;

interface StreamRow {
  readonly bucket: number;
  /** The key values joined by NUL. */
  readonly id: string;
  readonly hash: string;
}

/** A server-side cursor over `(bucket, key..., hash)` rows in bucket order, read in batches. */
class RowStream {
  private static counter = 0;
  private readonly cursor = `verify_rows_${++RowStream.counter}`;
  private buffer: StreamRow[] = [];
  private position = 0;
  private exhausted = false;

  constructor(
    private readonly pool: SidePool,
    private readonly text: string,
    private readonly values: unknown[],
    private readonly width: number,
  ) {}

  async open(): Promise<void> {
    await this.pool.run(this.pool.main, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await this.pool.run(this.pool.main, `DECLARE ${this.cursor} NO SCROLL CURSOR FOR ${this.text}`, this.values);
  }

  private async peek(): Promise<StreamRow | undefined> {
    if (this.position < this.buffer.length) return this.buffer[this.position];
    if (this.exhausted) return undefined;
    // Arrays, not objects per row: the stream can carry every row of a table that differs entirely.
    const rows = await this.pool.run<(string | number)[]>(this.pool.main, `FETCH ${FETCH_ROWS} FROM ${this.cursor}`, [], 'array');
    if (rows.length < FETCH_ROWS) this.exhausted = true;
    const width = this.width;
    // The key travels as one string (values joined by NUL, which PostgreSQL text cannot contain), split only when listed.
    this.buffer = rows.map((r) => ({ bucket: Number(r[0]), id: width === 1 ? String(r[1]) : r.slice(1, width + 1).join('\u0000'), hash: String(r[width + 1]) }));
    this.position = 0;
    return this.buffer[0];
  }

  /** All rows of bucket `b` (buckets are asked for in increasing order). */
  async take(b: number): Promise<StreamRow[]> {
    const rows: StreamRow[] = [];
    for (;;) {
      const row = await this.peek();
      if (!row || row.bucket > b) return rows;
      this.position += 1;
      if (row.bucket === b) rows.push(row);
    }
  }

  async close(): Promise<void> {
    await this.pool.main.query('COMMIT');
  }
}
