export { SecureBucket, type SecureBucketProps } from './lib/secure-bucket';
export { StateBackend, type StateBackendProps } from './lib/state-backend';
export { LEDGER_KEYS, MigrationLedger, type MigrationLedgerProps } from './lib/migration-ledger';
export {
  CREATION_ONLY_ARGUMENTS,
  MIN_BACKUP_RETENTION_DAYS,
  PostgresDatabase,
  snapshotEngineProblems,
  type SnapshotEngine,
  type DatabaseClient,
  type DatabaseNetwork,
  type PostgresDatabaseProps,
} from './lib/postgres-database';
export { SnapshotMigration, isAwsManagedKeyReference, type SnapshotMigrationProps } from './lib/snapshot-migration';
export {
  CdcReplication,
  DEFAULT_LOB_MAX_SIZE_KB,
  TARGET_AFTER_CONNECT,
  TASK_IGNORED_CHANGES,
  taskSettings,
  type CdcReplicationProps,
  type CdcSource,
  type DmsSslMode,
  type ReplicationNetwork,
} from './lib/cdc-replication';
export { DmsServiceRoles, type DmsServiceRolesProps } from './lib/dms-service-roles';
export { DMS_ARTEFACT_PREFIX, DMS_CONTROL_SCHEMA, LSN_PATTERN, lsnProblem, renderTableMappings, tablePatternProblems } from './lib/dms-table-mappings';
export { LegacyDatabase, type LegacyDatabaseProps } from './lib/legacy-database';
