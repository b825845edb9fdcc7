// The data-integrity verifier: legacy against migrated, table by table, hashed inside both databases.
export { verifyDatabases, DEFAULTS, LIMITS, type Progress, type VerifyOptions } from './engine';
export { clientConfig, ConnectionError, RDS_CA_HINT, redactUrl, type ConnectionConfig, type Side } from './connection';
export { DMS_ARTEFACT_TABLES, patternMatcher, selectTables, type SchemaDifference, type TableSelection } from './schema';
export {
  formatReport,
  type ColumnDifference,
  type RowCounts,
  type RowDifference,
  type RowDifferenceKind,
  type TableReport,
  type TableStatus,
  type VerifyReport,
} from './report';
