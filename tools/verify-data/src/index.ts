// The data-integrity verifier: legacy against migrated, table by table.
export {
  formatReport,
  quoteIdent,
  verifyDatabases,
  type ChunkDifference,
  type RowDifference,
  type RowDifferenceKind,
  type TableReport,
  type VerifyOptions,
  type VerifyReport,
} from './verify';
