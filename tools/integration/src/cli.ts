/**
 * `nx run <app>:integration` lands here: `cli.ts <dev|staging|prod>`.
 *
 * Reads apps/<app>/cfn-outputs/flat-outputs.json (written by the deploy driver), assumes the
 * environment's deploy role from the ops credentials in the environment, checks the live
 * environment and prints a pass/fail table. Exit 0 only when every check passed.
 * ENVIRONMENT_SUFFIX selects a preview copy, exactly as for deploy.
 */
import { join } from 'node:path';
import { OrganisationConfigError } from '@estate/config';
import { PreflightError } from '@estate/deploy';
import { runIntegration } from './verify';

const USAGE = 'usage: integration <dev|staging|prod> (as `npx nx run <app>:integration`; ENVIRONMENT_SUFFIX=pr42 for a preview; --help)';
const HELP = `Checks a deployed environment live and prints a pass/fail table.

${USAGE}

Reads apps/<app>/cfn-outputs/flat-outputs.json (written by deploy), assumes the environment's
deploy role from the ops credentials in the environment, and changes nothing.

Options:
  --help   print this help and exit

Environment: ORG_CONFIG, ENVIRONMENT_SUFFIX (a preview copy), AWS credentials for the ops account.
Exit codes: 0 every check passed, 1 a check failed or the checks could not run, 2 bad arguments.`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return;
  }
  const unknown = args.filter((a) => a.startsWith('-'));
  if (unknown.length > 0 || args.length !== 1) {
    console.error(`integration: ${unknown.length > 0 ? `unknown option ${unknown.join(', ')}` : `expected one app, got ${args.length}`}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await runIntegration({ app: args[0], workspaceRoot: join(__dirname, '..', '..', '..') });
}

main().catch((error: unknown) => {
  const known = error instanceof PreflightError || error instanceof OrganisationConfigError;
  console.error(`\n${known ? '' : 'integration checks crashed: '}${(error as Error).message}`);
  process.exitCode = 1;
});
