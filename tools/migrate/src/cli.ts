/**
 * The migration runner.
 *
 *   migrate.ts --environment dev [--resume] [--dry-run] [--confirm-prod]   run (or continue) the migration
 *   migrate.ts rollback --environment dev                                   undo recorded steps, latest first
 *   migrate.ts status --environment dev                                     print the ledger as a table
 *
 * Options: --lease-minutes N (5), --shift-wait-seconds N, --poll-seconds N (30),
 * --ledger-table NAME (ops-migration-ledger). See docs/runbook.md.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { minimist } from 'zx';
import { loadOrganisation, type Organisation } from '@estate/config';
import { PreflightError } from '@estate/deploy';
import { awsPorts, createClients } from './aws-ports';
import { describeSteps, rollbackMigration, runMigration, StepFailedError } from './engine';
import { Ledger } from './ledger';
import { formatStatus } from './status';
import { buildMigrationSteps, inertPorts } from './steps';

const workspaceRoot = join(__dirname, '..', '..', '..');

/** The ledger table in the ops account, named as libs/data MigrationLedger names it. */
export function ledgerTableName(organisation: Organisation): string {
  return organisation.account('ops').naming.resource('dynamodb-table', 'migration-ledger');
}

async function main(argv: string[]): Promise<void> {
  const args = minimist(argv, {
    string: ['environment', 'ledger-table', 'lease-minutes', 'shift-wait-seconds', 'poll-seconds'],
    boolean: ['resume', 'dry-run', 'confirm-prod', 'help'],
    // `--env` works when run directly; through Nx use `--environment` (Nx keeps `--env` for itself).
    alias: { environment: ['env', 'e'] },
  });
  const command = (args._[0] as string | undefined) ?? 'run';
  if (args['help'] || !['run', 'rollback', 'status'].includes(command) || !args['environment']) {
    console.log('usage: migrate.ts [run|rollback|status] --environment <dev|staging|prod> [--resume] [--dry-run] [--confirm-prod]');
    process.exitCode = args['help'] ? 0 : 2;
    return;
  }
  const organisation = loadOrganisation();
  const environment = organisation.environment(String(args['environment']));
  if (environment.name === 'prod' && command !== 'status' && !args['dry-run'] && !args['confirm-prod']) {
    throw new PreflightError([`${command} of prod changes the prod account (${environment.accountId}): add --confirm-prod`]);
  }
  const numberArg = (name: string) => (args[name] === undefined ? undefined : Number(args[name]));
  const stepOptions = { shiftWaitSeconds: numberArg('shift-wait-seconds'), pollSeconds: numberArg('poll-seconds') };

  if (args['dry-run']) {
    const steps = buildMigrationSteps(organisation, environment, inertPorts(), stepOptions);
    console.log(`# ${command === 'rollback' ? 'Rollback' : 'Migration'} of ${environment.naming.qualifier} (dry run: nothing is touched)`);
    const lines = describeSteps(command === 'rollback' ? [...steps].reverse() : steps);
    console.log(lines.join('\n'));
    return;
  }

  const ledger = new Ledger({
    client: new DynamoDBClient({ region: organisation.region }),
    tableName: String(args['ledger-table'] ?? ledgerTableName(organisation)),
    environment: environment.naming.qualifier,
  });
  if (command === 'status') {
    console.log(formatStatus(environment.naming.qualifier, await ledger.steps(), await ledger.readLease(), Date.now()));
    return;
  }

  const identity = await new STSClient({ region: organisation.region }).send(new GetCallerIdentityCommand({}));
  const operator = identity.Arn ?? 'unknown';
  const owner = `${operator.split('/').pop()}@${hostname()}#${process.pid}-${randomUUID().slice(0, 8)}`;
  const ports = awsPorts(organisation, environment, createClients(organisation, environment), { workspaceRoot, confirmProd: Boolean(args['confirm-prod']) });
  const steps = buildMigrationSteps(organisation, environment, ports, stepOptions);
  const engine = { ledger, steps, owner, operator, resume: Boolean(args['resume']), leaseMs: (numberArg('lease-minutes') ?? 5) * 60_000 };
  if (command === 'rollback') {
    const result = await rollbackMigration(engine);
    console.log(`rolled back ${environment.naming.qualifier}: undid ${result.undone.join(', ') || 'nothing'}; ${result.noOp.length} step(s) had nothing to undo`);
  } else {
    const result = await runMigration(engine);
    console.log(`migration of ${environment.naming.qualifier} complete: ran ${result.ran.length} step(s), ${result.skipped.length} already done`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof StepFailedError) {
      console.error(`\n${error.message}\nThe ledger records it as failed. Fix the cause and run again with --resume, or undo with \`rollback\` (docs/runbook.md).`);
    } else {
      console.error(`\n${(error as Error).message ?? String(error)}`);
    }
    process.exitCode = 1;
  });
}
