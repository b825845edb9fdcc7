export * from './lib/cidr';
export { lineOf, locateJsonPaths } from './lib/json-locate';
export { NAME_LIMITS, Naming, SUFFIX_PATTERN, type NamedKind } from './lib/naming';
export * from './lib/organisation';
export {
  CONFIG_VARIABLES,
  EXAMPLE_ORGANISATION_PATH,
  Organisation,
  OrganisationConfigError,
  loadOrganisation,
  type AccountTarget,
  type EnvironmentContext,
  type LoadOptions,
  type LocatedIssue,
  type StateBackendTarget,
} from './lib/organisation-model';
export * from './lib/settings';
export { collectIssues, effectiveSettings, nameBudgetProblems, tierOf, type ConfigIssue, type RuntimeInputs } from './lib/validate';
export { exampleOrganisationInput } from './lib/test-fixtures';
export { snapshotIdentifierFor } from './lib/cutover';
export { organisationJsonSchema, organisationSchema, environmentSettingsSchema, schemaIssues, type SchemaIssue } from './lib/schema';
export { ORGANISATION_SCHEMA_COMMAND, ORGANISATION_SCHEMA_PATH, renderOrganisationSchema } from './lib/schema-file';
export { formatOf, parseSource, type ConfigFormat, type ParsedSource, type Position, type SourceProblem } from './lib/source';
export { awsRegions, supportedRegionNames, SUPPORTED_PARTITION, type AwsRegion } from './lib/aws-regions';
export {
  AZ_SLOTS,
  MAX_AZS,
  MIN_AZS,
  SMALLEST_PUBLIC_SUBNET_PREFIX,
  SMALLEST_SUBNET_PREFIX,
  SUBNET_TIERS,
  defaultSubnetPrefixes,
  planSubnets,
  subnetPlanProblems,
  type SubnetPlan,
  type SubnetPrefixes,
  type SubnetTier,
} from './lib/subnet-plan';
