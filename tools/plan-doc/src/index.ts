// The generated migration plan (docs/migration-plan.md).
export { firstDifference, generatePlan } from './generate';
export { PLAN_PATH, renderMigrationPlan, type PlannedApp } from './migration-plan';
export { listStacks, type PlannedStack } from './app-stacks';
export { orderApps, readAppOrder, type AppNode } from './project-order';
