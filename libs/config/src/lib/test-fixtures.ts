import { readFileSync } from 'node:fs';
import { EXAMPLE_ORGANISATION_PATH } from './organisation-model';

/**
 * A fresh, mutable copy of the example organisation's JSON, for tests that break one
 * field and for tools that show the shape of a config.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function exampleOrganisationInput(): Record<string, any> {
  return JSON.parse(readFileSync(EXAMPLE_ORGANISATION_PATH, 'utf8'));
}
