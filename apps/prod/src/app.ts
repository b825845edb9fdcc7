import type { App } from 'cdktf';
import type { Organisation } from '@estate/config';
import { EnvironmentStacks } from '@estate/environment';

/** The prod account's stacks (a preview copy of prod when ENVIRONMENT_SUFFIX is set). */
export function buildProdApp(app: App, organisation: Organisation): EnvironmentStacks {
  return new EnvironmentStacks(app, { environment: organisation.environment('prod'), organisation });
}
