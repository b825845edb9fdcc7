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

async function main(): Promise<void> {
  const app = process.argv[2];
  if (!app || process.argv.length > 3) throw new PreflightError(['usage: integration <dev|staging|prod> (ENVIRONMENT_SUFFIX=pr42 for a preview)']);
  process.exitCode = await runIntegration({ app, workspaceRoot: join(__dirname, '..', '..', '..') });
}

main().catch((error: unknown) => {
  const known = error instanceof PreflightError || error instanceof OrganisationConfigError;
  console.error(`\n${known ? '' : 'integration checks crashed: '}${(error as Error).message}`);
  process.exitCode = 1;
});
