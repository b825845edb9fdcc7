import type { App } from 'cdktf';
import type { Organisation } from '@estate/config';
import { EnvironmentStacks } from '@estate/environment';

/** The staging account's stacks (a preview copy of staging when ENVIRONMENT_SUFFIX is set). */
export function buildStagingApp(app: App, organisation: Organisation): EnvironmentStacks {
  return new EnvironmentStacks(app, { environment: organisation.environment('staging'), organisation });
}
