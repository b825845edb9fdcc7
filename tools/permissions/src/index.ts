// The permission-sufficiency check: every call the stacks, the runner, the driver and the integration
// checks make, simulated with @cloud-copilot/iam-simulate against the roles the stacks define.
export { RESOURCE_ACTIONS, PHASES, type Call, type Phase, type TypeEntry } from './resource-actions';
export { COMMAND_PERMISSIONS, CALLING_PROJECTS, commandKey, findCommands, type CommandPermission, type FoundCommand, type Sender } from './commands';
export { estateOf, simulate, stackRequests, concreteRequests, type Decision, type Estate, type Request } from './check';
export { checkApp, commandRequests, factsOf, trustRequests, type CheckInput, type PermissionReport } from './run';
export { APPS, readSynthesized, synthesizeApps, type SynthStack } from './synthesized';
