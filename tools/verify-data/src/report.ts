import type { SchemaDifference } from './schema';

export type RowDifferenceKind = 'missing-in-target' | 'extra-in-target' | 'changed';

/** One differing column of a changed row. */
export interface ColumnDifference {
  readonly column: string;
  /** The value as text (UTC, ISO dates), `null` for SQL NULL, `[redacted]` for a redacted column. */
  readonly source: string | null;
  readonly target: string | null;
}

export interface RowDifference {
  readonly kind: RowDifferenceKind;
  /** Primary key values as text, in key column order. */
  readonly key: readonly string[];
  /** For `changed`: the columns that differ, with both values. */
  readonly columns?: readonly ColumnDifference[];
}

export interface RowCounts {
  readonly missingInTarget: number;
  readonly extraInTarget: number;
  readonly changed: number;
}

export type TableStatus = 'identical' | 'different' | 'missing';

export interface TableReport {
  /** `schema.table` */
  readonly table: string;
  readonly status: TableStatus;
  readonly identical: boolean;
  readonly keyColumns: readonly string[];
  /** Rows on each side (exact, counted while hashing); `null` when the table does not exist there. */
  readonly sourceRows: number | null;
  readonly targetRows: number | null;
  /** Definition differences, found before any row was read. */
  readonly schemaDifferences: readonly SchemaDifference[];
  /** Differing rows after the last check, in total (not only the listed ones). */
  readonly rowDifferences: RowCounts;
  /** Set when rows were compared as a whole (no usable primary key) and the content differs. */
  readonly contentDiffers: boolean;
  /** The listed differing rows (at most `maxRows`), in key order per range. */
  readonly rows: readonly RowDifference[];
  /** More rows differ than are listed. */
  readonly truncated: boolean;
  /** Key ranges hashed on both sides, and how many of them differed at first. */
  readonly ranges: { readonly compared: number; readonly differing: number };
  readonly recheck: {
    /** Rechecks made (0 when nothing differed or rechecks are off). */
    readonly attempts: number;
    /** Rows that differed at first and were equal on a recheck (replication lag). */
    readonly settled: number;
    /** Rechecked ranges whose source content changed between checks (writes on the source). */
    readonly sourceChangedRanges: number;
  };
  /** Facts worth knowing that are not differences (collations, tables without key...). */
  readonly notes: readonly string[];
  /** Why the table is not identical, one line each (empty when identical). */
  readonly problems: readonly string[];
  readonly seconds: number;
}

export interface VerifyReport {
  readonly identical: boolean;
  /** Strict mode: the source must not change while it is verified (the write freeze). */
  readonly strict: boolean;
  readonly tables: readonly TableReport[];
  /** Source rows compared, all tables. */
  readonly rowsCompared: number;
  readonly seconds: number;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The human-readable report: one status line per table, its problems and listed rows, then a summary. */
export function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  const count = (n: number | null) => (n === null ? 'absent' : plural(n, 'row'));
  for (const table of report.tables) {
    const status = table.identical ? 'OK  ' : 'DIFF';
    lines.push(`${status} ${table.table}: source ${count(table.sourceRows)}, target ${count(table.targetRows)}`);
    for (const problem of table.problems) lines.push(`     ! ${problem}`);
    for (const note of table.notes) lines.push(`     - ${note}`);
    for (const row of table.rows) {
      lines.push(`       ${row.kind} (${table.keyColumns.join(', ')}) = (${row.key.join(', ')})`);
      for (const column of row.columns ?? []) {
        lines.push(`         ${column.column}: source ${column.source === null ? 'NULL' : JSON.stringify(column.source)}, target ${column.target === null ? 'NULL' : JSON.stringify(column.target)}`);
      }
    }
    if (table.truncated) {
      const total = table.rowDifferences.missingInTarget + table.rowDifferences.extraInTarget + table.rowDifferences.changed;
      lines.push(`       ... ${plural(total - table.rows.length, 'more differing row')} not listed`);
    }
  }
  const differing = report.tables.filter((t) => !t.identical).length;
  const rate = report.seconds > 0 ? Math.round(report.rowsCompared / report.seconds) : report.rowsCompared;
  lines.push(
    `${report.identical ? 'IDENTICAL' : 'DIFFERENT'}: ${plural(report.tables.length, 'table')}${differing ? ` (${differing} differing)` : ''}, ` +
      `${plural(report.rowsCompared, 'source row')} in ${report.seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} rows/s)${report.strict ? ', strict' : ''}`,
  );
  return lines.join('\n');
}
