import type { App } from 'cdktf';
import type { Organisation } from '@estate/config';
import { STATE_ACCOUNTS } from '@estate/iam';
import type { BaseStack } from '@estate/platform';
import { AccountBootstrapStack } from './account-bootstrap-stack';
import { bootstrapBackend } from './backend-choice';
import { LegacyBootstrapStack } from './legacy-bootstrap-stack';

/**
 * One bootstrap stack per account that keeps state (ops, dev, staging, prod: state
 * backend, boundary, deploy and plan roles) and one for legacy (the migration role).
 * `BOOTSTRAP_BACKEND=local` keeps their state in local files for the first run.
 */
export function buildBootstrapApp(app: App, organisation: Organisation, env: NodeJS.ProcessEnv = process.env): BaseStack[] {
  const backend = bootstrapBackend(env);
  const accounts = STATE_ACCOUNTS.map((account) => new AccountBootstrapStack(app, { organisation, account, backend }));
  const legacy = new LegacyBootstrapStack(app, { organisation, backend });
  // Legacy last: its state lives in the ops bucket and its role trusts the environment deploy roles.
  for (const stack of accounts) legacy.addDependency(stack);
  return [...accounts, legacy];
}
