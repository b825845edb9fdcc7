export { BaseStack, PermissionsBoundaryAspect, ROLE_MODE_CONTEXT, roleModeFrom, type BaseStackProps, type RoleMode } from './lib/base-stack';
export { runApp, summarise, synthesizeApp, type AppBuilder, type SynthOptions, type SynthSummary } from './lib/synth-app';
export { synthesizeAll, taggableResources, untaggedResources, type SynthesizedStack, type TaggableResourceJson } from './lib/testing';
