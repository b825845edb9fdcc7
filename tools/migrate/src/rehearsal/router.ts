import type { DatabaseSide } from '../steps';

export type Stack = 'legacy' | 'migrated';

/**
 * The rehearsal's Route 53 and ECS: a weighted choice between the legacy stack and the new
 * one for each request (as resolvers follow the weighted records), and each stack's database
 * connection setting (the legacy stack always uses legacy; the new stack's setting is what
 * the runner switches).
 */
export class WeightedRouter {
  private weights: Record<Stack, number> = { legacy: 100, migrated: 0 };
  private migratedTarget: DatabaseSide = 'legacy';
  private legacyRecord = true;
  /** Every weight change, in order (the rehearsal's "Route 53 change log"). */
  readonly changes: string[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  setWeights(weights: Readonly<Record<Stack, number>>): void {
    if (!this.legacyRecord && weights.legacy > 0) throw new Error('the legacy record was removed; it cannot take weight again');
    if (weights.legacy + weights.migrated <= 0) throw new Error('both weights are 0');
    this.weights = { ...weights };
    this.changes.push(`legacy=${weights.legacy} migrated=${weights.migrated}`);
  }

  removeLegacyRecord(): void {
    if (this.weights.migrated <= 0) throw new Error('refusing to remove the legacy record while the migrated one has no weight');
    this.legacyRecord = false;
    this.weights = { legacy: 0, migrated: this.weights.migrated };
    this.changes.push('legacy record removed');
  }

  /** Points the new stack's services at one database. */
  pointMigratedAt(side: DatabaseSide): void {
    this.migratedTarget = side;
  }

  get state(): { weights: Readonly<Record<Stack, number>>; migratedTarget: DatabaseSide; legacyRecord: boolean } {
    return { weights: { ...this.weights }, migratedTarget: this.migratedTarget, legacyRecord: this.legacyRecord };
  }

  /** Which stack takes a request, and which database it writes to. */
  route(): { stack: Stack; side: DatabaseSide } {
    const total = this.weights.legacy + this.weights.migrated;
    const stack: Stack = this.random() * total < this.weights.legacy ? 'legacy' : 'migrated';
    return { stack, side: stack === 'legacy' ? 'legacy' : this.migratedTarget };
  }
}
