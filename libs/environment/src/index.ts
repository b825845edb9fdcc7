export { AppStack, type AppStackProps } from './lib/app-stack';
export { CutoverStack, type CutoverStackProps } from './lib/cutover-stack';
export { DataStack, type DataStackProps } from './lib/data-stack';
export { EnvironmentStacks } from './lib/environment-stacks';
export { NetworkStack } from './lib/network-stack';
export { ObservabilityStack, type ObservabilityStackProps } from './lib/observability-stack';
export { PeeringStack, type PeeringStackProps } from './lib/peering-stack';
export type { EnvironmentStackProps } from './lib/stack-props';
