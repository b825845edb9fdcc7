import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import type { Organisation } from '@estate/config';
import { orderStacks } from '@estate/deploy';
import type { AppNode } from './project-order';

export interface PlannedStack {
  readonly name: string;
  /** Account role the stack deploys into (`ops`, `dev`, ...). */
  readonly account: string;
  readonly accountId: string;
  readonly dependsOn: readonly string[];
}

/**
 * The stacks of an app in dependency order, from the app's own builder (the `build*App`
 * function its `src/app.ts` exports, the one its main.ts synthesizes) run in memory
 * without synthesizing. The app is loaded by the path the project graph gives, the way
 * the deploy driver runs it, so tools keep no static import of an app.
 */
export function listStacks(workspaceRoot: string, app: AppNode, organisation: Organisation): PlannedStack[] {
  const modulePath = join(workspaceRoot, app.sourceRoot, 'app');
  const exports = require(modulePath) as Record<string, unknown>;
  const builders = Object.entries(exports).filter(([name, value]) => /^build\w*App$/.test(name) && typeof value === 'function');
  if (builders.length !== 1) {
    throw new Error(`${modulePath}.ts must export exactly one build*App(app, organisation) function; found ${builders.map(([n]) => n).join(', ') || 'none'}`);
  }
  const cdkApp = new App({ outdir: join(workspaceRoot, 'tmp', 'migration-plan'), skipValidation: true });
  (builders[0][1] as (app: App, organisation: Organisation) => void)(cdkApp, organisation);
  const stacks = cdkApp.node.findAll().filter(TerraformStack.isStack);
  const ordered = orderStacks(
    stacks.map((s) => ({ name: s.node.id, workingDirectory: '', synthesizedStackPath: '', dependencies: s.dependencies.map((d) => d.node.id).sort() })),
  );
  return ordered.map((entry) => {
    const stack = stacks.find((s) => s.node.id === entry.name) as TerraformStack & { target?: { role: string; accountId: string } };
    return { name: entry.name, account: stack.target?.role ?? 'unknown', accountId: stack.target?.accountId ?? '', dependsOn: entry.dependencies };
  });
}
