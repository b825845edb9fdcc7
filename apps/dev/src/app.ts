import type { App } from 'cdktf';
import type { Organisation } from '@estate/config';
import { EnvironmentStacks } from '@estate/environment';

/** The dev account's stacks (a preview copy of dev when ENVIRONMENT_SUFFIX is set). */
export function buildDevApp(app: App, organisation: Organisation): EnvironmentStacks {
  return new EnvironmentStacks(app, { environment: organisation.environment('dev'), organisation });
}
