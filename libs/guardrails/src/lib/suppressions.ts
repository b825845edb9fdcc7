import type { IConstruct } from 'constructs';
import type { Suppression } from './types';

const METADATA_TYPE = 'estate:guardrails:suppress';

/**
 * Suppresses guardrail rules on `construct` and everything beneath it. Every
 * suppression needs a written reason; one without is itself reported as an error
 * when the stack is checked (so it cannot pass review unnoticed).
 */
export function suppressRules(construct: IConstruct, suppressions: readonly Suppression[]): void {
  for (const suppression of suppressions) construct.node.addMetadata(METADATA_TYPE, suppression);
}

/** Suppressions that apply at `construct` (its own and its ancestors'), nearest first. */
export function suppressionsFor(construct: IConstruct): Suppression[] {
  return construct.node.scopes
    .slice()
    .reverse()
    .flatMap((scope) => scope.node.metadata.filter((m) => m.type === METADATA_TYPE).map((m) => m.data as Suppression));
}
