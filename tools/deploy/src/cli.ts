/**
 * `nx run <app>:plan|deploy|destroy [-- options]` lands here.
 *
 *   --stack <name>          only this stack (repeatable; full name or unit such as `network`)
 *   --confirm-prod          required for any change to the prod account
 *   --confirm-destroy=<app> required to destroy a non-preview app
 *   --bootstrap-initial     backend-bootstrap's first run: local state, then pushed into the new buckets
 *   --dry-run               print the Terraform commands without running them (no credentials needed)
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { OrganisationConfigError } from '@estate/config';
import { PreflightError } from './preflight';
import { runDriver, type Action } from './driver';

const ACTIONS: readonly Action[] = ['plan', 'deploy', 'destroy'];

function truthy(value: string | boolean | undefined): boolean {
  return value === true || value === 'true' || value === '';
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      stack: { type: 'string', multiple: true },
      'confirm-prod': { type: 'string' },
      'confirm-destroy': { type: 'string' },
      'bootstrap-initial': { type: 'string' },
      'dry-run': { type: 'string' },
    },
    // Nx forwards flags as `--flag` or `--flag=true`; accept both by parsing flags as strings.
    args: process.argv.slice(2).map((arg) => (/^--(confirm-prod|bootstrap-initial|dry-run)$/.test(arg) ? `${arg}=true` : arg)),
  });
  const [action, app] = positionals;
  if (!ACTIONS.includes(action as Action) || !app) {
    throw new PreflightError([`usage: stack-driver <${ACTIONS.join('|')}> <app> [--stack s] [--confirm-prod] [--confirm-destroy=<app>] [--dry-run]`]);
  }
  const result = await runDriver({
    action: action as Action,
    app,
    workspaceRoot: join(__dirname, '..', '..', '..'),
    stacks: values.stack,
    confirmProd: truthy(values['confirm-prod']),
    confirmDestroy: values['confirm-destroy'],
    bootstrapInitial: truthy(values['bootstrap-initial']),
    dryRun: truthy(values['dry-run']),
  });
  console.log(`\n${action} ${app}: ${result.stacks.map((s) => `${s.stack} ${s.status}`).join(', ') || `${result.commands.length} commands listed`}`);
}

main().catch((error: unknown) => {
  if (error instanceof PreflightError || error instanceof OrganisationConfigError) {
    console.error(`\n${error.message}`);
  } else {
    console.error(`\n${(error as Error).message}`);
  }
  process.exitCode = 1;
});
