// The deploy driver: app graph, synth, stack order, plan summary, terraform plan/apply in waves, outputs, preflight.
export { APPS, appDependencies, appsFor, isApp, type AppName } from './app-graph';
export {
  awsAccountsOf,
  confirmationProblems,
  DEFAULT_PARALLELISM,
  DriverError,
  missingVariables,
  runDriver,
  wavesOf,
  type Action,
  type DriverOptions,
  type DriverResult,
  type StackJson,
  type StackResult,
  type StackStatus,
} from './driver';
export { flattenOutputs, redactSensitive, writeOutputs, type TerraformOutputs } from './outputs';
export {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  planExitCode,
  renderJson,
  renderMarkdown,
  renderText,
  sameChanges,
  STATEFUL_TYPES,
  summarizePlan,
  totals,
  type PlanJson,
  type PlanSummary,
  type ResourceChange,
  type StackPlan,
  type StackPlanStatus,
} from './plan-summary';
export {
  checkCredentials,
  compareVersions,
  describeCredentialSources,
  findOnPath,
  locateTerraform,
  MINIMUM_TERRAFORM,
  PreflightError,
  type TerraformBinary,
} from './preflight';
export { orderStacks, readManifest, selectStacks, type ManifestStack } from './stack-order';
export { runWaves, type WaveNode, type WaveOutcome } from './waves';
