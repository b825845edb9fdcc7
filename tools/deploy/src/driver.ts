import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { loadOrganisation, type Organisation } from '@estate/config';
import { writeOutputs, type TerraformOutputs } from './outputs';
import { checkCredentials, locateTerraform, PreflightError, type TerraformBinary } from './preflight';
import { orderStacks, readManifest, selectStacks, type ManifestStack } from './stack-order';

export type Action = 'plan' | 'deploy' | 'destroy';

/** The apps in deploy order; Nx encodes the same order with implicitDependencies. */
export const APPS = ['backend-bootstrap', 'ops', 'dev', 'staging', 'prod'] as const;
export type AppName = (typeof APPS)[number];

export interface DriverOptions {
  readonly action: Action;
  /** Nx project name of the app. */
  readonly app: string;
  readonly workspaceRoot: string;
  /** Where the app is synthesized. @default apps/<app>/cdktf.out */
  readonly outdir?: string;
  /** Only these stacks (full name or unit, e.g. `network`). @default - every stack of the app */
  readonly stacks?: readonly string[];
  /** Required to deploy or destroy anything in the prod account. */
  readonly confirmProd?: boolean;
  /** Required to destroy a non-preview app: must equal the app name (`--confirm-destroy=dev`). */
  readonly confirmDestroy?: string;
  /** backend-bootstrap only: first run with local state, then push it into the new buckets. */
  readonly bootstrapInitial?: boolean;
  /** Print every command instead of running Terraform; needs no credentials. */
  readonly dryRun?: boolean;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default console.log */
  readonly log?: (line: string) => void;
}

export interface StackResult {
  readonly stack: string;
  /** `unchanged`: a prod-account stack whose plan had no changes, skipped without --confirm-prod. */
  readonly status: 'applied' | 'planned' | 'destroyed' | 'unchanged';
}

export interface DriverResult {
  readonly stacks: readonly StackResult[];
  /** Commands in the order they ran (or would run, with dryRun). */
  readonly commands: readonly string[];
  readonly outputsFile?: string;
}

function isApp(name: string): name is AppName {
  return (APPS as readonly string[]).includes(name);
}

/** Account ids a synthesized stack's providers are pinned to. */
function stackAccounts(outdir: string, stack: ManifestStack): string[] {
  const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8')) as {
    provider?: { aws?: { allowed_account_ids?: string[] }[] };
  };
  return (json.provider?.aws ?? []).flatMap((p) => p.allowed_account_ids ?? []);
}

/** Confirmations that protect prod and non-preview environments; each missing one is a problem. */
export function confirmationProblems(
  options: Pick<DriverOptions, 'action' | 'app' | 'confirmProd' | 'confirmDestroy'>,
  organisation: Organisation,
  touchesProd: boolean,
): string[] {
  if (options.action === 'plan') return [];
  const problems: string[] = [];
  const preview = organisation.suffix !== undefined && ['dev', 'staging', 'prod'].includes(options.app);
  if (touchesProd && !options.confirmProd) {
    problems.push(`${options.action} of ${options.app} changes the prod account (${organisation.accountId('prod')}): add --confirm-prod`);
  }
  if (options.action === 'destroy' && !preview && options.confirmDestroy !== options.app) {
    problems.push(
      `destroy of ${options.app} (not a preview) deletes live infrastructure: add --confirm-destroy=${options.app}` +
        (options.app === 'prod' ? ' as well as --confirm-prod' : ''),
    );
  }
  return problems;
}

/**
 * Synthesizes one app and runs Terraform over its stacks in dependency order:
 * `init`, `plan -out`, then `apply` of exactly that plan (deploy), or the same with
 * `-destroy` in reverse order (destroy). Everything that can be checked is checked
 * before the first Terraform command: tools, credentials, confirmations, synth.
 * After a deploy, every stack's outputs go to `apps/<app>/cfn-outputs/`.
 */
export async function runDriver(options: DriverOptions): Promise<DriverResult> {
  const env = { ...(options.env ?? process.env) };
  const log = options.log ?? ((line: string) => console.log(line));
  if (!isApp(options.app)) {
    throw new PreflightError([`unknown app '${options.app}': expected one of ${APPS.join(', ')}`]);
  }
  if (options.bootstrapInitial && (options.app !== 'backend-bootstrap' || options.action !== 'deploy')) {
    throw new PreflightError(['--bootstrap-initial applies only to `backend-bootstrap` deploy']);
  }
  const appRoot = join(options.workspaceRoot, 'apps', options.app);
  const outdir = options.outdir ?? join(appRoot, 'cdktf.out');
  const organisation = loadOrganisation({ env });

  // 1. Everything checkable before synth, reported together.
  const problems = confirmationProblems(options, organisation, options.app === 'prod');
  let terraform: TerraformBinary | undefined;
  if (!options.dryRun) {
    const located = locateTerraform(env);
    if (typeof located === 'string') problems.push(located);
    else terraform = located;
    const credentials = await checkCredentials(env);
    if (typeof credentials === 'string') problems.push(credentials);
    else log(`AWS identity: ${credentials.arn}`);
  }
  if (problems.length > 0) throw new PreflightError(problems);

  // 2. Synth (offline) with the backend this run needs.
  const synthEnv = { ...env, BOOTSTRAP_BACKEND: options.bootstrapInitial ? 'local' : env['BOOTSTRAP_BACKEND'] };
  await synth(options, { ...synthEnv, ESTATE_SYNTH_OUTDIR: outdir }, log);
  const ordered = orderStacks(readManifest(outdir));
  const selected = new Set(selectStacks(ordered, options.stacks).map((s) => s.name));
  const stacks = ordered.filter((s) => selected.has(s.name));
  if (options.action === 'destroy') stacks.reverse();

  // 3. Terraform, stack by stack.
  const tf = terraform?.path ?? 'terraform';
  const tfEnv: NodeJS.ProcessEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  if (!tfEnv['TF_PLUGIN_CACHE_DIR']) {
    tfEnv['TF_PLUGIN_CACHE_DIR'] = join(homedir(), '.terraform.d', 'plugin-cache');
    if (!options.dryRun) mkdirSync(tfEnv['TF_PLUGIN_CACHE_DIR'], { recursive: true });
  }
  const commands: string[] = [];
  const results: StackResult[] = [];
  const outputs: Record<string, TerraformOutputs> = {};
  /** Runs terraform; exit codes outside `ok` stop the run, saying what finished before. */
  const run = async (cwd: string, args: string[], how: { capture?: boolean; ok?: number[] } = {}) => {
    const line = `(cd ${cwd.replace(`${options.workspaceRoot}/`, '')} && ${tf} ${args.join(' ')})`;
    commands.push(line);
    if (options.dryRun) {
      log(`would run: ${line}`);
      return { stdout: '{}', exitCode: 0 };
    }
    log(`$ ${line}`);
    const result = await $({ cwd, env: tfEnv, stdio: how.capture ? 'pipe' : 'inherit', nothrow: true })`${tf} ${args}`;
    if (!(how.ok ?? [0]).includes(result.exitCode ?? 1)) {
      const done = results.map((r) => `${r.stack} (${r.status})`).join(', ') || 'none';
      throw new Error(`${tf} ${args[0]} failed in ${cwd} (exit ${result.exitCode}). Completed before it: ${done}. Fix the error above and run the same command again: finished stacks are no-ops.`);
    }
    return { stdout: result.stdout, exitCode: result.exitCode ?? 0 };
  };
  const planArgs = () => {
    const args = ['plan', '-input=false', '-lock-timeout=5m', '-out=tfplan'];
    if (options.action === 'destroy') args.splice(1, 0, '-destroy');
    return args;
  };

  // 4. Stacks pinned to the prod account outside the prod app (backend-bootstrap's prod
  //    stack) need --confirm-prod to change anything. Without it they are planned first,
  //    all of them before anything is applied: unchanged ones are skipped, changed ones
  //    stop the run with nothing applied.
  const prodAccount = organisation.accountId('prod');
  const prodStacks = stacks.filter((s) => stackAccounts(outdir, s).includes(prodAccount));
  const unchangedProd = new Set<string>();
  if (options.action !== 'plan' && !options.confirmProd && prodStacks.length > 0) {
    if (options.action === 'destroy') throw new PreflightError(confirmationProblems(options, organisation, true));
    const changed: string[] = [];
    for (const stack of prodStacks) {
      const cwd = join(outdir, stack.workingDirectory);
      log(`\n== ${stack.name}: prod account, not confirmed: checking for changes`);
      await run(cwd, ['init', '-input=false', '-reconfigure']);
      const plan = await run(cwd, [...planArgs(), '-detailed-exitcode'], { ok: [0, 2] });
      if (plan.exitCode === 0 && !options.dryRun) unchangedProd.add(stack.name);
      else if (!options.dryRun) changed.push(stack.name);
      else log(`(${stack.name} is skipped when its plan has no changes; otherwise the run stops asking for --confirm-prod)`);
    }
    if (changed.length > 0) {
      throw new PreflightError([`${changed.join(', ')} would change the prod account (${prodAccount}): add --confirm-prod. Nothing has been applied.`]);
    }
  }

  for (const stack of stacks) {
    const cwd = join(outdir, stack.workingDirectory);
    if (unchangedProd.has(stack.name)) {
      results.push({ stack: stack.name, status: 'unchanged' });
      continue;
    }
    log(`\n== ${stack.name}: ${options.action}`);
    await run(cwd, ['init', '-input=false', '-reconfigure']);
    await run(cwd, planArgs());
    if (options.action === 'plan') {
      results.push({ stack: stack.name, status: 'planned' });
      continue;
    }
    await run(cwd, ['apply', '-input=false', '-lock-timeout=5m', 'tfplan']);
    if (options.action === 'deploy') {
      outputs[stack.name] = JSON.parse((await run(cwd, ['output', '-json'], { capture: true })).stdout) as TerraformOutputs;
      results.push({ stack: stack.name, status: 'applied' });
    } else {
      results.push({ stack: stack.name, status: 'destroyed' });
    }
  }

  // 5. First bootstrap: move the local state into the buckets this run created.
  if (options.bootstrapInitial) {
    await synth(options, { ...env, BOOTSTRAP_BACKEND: 's3', ESTATE_SYNTH_OUTDIR: outdir }, log);
    const stateDir = join(appRoot, '.state');
    for (const stack of stacks) {
      const cwd = join(outdir, stack.workingDirectory);
      const localState = join(stateDir, `${stack.name}.tfstate`);
      log(`\n== ${stack.name}: moving local state into its S3 backend`);
      await run(cwd, ['init', '-input=false', '-reconfigure']);
      await run(cwd, ['state', 'push', localState]);
      if (!options.dryRun) renameSync(localState, `${localState}.migrated`);
    }
  }

  let outputsFile: string | undefined;
  if (options.action === 'deploy' && !options.dryRun) {
    const dir = join(appRoot, 'cfn-outputs');
    outputsFile = writeOutputs(dir, { ...readExistingOutputs(dir, ordered), ...outputs });
    log(`outputs: ${outputsFile}`);
  }
  return { stacks: results, commands, outputsFile };
}

/** Raw per-stack outputs from an earlier deploy, so a partial deploy keeps the others in the flat file. */
function readExistingOutputs(dir: string, stacks: readonly ManifestStack[]): Record<string, TerraformOutputs> {
  if (!existsSync(dir)) return {};
  const names = new Set(stacks.map((s) => s.name));
  const existing: Record<string, TerraformOutputs> = {};
  for (const file of readdirSync(dir)) {
    const name = file.replace(/\.json$/, '');
    if (file.endsWith('.json') && names.has(name)) {
      existing[name] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TerraformOutputs;
    }
  }
  return existing;
}

async function synth(options: DriverOptions, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  log(`synthesizing ${options.app}`);
  // The same command as `nx run <app>:synth` (tools/synth/src/synth.cjs), with this run's environment.
  const script = join(options.workspaceRoot, 'tools', 'synth', 'src', 'synth.cjs');
  const result = await $({ cwd: options.workspaceRoot, env, stdio: 'inherit', nothrow: true })`${process.execPath} ${script} ${options.app}`;
  if (result.exitCode !== 0) throw new Error(`synth of ${options.app} failed (see above); nothing was run`);
}
