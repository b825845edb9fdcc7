/**
 * DMS table mappings and CDC start positions: pure functions, so the rules can be
 * tested without synthesizing anything.
 */

/** `schema.table`, each part letters, digits, `_`, `$` or the `%` wildcard. */
const TABLE_PATTERN = /^[A-Za-z0-9_$%]+\.[A-Za-z0-9_$%]+$/;

/** A PostgreSQL log sequence number as `pg_current_wal_lsn()` prints it: `16/B374D848`. */
export const LSN_PATTERN = /^[0-9A-F]+\/[0-9A-F]+$/;

/** Problems with table patterns, empty when they are all usable. */
export function tablePatternProblems(patterns: readonly string[]): string[] {
  const problems: string[] = [];
  if (patterns.length === 0) problems.push('tables is empty; name at least one schema.table pattern (e.g. public.%)');
  for (const pattern of patterns) {
    if (!TABLE_PATTERN.test(pattern)) {
      problems.push(`table pattern '${pattern}' must be schema.table (letters, digits, _ $ and the % wildcard), e.g. public.% or billing.invoices`);
    }
  }
  const duplicates = patterns.filter((p, i) => patterns.indexOf(p) !== i);
  if (duplicates.length > 0) problems.push(`table patterns repeat: ${[...new Set(duplicates)].join(', ')}`);
  return problems;
}

/**
 * DMS table mappings selecting every `schema.table` pattern (one include rule each), as the
 * JSON string `table_mappings` wants.
 */
export function renderTableMappings(patterns: readonly string[]): string {
  const problems = tablePatternProblems(patterns);
  if (problems.length > 0) throw new Error(`DMS table mappings: ${problems.join('; ')}`);
  const includes = patterns.map((pattern, index) => {
    const [schema, table] = pattern.split('.');
    return {
      'rule-type': 'selection',
      'rule-id': String(index + 1),
      'rule-name': `include-${index + 1}`,
      'object-locator': { 'schema-name': schema, 'table-name': table },
      'rule-action': 'include',
    };
  });
  // DMS's own tables (heartbeat on the source, control tables on the target) are never data
  // to migrate, even where a `public.%` pattern would match them.
  const exclude = {
    'rule-type': 'selection',
    'rule-id': String(patterns.length + 1),
    'rule-name': 'exclude-dms-artefacts',
    'object-locator': { 'schema-name': '%', 'table-name': `${DMS_ARTEFACT_PREFIX}%` },
    'rule-action': 'exclude',
  };
  return JSON.stringify({ rules: [...includes, exclude] });
}

/** Prefix of the tables DMS creates (awsdms_heartbeat, awsdms_apply_exceptions, ...). */
export const DMS_ARTEFACT_PREFIX = 'awsdms_';
/** Schema DMS keeps its heartbeat and control tables in, outside the migrated schemas. */
export const DMS_CONTROL_SCHEMA = 'awsdms_control';

/** Why `value` is not a usable CDC start LSN, or undefined when it is. */
export function lsnProblem(value: string): string | undefined {
  if (LSN_PATTERN.test(value)) return undefined;
  return `cdcStartPosition '${value}' is not a PostgreSQL LSN; expected the value pg_create_logical_replication_slot() or pg_current_wal_lsn() returned, upper-case hex 'XXXXXXXX/XXXXXXXX' (e.g. 16/B374D848)`;
}
