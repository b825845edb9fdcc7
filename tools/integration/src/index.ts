// Checks of a live environment from its deploy outputs (behind `nx run <app>:integration`).
export { runIntegration, verifyEnvironment, type IntegrationOptions, type VerifyDeps, type VerifyTarget } from './verify';
export { OUTPUT_NAMES, readFlatOutputs, resolveOutputs, type FlatOutputs } from './outputs';
export { exitCodeFor, formatTable } from './report';
export type { CheckRow } from './types';
