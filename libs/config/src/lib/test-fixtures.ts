import { readFileSync } from 'node:fs';
import { EXAMPLE_ORGANISATION_PATH } from './organisation-model';

/** A fresh, mutable copy of the example organisation, for tests that break one field. */
export function exampleInput(): Record<string, any> {
  return JSON.parse(readFileSync(EXAMPLE_ORGANISATION_PATH, 'utf8'));
}
