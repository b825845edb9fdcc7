import type { ClientBase } from 'pg';

/** One column as the catalog describes it. */
export interface ColumnShape {
  readonly name: string;
  /** `format_type` with modifiers, e.g. `numeric(12,2)`. */
  readonly type: string;
  /** The type without modifiers, e.g. `numeric`, used for casts. */
  readonly baseType: string;
  /** Whether the type takes a collation (text-like). */
  readonly collatable: boolean;
  /** The column's collation name, when collatable. */
  readonly collation?: string;
  /** Whether `hash_record_extended` can hash this type (it has a default hash operator class). */
  readonly hashable: boolean;
  /** `NOT NULL`: the row hash needs no NULL case for it. @default false */
  readonly notNull?: boolean;
}

export interface TableShape {
  readonly schema: string;
  readonly name: string;
  /** `r` table, `p` partitioned table. */
  readonly kind: 'r' | 'p';
  /** Columns in their physical order. */
  readonly columns: readonly ColumnShape[];
  /** Primary key column names in key order; empty without a primary key. */
  readonly key: readonly string[];
  /** Planner estimate of the row count (-1 when never analyzed). */
  readonly estimatedRows: number;
  /** Heap pages on disk right now (all leaf partitions of a partitioned table). */
  readonly pages: number;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const qualifiedName = (table: Pick<TableShape, 'schema' | 'name'>): string => `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;

/** Every ordinary and partitioned table outside the system schemas, by `schema.table`. */
export async function describeTables(client: ClientBase): Promise<Map<string, TableShape>> {
  const { rows } = await client.query<{
    schema: string;
    name: string;
    kind: 'r' | 'p';
    columns: { name: string; type: string; base: string; typid: number; collatable: boolean; collation: string | null; notnull: boolean }[] | null;
    key: string[] | null;
    reltuples: number;
    pages: string;
  }>(`
    SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
      (CASE WHEN c.relkind = 'p'
            THEN (SELECT coalesce(sum(pg_relation_size(p.relid)), 0) FROM pg_partition_tree(c.oid) p WHERE p.isleaf)
            ELSE pg_relation_size(c.oid) END / current_setting('block_size')::int)::text AS pages,
      CASE WHEN c.relkind = 'p'
           THEN (SELECT coalesce(sum(greatest(pc.reltuples, 0)), 0) FROM pg_partition_tree(c.oid) p JOIN pg_class pc ON pc.oid = p.relid WHERE p.isleaf)
           ELSE c.reltuples END::float8 AS reltuples,
      (SELECT json_agg(json_build_object(
                'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'base', format_type(a.atttypid, NULL),
                'typid', a.atttypid, 'collatable', a.attcollation <> 0, 'collation', co.collname, 'notnull', a.attnotnull) ORDER BY a.attnum)
         FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
      (SELECT array_agg(a.attname::text ORDER BY k.ord)
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = c.oid AND i.indisprimary) AS key
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`);

  // Which column types hash_record_extended can hash: probe each distinct type once (a NULL is enough:
  // the function looks the hash support up before it looks at the value).
  const hashable = new Map<number, boolean>();
  for (const row of rows) {
    for (const column of row.columns ?? []) {
      if (hashable.has(column.typid)) continue;
      try {
        await client.query(`SELECT hash_record_extended(ROW(NULL::${column.base}), 0)`);
        hashable.set(column.typid, true);
      } catch {
        hashable.set(column.typid, false);
      }
    }
  }

  const tables = new Map<string, TableShape>();
  for (const row of rows) {
    tables.set(`${row.schema}.${row.name}`, {
      schema: row.schema,
      name: row.name,
      kind: row.kind,
      columns: (row.columns ?? []).map((c) => ({
        name: c.name,
        type: c.type,
        baseType: c.base,
        collatable: c.collatable,
        ...(c.collation ? { collation: c.collation } : {}),
        hashable: hashable.get(c.typid) ?? false,
        ...(c.notnull ? { notNull: true } : {}),
      })),
      key: row.key ?? [],
      estimatedRows: Number(row.reltuples),
      pages: Number(row.pages),
    });
  }
  return tables;
}

/**
 * Table patterns: `schema.table` or `table` (schema `public`); `*` or `%` matches any run of
 * characters, everything else is literal (so `awsdms_*` means the prefix `awsdms_`).
 */
export function patternMatcher(pattern: string): (qualified: string) => boolean {
  const trimmed = pattern.trim();
  if (!/^[^.\s]+(\.[^.\s]+)?$/.test(trimmed)) throw new Error(`table pattern '${pattern}' must be schema.table or table (with * or % as wildcards)`);
  const full = trimmed.includes('.') ? trimmed : `public.${trimmed}`;
  const regex = new RegExp(`^${full.split(/[*%]/).map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (qualified) => regex.test(qualified);
}

/** Replication artefacts AWS DMS creates in the target (`awsdms_apply_exceptions`, ...): never part of the data. */
export const DMS_ARTEFACT_TABLES: readonly string[] = ['*.awsdms_*'];

export interface TableSelection {
  /** Patterns to compare. @default - every table on either side */
  readonly include?: readonly string[];
  /** Patterns to leave out, applied after `include`. @default - none */
  readonly exclude?: readonly string[];
}

/** The tables to compare, sorted: on either side, matching an include pattern and no exclude pattern. */
export function selectTables(available: Iterable<string>, selection: TableSelection = {}): string[] {
  const include = (selection.include ?? []).map(patternMatcher);
  const exclude = (selection.exclude ?? []).map(patternMatcher);
  return [...new Set(available)]
    .filter((name) => include.length === 0 || include.some((m) => m(name)))
    .filter((name) => !exclude.some((m) => m(name)))
    .sort();
}

/** A difference between the two sides' definitions of one table. */
export interface SchemaDifference {
  readonly kind: 'missing-table' | 'missing-column' | 'extra-column' | 'type' | 'primary-key';
  readonly column?: string;
  readonly source?: string;
  readonly target?: string;
  readonly message: string;
}

/** How one common column is fed to the row hash on each side. */
export interface ColumnPlan {
  readonly name: string;
  /** SQL over alias `t` on the source, and on the target (they differ only when the types do). */
  readonly sourceExpr: string;
  readonly targetExpr: string;
  /** The type each expression yields (`format_type` without modifiers), which picks its hash function. */
  readonly sourceType: string;
  readonly targetType: string;
  /** Whether the column can hold NULL on each side. */
  readonly sourceNullable: boolean;
  readonly targetNullable: boolean;
}

export interface TablePlan {
  readonly schemaDifferences: readonly SchemaDifference[];
  /** Common columns by name (C order), each with its hash expression per side. */
  readonly columns: readonly ColumnPlan[];
  /** Whether the rows can be compared by key (same primary key on both sides). */
  readonly keyed: boolean;
  readonly key: readonly { readonly name: string; readonly type: string; readonly collatable: boolean }[];
  readonly notes: readonly string[];
}

// Types whose built-in hash functions agree across the family for equal values
// (PostgreSQL makes them so for cross-type hash joins): int2/int4/int8, float4/float8,
// text/varchar, and timestamp/timestamptz (same microsecond count).
const HASH_FAMILIES: readonly (readonly string[])[] = [
  ['smallint', 'integer', 'bigint'],
  ['real', 'double precision'],
  ['text', 'character varying'],
  ['timestamp without time zone', 'timestamp with time zone'],
];
const NUMERIC_LIKE = new Set(['smallint', 'integer', 'bigint', 'numeric']);

const collate = (expr: string, collatable: boolean) => (collatable ? `${expr} COLLATE "C"` : expr);

/** The hash expression for a column whose type is the same on both sides. */
function sameTypeExpr(column: ColumnShape): { expr: string; type: string } {
  const ref = `t.${quoteIdent(column.name)}`;
  // Text-like values are hashed byte for byte (COLLATE "C"): a non-deterministic collation would hash 'A' and 'a' alike.
  return column.hashable ? { expr: collate(ref, column.collatable), type: column.baseType } : { expr: `${ref}::text COLLATE "C"`, type: 'text' };
}

/** Hash expressions for a column whose type differs between the sides: compare values, not representations, where that is lossless. */
function crossTypeExprs(source: ColumnShape, target: ColumnShape): Omit<ColumnPlan, 'name' | 'sourceNullable' | 'targetNullable'> & { how: string } {
  const s = `t.${quoteIdent(source.name)}`;
  if (source.baseType === target.baseType && source.hashable) {
    return { sourceExpr: collate(s, source.collatable), targetExpr: collate(s, target.collatable), sourceType: source.baseType, targetType: target.baseType, how: 'by value' };
  }
  if (HASH_FAMILIES.some((family) => family.includes(source.baseType) && family.includes(target.baseType))) {
    return { sourceExpr: collate(s, source.collatable), targetExpr: collate(s, target.collatable), sourceType: source.baseType, targetType: target.baseType, how: 'by value' };
  }
  if (NUMERIC_LIKE.has(source.baseType) && NUMERIC_LIKE.has(target.baseType)) {
    return { sourceExpr: `${s}::numeric`, targetExpr: `${s}::numeric`, sourceType: 'numeric', targetType: 'numeric', how: 'as numeric' };
  }
  return { sourceExpr: `${s}::text COLLATE "C"`, targetExpr: `${s}::text COLLATE "C"`, sourceType: 'text', targetType: 'text', how: 'as text' };
}

/**
 * Hash functions called directly for common types (a function call per value, no row to build):
 * each agrees across its family for equal values, as `hash_record_extended` does (PostgreSQL
 * makes hashint2/4/8 agree for cross-type hash joins), so the families above still compare by
 * value. timestamptz is hashed as the timestamp at offset 0 (`AT TIME ZONE interval '0'`:
 * arithmetic on the same microsecond count, whatever the session's time zone).
 */
const DIRECT_HASH: Readonly<Record<string, (expr: string, seed: number) => string>> = {
  smallint: (e, seed) => `hashint2extended(${e}, ${seed})`,
  integer: (e, seed) => `hashint4extended(${e}, ${seed})`,
  bigint: (e, seed) => `hashint8extended(${e}, ${seed})`,
  numeric: (e, seed) => `hash_numeric_extended(${e}, ${seed})`,
  real: (e, seed) => `hashfloat8extended((${e})::float8, ${seed})`,
  'double precision': (e, seed) => `hashfloat8extended(${e}, ${seed})`,
  text: (e, seed) => `hashtextextended(${e}, ${seed})`,
  'character varying': (e, seed) => `hashtextextended(${e}, ${seed})`,
  'timestamp without time zone': (e, seed) => `timestamp_hash_extended(${e}, ${seed})`,
  'timestamp with time zone': (e, seed) => `timestamp_hash_extended((${e}) AT TIME ZONE interval '0', ${seed})`,
  uuid: (e, seed) => `uuid_hash_extended(${e}, ${seed})`,
  jsonb: (e, seed) => `jsonb_hash_extended(${e}, ${seed})`,
};

/** What a NULL contributes (the direct functions are strict), offset by the column's seed. */
const NULL_HASH = 7046029254386353131n;

/**
 * One column's share of the row hash: a 64-bit hash seeded by the column's position (so equal
 * values in different columns, or values swapped between columns, do not cancel out). The row
 * hash is the XOR of its columns' shares.
 */
export function hashTerm(expr: string, type: string, seed: number, nullable = true): string {
  const direct = DIRECT_HASH[type];
  if (!direct) return `hash_record_extended(ROW(${expr}), ${seed})`;
  return nullable ? `coalesce(${direct(expr, seed)}, ${NULL_HASH + BigInt(seed)})` : direct(expr, seed);
}

/** Compares the two definitions of a table and decides how rows are hashed. */
export function planTable(name: string, source: TableShape, target: TableShape): TablePlan {
  const differences: SchemaDifference[] = [];
  const notes: string[] = [];
  const targetColumns = new Map(target.columns.map((c) => [c.name, c]));
  const sourceColumns = new Map(source.columns.map((c) => [c.name, c]));
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

  for (const column of [...source.columns].sort((a, b) => byName(a.name, b.name))) {
    if (!targetColumns.has(column.name)) {
      differences.push({ kind: 'missing-column', column: column.name, source: column.type, message: `column ${column.name} (${column.type}) is missing in the target` });
    }
  }
  for (const column of [...target.columns].sort((a, b) => byName(a.name, b.name))) {
    if (!sourceColumns.has(column.name)) {
      differences.push({ kind: 'extra-column', column: column.name, target: column.type, message: `column ${column.name} (${column.type}) exists only in the target` });
    }
  }

  const columns: ColumnPlan[] = [];
  for (const s of [...source.columns].sort((a, b) => byName(a.name, b.name))) {
    const t = targetColumns.get(s.name);
    if (!t) continue;
    if (s.type === t.type) {
      const [source, target] = [sameTypeExpr(s), sameTypeExpr(t)];
      columns.push({ name: s.name, sourceExpr: source.expr, targetExpr: target.expr, sourceType: source.type, targetType: target.type, sourceNullable: !s.notNull, targetNullable: !t.notNull });
      continue;
    }
    const cross = crossTypeExprs(s, t);
    differences.push({
      kind: 'type',
      column: s.name,
      source: s.type,
      target: t.type,
      message: `column ${s.name} is ${s.type} in the source but ${t.type} in the target (rows compared ${cross.how})`,
    });
    columns.push({ name: s.name, sourceExpr: cross.sourceExpr, targetExpr: cross.targetExpr, sourceType: cross.sourceType, targetType: cross.targetType, sourceNullable: !s.notNull, targetNullable: !t.notNull });
  }

  const describeKey = (shape: TableShape) =>
    shape.key.length === 0 ? 'none' : `(${shape.key.map((k) => `${k} ${shape.columns.find((c) => c.name === k)?.type ?? '?'}`).join(', ')})`;
  const sourceKey = describeKey(source);
  const targetKey = describeKey(target);
  let keyed = true;
  if (source.key.length === 0 && target.key.length === 0) {
    keyed = false;
    notes.push(`${name} has no primary key: compared as a whole (row count and content hash); differing rows cannot be located`);
  } else if (sourceKey !== targetKey) {
    keyed = false;
    differences.push({ kind: 'primary-key', source: sourceKey, target: targetKey, message: `primary keys differ: source ${sourceKey}, target ${targetKey}; rows compared as a whole, not by key` });
  }

  const key = source.key.map((k) => {
    const column = source.columns.find((c) => c.name === k);
    return { name: k, type: column?.type ?? 'text', collatable: column?.collatable ?? false };
  });
  if (keyed) {
    for (const k of key) {
      const s = source.columns.find((c) => c.name === k.name);
      const t = target.columns.find((c) => c.name === k.name);
      if (k.collatable && s?.collation !== t?.collation) {
        notes.push(`key ${k.name} has collation ${s?.collation} in the source and ${t?.collation} in the target: ranges are compared under "C" on both sides`);
      }
    }
  }
  return { schemaDifferences: differences, columns, keyed, key, notes };
}
