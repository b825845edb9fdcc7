import type { App } from 'cdktf';
import type { Organisation } from '@estate/config';
import { BaseStack } from '@estate/platform';

/** One bootstrap stack per account that keeps state: ops, dev, staging, prod. */
export function buildBootstrapApp(app: App, organisation: Organisation): BaseStack[] {
  return (['ops', 'dev', 'staging', 'prod'] as const).map(
    (role) => new BaseStack(app, 'bootstrap', { target: organisation.account(role), organisation }),
  );
}
