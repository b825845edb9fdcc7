/**
 * Writes docs/migration-plan.md from the organisation model and the Nx project graph,
 * or with --check exits 1 when the committed file differs from what would be written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrganisation } from '@estate/config';
import { listStacks } from './app-stacks';
import { renderMigrationPlan, PLAN_PATH } from './migration-plan';
import { readAppOrder } from './project-order';

export const workspaceRoot = join(__dirname, '..', '..', '..');

/** The plan as the generator would write it now. */
export async function generatePlan(root = workspaceRoot): Promise<string> {
  // The plan describes the real environments, never a preview copy.
  const organisation = loadOrganisation({ env: { ...process.env, ENVIRONMENT_SUFFIX: '' } });
  const apps = (await readAppOrder()).map((app) => ({ app, stacks: listStacks(root, app, organisation) }));
  return renderMigrationPlan(organisation, apps);
}

/** First differing line, for the --check message. */
export function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  generated: ${a[i] ?? '(end of file)'}\n  committed: ${b[i] ?? '(end of file)'}`;
  }
  return 'no difference';
}

const USAGE = 'usage: generate.ts [--check] (as `npx nx run plan-doc:migration-plan` or `plan-doc:migration-plan-check`; --help)';
const HELP = `Writes ${PLAN_PATH} from the organisation model and the Nx project graph.

${USAGE}

Options:
  --check  write nothing; exit 1 when the committed file differs from what would be written
  --help   print this help and exit (writes nothing)

Exit codes: 0 written or up to date, 1 stale (--check) or failed, 2 bad arguments.`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return;
  }
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`migration-plan: unknown argument ${unknown.join(', ')}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const check = args.includes('--check');
  const path = join(workspaceRoot, PLAN_PATH);
  const plan = await generatePlan();
  if (check) {
    const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (committed !== plan) {
      console.error(`${PLAN_PATH} is stale: run \`npx nx run plan-doc:migration-plan\` and commit the result.\nFirst difference at ${firstDifference(plan, committed)}`);
      process.exitCode = 1;
      return;
    }
    console.log(`${PLAN_PATH} is up to date`);
    return;
  }
  writeFileSync(path, plan);
  console.log(`wrote ${PLAN_PATH} (${plan.split('\n').length} lines)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
