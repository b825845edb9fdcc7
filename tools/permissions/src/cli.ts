import { join } from 'node:path';
import { loadOrganisation, OrganisationConfigError } from '@estate/config';
import { checkApp } from './run';
import { formatReport, summarise } from './report';
import { APPS, synthesizeApps } from './synthesized';

const USAGE = `usage: permissions <app> [--json]

Simulates, with @cloud-copilot/iam-simulate, every IAM request applying and planning the
app's stacks makes (create, read, update, tag, delete of every resource and data source,
the S3 backend, remote state), and for an environment every AWS SDK command the runner,
the deploy driver and the integration checks send, against the role that makes it:
identity policies and permissions boundary as the stacks synthesize them, the resource
policies they define, and the request context. Read-only: nothing is deployed or written.

  <app>    one of ${APPS.join(', ')}
  --json   print the decisions as JSON
  --help   this text

Exit codes: 0 every request allowed; 1 a request denied or a table gap; 2 bad usage.
Environment: ORG_CONFIG (default: libs/config/organisation.example.json).`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--json');
  const apps = argv.filter((a) => !a.startsWith('-'));
  if (unknown.length || apps.length !== 1 || !(APPS as readonly string[]).includes(apps[0])) {
    console.error(unknown.length ? `unknown flag ${unknown.join(', ')}` : `expected one app, got '${apps.join(' ')}'`);
    console.error(USAGE.split('\n')[0]);
    return 2;
  }
  const app = apps[0];
  const workspaceRoot = join(__dirname, '..', '..', '..');
  const organisation = loadOrganisation({ env: { ...process.env, ORG_CONFIG: process.env['ORG_CONFIG'] || join(workspaceRoot, 'libs', 'config', 'organisation.example.json') } });
  const deploy = synthesizeApps(workspaceRoot, 'deploy', APPS, organisation);
  const plan = synthesizeApps(workspaceRoot, 'plan', APPS, organisation);
  const report = await checkApp(app, { organisation, workspaceRoot, deploy, plan });
  const names = Object.fromEntries((['legacy', 'ops', 'dev', 'staging', 'prod'] as const).map((a) => [organisation.accountId(a), a]));
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ app, summary: summarise(report.decisions, names), denied: report.decisions.filter((d) => !d.allowed), problems: report.problems, notSimulated: report.notSimulated, assumptions: report.assumptions, drift: Object.fromEntries(report.drift) }, null, 2));
  } else {
    console.log(formatReport(report, names));
  }
  return report.decisions.some((d) => !d.allowed) || report.problems.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error instanceof OrganisationConfigError ? error.message : (error as Error).stack ?? String(error));
    process.exitCode = 1;
  },
);
