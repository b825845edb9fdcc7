import type { LegacyDatabaseConfig } from './organisation';

/**
 * The legacy snapshot one environment restores from: `<snapshotIdentifier>-<qualifier>`
 * (`ledger-migration-dev`). Each environment takes its own snapshot after recording its own
 * CDC position, so dev, staging and prod never restore the same snapshot or race on it.
 */
export function snapshotIdentifierFor(legacy: Pick<LegacyDatabaseConfig, 'snapshotIdentifier'>, qualifier: string): string {
  return `${legacy.snapshotIdentifier}-${qualifier}`;
}
