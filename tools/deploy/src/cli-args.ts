import { DEFAULT_PARALLELISM, type Action, type DriverOptions } from './driver';

export const ACTIONS: readonly Action[] = ['plan', 'deploy', 'destroy', 'drift'];

export const USAGE =
  'usage: npx nx run <app>:<plan|deploy|destroy|drift> -- [--dry-run] [--only] [--stack <name>] [--approve] [--confirm-prod] [--image-tag <tag>] [--parallelism <n>] [--json] [--markdown <file>] [--plan-role] [--help]';

export const HELP = `Plans, deploys, destroys or checks for drift one app's Terraform stacks, and the apps it
depends on, with real terraform: plan every stack first (saved plans), one summary, one approval,
then apply exactly those plans in parallel waves.

${USAGE}
  (directly: tsx tools/deploy/src/cli.ts <action> <app> [options])

Actions:
  plan      plan the app and the apps it depends on; print the summary. Changes nothing.
  deploy    plan them all, show the summary, ask (or --approve), apply the saved plans in waves,
            write apps/<app>/cfn-outputs/ (no sensitive values)
  destroy   plan -destroy for the app alone; apply in reverse order (needs --confirm-destroy=<app>
            unless ENVIRONMENT_SUFFIX names a preview)
  drift     plan -refresh-only for the app alone: what changed outside Terraform. Changes nothing.

Apps: backend-bootstrap, ops, dev, staging, prod. Each depends on what the organisation model says:
backend-bootstrap -> ops -> each environment; an environment that owns a peering after its peer
(staging after dev in the example). prod does not pull in staging or dev.

Options:
  --dry-run                 list every stack (in waves) and every terraform command; runs nothing,
                            writes nothing, needs no credentials
  --only                    this app alone, not the apps it depends on
  --stack <name>            only this stack of the app (repeatable; full name or unit such as
                            network); implies --only
  --approve                 apply without asking (CI). Without it, deploy and destroy ask on a
                            terminal and refuse to start elsewhere
  --confirm-prod            required when the run touches the prod account; checked first
  --confirm-destroy=<app>   required to destroy a non-preview app
  --image-tag <tag>         the services' image tag (TF_VAR_image_tag); required by stacks that run it
  --parallelism <n>         stacks planned or applied at once, 1-32 (default ${DEFAULT_PARALLELISM})
  --lock-timeout <d>        how long terraform waits for a held state lock (default 5m)
  --json                    print the plan summary as JSON on stdout (everything else on stderr)
  --markdown <file>         also write the summary as Markdown (a pull-request comment); parts beyond
                            GitHub's limit go to <file>.2, <file>.3, ...
  --plan-role               plan/drift only: synthesize and plan with the read-only plan roles
                            (ESTATE_ROLE=plan), as pull requests do
  --bootstrap-initial       backend-bootstrap's first deploy: local state, then pushed into the
                            buckets it created
  --help                    print this help and exit

Exit codes (terraform's -detailed-exitcode):
  plan, drift     0 no changes, 2 changes (drift: something changed outside Terraform), 1 error
  deploy, destroy 0 done or nothing to do, 1 error or not approved, 3 stopped because a re-plan
                  differs from what was approved (run again to review it), 130 interrupted
  Ctrl-C once stops starting stacks and lets running ones finish; twice interrupts terraform.

Environment: ORG_CONFIG, ENVIRONMENT_SUFFIX (a preview copy), TEAM, COST_CENTER, TERRAFORM_BINARY,
AWS credentials for the ops account, NO_COLOR.`;

export interface CliOptions {
  readonly help: boolean;
  readonly json: boolean;
  readonly markdown?: string;
  readonly driver: Omit<DriverOptions, 'workspaceRoot'>;
}

/** A command-line mistake: printed with the usage line, exit 1 (terraform's code for usage errors). */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

type Kind = 'flag' | 'value' | 'multi';
const OPTIONS: Record<string, Kind> = {
  'dry-run': 'flag',
  only: 'flag',
  stack: 'multi',
  approve: 'flag',
  'confirm-prod': 'flag',
  'confirm-destroy': 'value',
  'image-tag': 'value',
  parallelism: 'value',
  'lock-timeout': 'value',
  json: 'flag',
  markdown: 'value',
  'plan-role': 'flag',
  'bootstrap-initial': 'flag',
  help: 'flag',
};

/**
 * Parses the driver's arguments strictly: unknown options, values given to flags (other
 * than Nx's `=true`/`=false`), missing values and bad numbers are errors.
 */
export function parseCli(argv: readonly string[]): CliOptions {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true, json: false, driver: { action: 'plan', app: '' } };
  const flags = new Map<string, boolean>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const kind = OPTIONS[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        throw new UsageError(`--${name} is a flag and takes no value (Nx may pass =true or =false); got '${inline}'`);
      }
      flags.set(name, inline !== 'false');
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      i++;
    }
    if (value === '') throw new UsageError(`--${name} needs a non-empty value`);
    if (kind === 'value' && values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const one = (name: string) => values.get(name)?.[0];
  const [action, app, ...extra] = positionals;
  if (!action || !ACTIONS.includes(action as Action)) throw new UsageError(`expected an action (${ACTIONS.join(', ')}), got '${action ?? ''}'`);
  if (!app) throw new UsageError(`${action}: expected an app`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra.join(' ')}`);
  let parallelism: number | undefined;
  const rawParallelism = one('parallelism');
  if (rawParallelism !== undefined) {
    parallelism = /^\d+$/.test(rawParallelism) ? Number(rawParallelism) : NaN;
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 32) throw new UsageError(`--parallelism must be a whole number from 1 to 32, got '${rawParallelism}'`);
  }
  const lockTimeout = one('lock-timeout');
  if (lockTimeout !== undefined && !/^\d+(ms|s|m|h)$/.test(lockTimeout)) throw new UsageError(`--lock-timeout must be a duration such as 30s or 5m, got '${lockTimeout}'`);
  const planRole = flags.get('plan-role') === true;
  if (planRole && action !== 'plan' && action !== 'drift') throw new UsageError(`--plan-role is for plan and drift; ${action} needs the deploy role`);
  if (flags.get('approve') && action !== 'deploy' && action !== 'destroy') throw new UsageError(`--approve is for deploy and destroy; ${action} changes nothing`);
  return {
    help: false,
    json: flags.get('json') === true,
    markdown: one('markdown'),
    driver: {
      action: action as Action,
      app,
      stacks: values.get('stack'),
      confirmProd: flags.get('confirm-prod') === true,
      confirmDestroy: one('confirm-destroy'),
      bootstrapInitial: flags.get('bootstrap-initial') === true,
      dryRun: flags.get('dry-run') === true,
      withUpstream: flags.get('only') !== true,
      approve: flags.get('approve') === true ? true : undefined,
      imageTag: one('image-tag'),
      parallelism,
      lockTimeout,
      planRole,
    },
  };
}
