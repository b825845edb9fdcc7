export * from './lib/cidr';
export { lineOf, locateJsonPaths } from './lib/json-locate';
export { NAME_LIMITS, Naming, SUFFIX_PATTERN, type NamedKind } from './lib/naming';
export * from './lib/organisation';
export {
  EXAMPLE_ORGANISATION_PATH,
  Organisation,
  OrganisationConfigError,
  loadOrganisation,
  type AccountTarget,
  type EnvironmentContext,
  type LoadOptions,
  type StateBackendTarget,
} from './lib/organisation-model';
export * from './lib/settings';
export { collectIssues, effectiveSettings, nameBudgetProblems, tierOf, type ConfigIssue, type RuntimeInputs } from './lib/validate';
export { exampleOrganisationInput } from './lib/test-fixtures';
export { snapshotIdentifierFor } from './lib/cutover';
