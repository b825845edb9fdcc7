// The deploy driver: synth, stack order, terraform init/plan/apply/destroy, outputs, preflight.
export {
  APPS,
  confirmationProblems,
  runDriver,
  type Action,
  type AppName,
  type DriverOptions,
  type DriverResult,
  type StackResult,
} from './driver';
export { flattenOutputs, writeOutputs, type TerraformOutputs } from './outputs';
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
