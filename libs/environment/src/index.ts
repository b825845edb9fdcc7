export { EnvironmentStacks, type EnvironmentStacksProps } from './lib/environment-stacks';
export { NetworkStack, type EnvironmentStackProps } from './lib/network-stack';
