import type { ClientBase } from 'pg';

/**
 * Data-integrity verification of a migrated PostgreSQL database against its source.
 *
 * Per table: the source's primary key splits the key space into chunks of `chunkSize`
 * rows, `(-inf, k1], (k1, k2], ... (kn, +inf)`, walked by keyset pagination (never OFFSET
 * from the start, never the whole table in memory). For every chunk both sides compute,
 * server-side, the row count and an order-independent checksum: the sum of the first 64
 * bits of md5 of each row's text (columns in name order, session output settings pinned).
 * A chunk whose count or checksum differs is narrowed to rows: both sides list
 * `(key, md5(row))` for that range only, and the lists are compared.
 */

export interface VerifyOptions {
  /** `schema.table` or `table` (schema `public`). @default - every table of the source outside system schemas */
  readonly tables?: readonly string[];
  /** Rows per chunk. @default 10000 */
  readonly chunkSize?: number;
  /** Rows listed per differing chunk, at most. @default 100 */
  readonly maxRowsPerChunk?: number;
  /** Called after each chunk (progress). */
  readonly onChunk?: (table: string, rowsSoFar: number) => void;
}

export type RowDifferenceKind = 'missing-in-target' | 'extra-in-target' | 'changed';

export interface RowDifference {
  readonly kind: RowDifferenceKind;
  /** Primary key values as text, in key column order. */
  readonly key: readonly string[];
}

export interface ChunkDifference {
  /** Exclusive lower bound (key values as text), undefined for the first chunk. */
  readonly after?: readonly string[];
  /** Inclusive upper bound, undefined for the last chunk. */
  readonly upTo?: readonly string[];
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly rows: readonly RowDifference[];
  /** More rows differ than were listed. */
  readonly truncated: boolean;
}

export interface TableReport {
  /** `schema.table` */
  readonly table: string;
  readonly keyColumns: readonly string[];
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly chunks: number;
  readonly differences: readonly ChunkDifference[];
  /** Problems that stop a row comparison (missing table, different columns, no primary key...). */
  readonly problems: readonly string[];
  readonly identical: boolean;
}

export interface VerifyReport {
  readonly identical: boolean;
  readonly tables: readonly TableReport[];
  readonly rowsCompared: number;
  readonly seconds: number;
}

interface TableShape {
  readonly schema: string;
  readonly name: string;
  /** Columns sorted by name. */
  readonly columns: readonly string[];
  /** Primary key columns in key order, with their SQL types. */
  readonly key: readonly { readonly name: string; readonly type: string }[];
}

/** Pins the text output of every type so both sides render rows identically. */
const SESSION_SETTINGS = [
  "SET TIME ZONE 'UTC'",
  "SET datestyle = 'ISO, YMD'",
  "SET intervalstyle = 'postgres'",
  'SET extra_float_digits = 1',
  "SET bytea_output = 'hex'",
];

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const qualified = (shape: Pick<TableShape, 'schema' | 'name'>) => `${quoteIdent(shape.schema)}.${quoteIdent(shape.name)}`;

/** Compares every selected table of `source` with `target`. */
export async function verifyDatabases(source: ClientBase, target: ClientBase, options: VerifyOptions = {}): Promise<VerifyReport> {
  const chunkSize = options.chunkSize ?? 10000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`chunk size ${chunkSize} must be a whole number >= 1`);
  const started = Date.now();
  for (const client of [source, target]) for (const statement of SESSION_SETTINGS) await client.query(statement);

  const sourceTables = await describeTables(source);
  const targetTables = await describeTables(target);
  const selected = selectTables(sourceTables, targetTables, options.tables);

  const reports: TableReport[] = [];
  for (const name of selected) {
    reports.push(await verifyTable(source, target, name, sourceTables.get(name), targetTables.get(name), chunkSize, options));
  }
  const rowsCompared = reports.reduce((sum, r) => sum + r.sourceRows, 0);
  return { identical: reports.every((r) => r.identical), tables: reports, rowsCompared, seconds: (Date.now() - started) / 1000 };
}

function selectTables(sourceTables: Map<string, TableShape>, targetTables: Map<string, TableShape>, wanted?: readonly string[]): string[] {
  if (!wanted || wanted.length === 0) {
    // Everything on either side: a table only the target has is a difference too.
    return [...new Set([...sourceTables.keys(), ...targetTables.keys()])].sort();
  }
  return wanted.map((t) => (t.includes('.') ? t : `public.${t}`));
}

async function describeTables(client: ClientBase): Promise<Map<string, TableShape>> {
  const { rows } = await client.query<{ schema: string; name: string; columns: string[]; key_names: string[] | null; key_types: string[] | null }>(`
    SELECT n.nspname AS schema, c.relname AS name,
      (SELECT array_agg(a.attname::text ORDER BY a.attname::text COLLATE "C")
         FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
      (SELECT array_agg(a.attname::text ORDER BY k.ord)
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = c.oid AND i.indisprimary) AS key_names,
      (SELECT array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord)
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = c.oid AND i.indisprimary) AS key_types
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  `);
  const tables = new Map<string, TableShape>();
  for (const row of rows) {
    const names = row.key_names ?? [];
    const types = row.key_types ?? [];
    tables.set(`${row.schema}.${row.name}`, {
      schema: row.schema,
      name: row.name,
      columns: row.columns ?? [],
      key: names.map((name, i) => ({ name, type: types[i] })),
    });
  }
  return tables;
}

async function verifyTable(
  source: ClientBase,
  target: ClientBase,
  name: string,
  sourceShape: TableShape | undefined,
  targetShape: TableShape | undefined,
  chunkSize: number,
  options: VerifyOptions,
): Promise<TableReport> {
  const problems: string[] = [];
  const empty = (extra: Partial<TableReport>): TableReport => ({
    table: name, keyColumns: [], sourceRows: 0, targetRows: 0, chunks: 0, differences: [], problems, identical: false, ...extra,
  });
  if (!sourceShape) problems.push(`${name} is not in the source`);
  if (!targetShape) problems.push(`${name} is not in the target`);
  if (!sourceShape || !targetShape) {
    const shape = sourceShape ?? targetShape;
    const rows = shape ? await countRows(sourceShape ? source : target, shape) : 0;
    return empty(sourceShape ? { sourceRows: rows } : { targetRows: rows });
  }
  if (sourceShape.columns.join(',') !== targetShape.columns.join(',')) {
    const onlySource = sourceShape.columns.filter((c) => !targetShape.columns.includes(c));
    const onlyTarget = targetShape.columns.filter((c) => !sourceShape.columns.includes(c));
    problems.push(`${name} columns differ: only in source [${onlySource.join(', ')}], only in target [${onlyTarget.join(', ')}]`);
    return empty({ sourceRows: await countRows(source, sourceShape), targetRows: await countRows(target, targetShape) });
  }
  const keyColumns = sourceShape.key.map((k) => k.name);
  if (keyColumns.join(',') !== targetShape.key.map((k) => k.name).join(',')) {
    problems.push(`${name} primary keys differ: source (${keyColumns.join(', ')}), target (${targetShape.key.map((k) => k.name).join(', ')})`);
    return empty({ keyColumns, sourceRows: await countRows(source, sourceShape), targetRows: await countRows(target, targetShape) });
  }

  const differences: ChunkDifference[] = [];
  let sourceRows = 0;
  let targetRows = 0;
  let chunks = 0;

  if (sourceShape.key.length === 0) {
    // No key to chunk or locate rows by: one whole-table aggregate (still server-side, flat memory).
    const [s, t] = await Promise.all([chunkDigest(source, sourceShape), chunkDigest(target, sourceShape)]);
    problems.push(`${name} has no primary key: compared as one chunk, differing rows cannot be located`);
    if (s.count !== t.count || s.sum !== t.sum) differences.push({ sourceRows: s.count, targetRows: t.count, rows: [], truncated: true });
    return { table: name, keyColumns, sourceRows: s.count, targetRows: t.count, chunks: 1, differences, problems, identical: differences.length === 0 };
  }

  let after: string[] | undefined;
  for (;;) {
    const upTo = await chunkUpperBound(source, sourceShape, after, chunkSize);
    const [s, t] = await Promise.all([chunkDigest(source, sourceShape, after, upTo), chunkDigest(target, sourceShape, after, upTo)]);
    chunks += 1;
    sourceRows += s.count;
    targetRows += t.count;
    if (s.count !== t.count || s.sum !== t.sum) {
      differences.push(await locateRows(source, target, sourceShape, after, upTo, options.maxRowsPerChunk ?? 100, s.count, t.count));
    }
    options.onChunk?.(name, sourceRows);
    if (!upTo) break;
    after = upTo;
  }
  return { table: name, keyColumns, sourceRows, targetRows, chunks, differences, problems, identical: differences.length === 0 && problems.length === 0 };
}

async function countRows(client: ClientBase, shape: TableShape): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(shape)}`);
  return Number(rows[0].n);
}

const keyList = (shape: TableShape) => shape.key.map((k) => quoteIdent(k.name)).join(', ');
const keyTuple = (shape: TableShape, firstParam: number) => shape.key.map((k, i) => `$${firstParam + i}::${k.type}`).join(', ');
const rowText = (shape: TableShape) => `ROW(${shape.columns.map((c) => `t.${quoteIdent(c)}`).join(', ')})::text`;

/** `WHERE` clause (and parameters) for the range `(after, upTo]`. */
function rangeFilter(shape: TableShape, after?: readonly string[], upTo?: readonly string[]): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (after) {
    parts.push(`(${keyList(shape)}) > (${keyTuple(shape, params.length + 1)})`);
    params.push(...after);
  }
  if (upTo) {
    parts.push(`(${keyList(shape)}) <= (${keyTuple(shape, params.length + 1)})`);
    params.push(...upTo);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** The key of the `chunkSize`-th row after `after` in the source, or undefined when fewer rows remain. */
async function chunkUpperBound(client: ClientBase, shape: TableShape, after: readonly string[] | undefined, chunkSize: number): Promise<string[] | undefined> {
  const range = rangeFilter(shape, after);
  const select = shape.key.map((k, i) => `${quoteIdent(k.name)}::text AS k${i}`).join(', ');
  const { rows } = await client.query({
    text: `SELECT ${select} FROM ${qualified(shape)} ${range.sql} ORDER BY ${keyList(shape)} OFFSET ${chunkSize - 1} LIMIT 1`,
    values: range.params,
    rowMode: 'array',
  });
  return rows.length === 0 ? undefined : (rows[0] as string[]);
}

/** Row count and order-independent checksum of a key range, computed by the server. */
async function chunkDigest(client: ClientBase, shape: TableShape, after?: readonly string[], upTo?: readonly string[]): Promise<{ count: number; sum: string }> {
  const range = rangeFilter(shape, after, upTo);
  const { rows } = await client.query<{ n: string; h: string }>({
    text: `SELECT count(*) AS n, coalesce(sum(('x' || substr(md5(${rowText(shape)}), 1, 16))::bit(64)::bigint::numeric), 0)::text AS h
           FROM ${qualified(shape)} t ${range.sql}`,
    values: range.params,
  });
  return { count: Number(rows[0].n), sum: rows[0].h };
}

/** Lists the rows of one differing range: keys and row hashes from both sides, compared. */
async function locateRows(
  source: ClientBase,
  target: ClientBase,
  shape: TableShape,
  after: readonly string[] | undefined,
  upTo: readonly string[] | undefined,
  maxRows: number,
  sourceCount: number,
  targetCount: number,
): Promise<ChunkDifference> {
  const range = rangeFilter(shape, after, upTo);
  const select = shape.key.map((k, i) => `t.${quoteIdent(k.name)}::text AS k${i}`).join(', ');
  const text = `SELECT ${select}, md5(${rowText(shape)}) AS h FROM ${qualified(shape)} t ${range.sql} ORDER BY ${keyList(shape)}`;
  const [s, t] = await Promise.all([
    source.query({ text, values: range.params, rowMode: 'array' }),
    target.query({ text, values: range.params, rowMode: 'array' }),
  ]);
  const width = shape.key.length;
  const sourceRows = new Map<string, { key: string[]; hash: string }>();
  for (const row of s.rows as string[][]) sourceRows.set(JSON.stringify(row.slice(0, width)), { key: row.slice(0, width), hash: row[width] });

  const rows: RowDifference[] = [];
  let total = 0;
  const add = (difference: RowDifference) => {
    total += 1;
    if (rows.length < maxRows) rows.push(difference);
  };
  for (const row of t.rows as string[][]) {
    const id = JSON.stringify(row.slice(0, width));
    const match = sourceRows.get(id);
    if (!match) add({ kind: 'extra-in-target', key: row.slice(0, width) });
    else {
      if (match.hash !== row[width]) add({ kind: 'changed', key: match.key });
      sourceRows.delete(id);
    }
  }
  for (const missing of sourceRows.values()) add({ kind: 'missing-in-target', key: missing.key });
  return { after, upTo, sourceRows: sourceCount, targetRows: targetCount, rows, truncated: total > rows.length };
}

/** A human-readable report. */
export function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  const range = (d: ChunkDifference) => `(${d.after ? d.after.join(', ') : '-inf'} .. ${d.upTo ? d.upTo.join(', ') : '+inf'}]`;
  for (const table of report.tables) {
    const status = table.identical ? 'OK  ' : 'DIFF';
    lines.push(`${status} ${table.table}: source ${table.sourceRows} rows, target ${table.targetRows} rows, ${table.chunks} chunk(s)`);
    for (const problem of table.problems) lines.push(`     ! ${problem}`);
    for (const d of table.differences) {
      lines.push(`     range ${range(d)} of (${table.keyColumns.join(', ')}): source ${d.sourceRows}, target ${d.targetRows}`);
      for (const row of d.rows) lines.push(`       ${row.kind} key (${row.key.join(', ')})`);
      if (d.truncated && table.keyColumns.length > 0) lines.push(`       ... more rows differ`);
    }
  }
  const rate = report.seconds > 0 ? Math.round(report.rowsCompared / report.seconds) : report.rowsCompared;
  lines.push(
    `${report.identical ? 'IDENTICAL' : 'DIFFERENT'}: ${report.tables.length} table(s), ${report.rowsCompared} source rows in ${report.seconds.toFixed(1)}s (${rate} rows/s)`,
  );
  return lines.join('\n');
}
