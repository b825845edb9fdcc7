import type { App } from 'cdktf';
import type { Organisation } from '@estate/config';
import { BaseStack } from '@estate/platform';

/** The ops account's stacks. */
export function buildOpsApp(app: App, organisation: Organisation): BaseStack[] {
  const target = organisation.account('ops');
  return [new BaseStack(app, 'shared', { target, organisation })];
}
