import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { $ } from 'zx';
import { loadOrganisation, type Organisation } from '@estate/config';
import { appDependencies, appsFor, APPS, isApp, type AppName } from './app-graph';
import { writeOutputs, type TerraformOutputs } from './outputs';
import { planExitCode, renderText, sameChanges, summarizePlan, type PlanJson, type PlanSummary, type StackPlan } from './plan-summary';
import { checkCredentials, locateTerraform, PreflightError } from './preflight';
import { formatDuration, Progress } from './progress';
import { orderStacks, readManifest, selectStacks, type ManifestStack } from './stack-order';
import { diagnosticsOf, terraformError, TerraformRunner, type TerraformRun } from './terraform';
import { runWaves, type WaveNode } from './waves';

export { APPS, type AppName };

export type Action = 'plan' | 'deploy' | 'destroy' | 'drift';

/** Default number of stacks planned or applied at once. */
export const DEFAULT_PARALLELISM = 4;

export interface DriverOptions {
  readonly action: Action;
  /** Nx project name of the app. */
  readonly app: string;
  readonly workspaceRoot: string;
  /** Where `app` is synthesized (upstream apps: apps/<name>/cdktf.out). @default apps/<app>/cdktf.out */
  readonly outdir?: string;
  /** Only these stacks of `app` (full name or unit, e.g. `network`); implies no upstream apps. @default - every stack */
  readonly stacks?: readonly string[];
  /** Required to deploy or destroy anything in the prod account; checked before anything runs. */
  readonly confirmProd?: boolean;
  /** Required to destroy a non-preview app: must equal the app name (`--confirm-destroy=dev`). */
  readonly confirmDestroy?: string;
  /** backend-bootstrap only: first run with local state, then push it into the new buckets. */
  readonly bootstrapInitial?: boolean;
  /** List every stack and command instead of running Terraform; needs no credentials, writes nothing. */
  readonly dryRun?: boolean;
  /**
   * plan/deploy: also the apps `app` depends on (from the organisation model), planned and
   * applied in the same run. Ignored by destroy and drift (always the app alone).
   * @default false (the CLI passes true unless --only)
   */
  readonly withUpstream?: boolean;
  /**
   * Apply without asking. `true`: the plans shown are approved; a stack planned after its
   * upstream whose re-plan differs from what was shown stops the run for a new review.
   * `'all'`: re-plans too (programmatic callers that review nothing).
   * @default 'all' when no `confirm` is given (programmatic callers), else ask
   */
  readonly approve?: boolean | 'all';
  /** Asks a person (the CLI on a TTY); resolves true to go ahead. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Image tag for the services (`TF_VAR_image_tag`). @default - TF_VAR_image_tag from `env` */
  readonly imageTag?: string;
  /** Stacks planned or applied at once. @default 4 */
  readonly parallelism?: number;
  /** Terraform's `-lock-timeout`. @default 5m */
  readonly lockTimeout?: string;
  /** plan/drift only: synthesize and plan with the read-only plan roles (ESTATE_ROLE=plan). */
  readonly planRole?: boolean;
  /** Aborting stops starting new stacks; running ones finish. */
  readonly signal?: AbortSignal;
  /** Aborting passes SIGINT on to running terraform processes (a second Ctrl-C): they stop gracefully. */
  readonly interrupt?: AbortSignal;
  /** ANSI colour in the driver's own output. @default false */
  readonly color?: boolean;
  /** Live progress redrawn in place (a terminal). @default false: one line per phase change */
  readonly tty?: boolean;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** Raw terminal output for the live progress. @default process.stdout.write */
  readonly write?: (text: string) => void;
  /** Synthesizes one app into `outdir`. @default tools/synth/src/synth.cjs (what `nx run <app>:synth` runs) */
  readonly synth?: (app: string, outdir: string, env: NodeJS.ProcessEnv) => Promise<void>;
  /** App → the apps it deploys after. @default appDependencies(organisation) */
  readonly appDependencies?: Readonly<Record<string, readonly string[]>>;
  /** Account ids a stack's providers are pinned to. @default - the aws providers' allowed_account_ids */
  readonly accountsOf?: (stackJson: StackJson) => string[];
}

export type StackStatus =
  | 'applied'
  | 'destroyed'
  | 'planned'
  /** Nothing to do (its plan had no changes). */
  | 'unchanged'
  | 'failed'
  | 'not-started'
  /** Planned after its upstream; the re-plan differs from what was reviewed: not applied. */
  | 'needs-approval'
  /** Dry run: listed, nothing ran. */
  | 'listed';

export interface StackResult {
  readonly stack: string;
  readonly app: string;
  readonly status: StackStatus;
  readonly durationMs?: number;
  /** When its apply (or re-plan) started and finished, epoch ms. */
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly note?: string;
}

export interface DriverResult {
  readonly stacks: readonly StackResult[];
  /** Commands in the order they ran (or would run, with dryRun). */
  readonly commands: readonly string[];
  readonly outputsFile?: string;
  /** Every stack's plan (not in a dry run). */
  readonly summary?: PlanSummary;
  /**
   * plan/drift: 0 no changes, 2 changes, 1 error (`-detailed-exitcode`). deploy/destroy: 0 done,
   * 3 stopped for a new review of a re-plan, 130 interrupted. Dry run: 0.
   */
  readonly exitCode: number;
  /** Dry run: what a real run would refuse before anything runs. */
  readonly realRunProblems?: readonly string[];
  /** The final table (deploy/destroy). */
  readonly table?: string;
}

/** A deploy or destroy that failed part-way; `result` says what finished. */
export class DriverError extends Error {
  constructor(
    message: string,
    public readonly result: DriverResult,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

/** The part of a synthesized stack (`cdk.tf.json`) the driver reads. */
export interface StackJson {
  readonly provider?: { aws?: { allowed_account_ids?: string[] }[] };
  readonly variable?: Record<string, { default?: unknown }>;
  readonly terraform?: { backend?: Record<string, unknown> };
}

/** Account ids a synthesized stack's aws providers are pinned to. */
export function awsAccountsOf(json: StackJson): string[] {
  return (json.provider?.aws ?? []).flatMap((p) => p.allowed_account_ids ?? []);
}

/** Confirmations that protect prod and non-preview environments; each missing one is a problem. */
export function confirmationProblems(
  options: Pick<DriverOptions, 'action' | 'app' | 'confirmProd' | 'confirmDestroy'>,
  organisation: Organisation,
  touchesProd: boolean,
): string[] {
  if (options.action === 'plan' || options.action === 'drift') return [];
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

/** Variables a stack declares without a default, with how to pass each. */
export function missingVariables(stack: string, json: StackJson, env: NodeJS.ProcessEnv): string[] {
  return Object.entries(json.variable ?? {})
    .filter(([name, v]) => !('default' in v) && env[`TF_VAR_${name}`] === undefined)
    .map(([name]) =>
      name === 'image_tag'
        ? `${stack} needs the image to run: pass --image-tag <tag> (a tag pushed to the shared registry, e.g. the commit the CI built), or set TF_VAR_image_tag`
        : `${stack} needs variable ${name} (no default): set TF_VAR_${name}`,
    );
}

interface Unit {
  readonly name: string;
  readonly app: string;
  readonly dir: string;
  readonly json: StackJson;
  /** Stacks of the same app whose outputs it reads (cdktf cross-stack references, remote state). */
  readonly readsFrom: readonly string[];
  /** Everything it is applied after: readsFrom plus every stack of the upstream apps. */
  readonly after: readonly string[];
  readonly prod: boolean;
}

const TERMINAL_ACTIONS: Record<Action, StackStatus> = { plan: 'planned', drift: 'planned', deploy: 'applied', destroy: 'destroyed' };

/**
 * Plans every stack the command touches (the app, and with `withUpstream` the apps it
 * depends on), prints one summary, asks once, then applies exactly the saved plans in
 * waves: a stack starts when the stacks it depends on are done. A stack that reads outputs
 * of a stack with pending output changes is "planned after" it and re-planned once it has
 * applied; a re-plan that differs from what was reviewed is asked for again (or stops).
 * Everything that can be checked is checked before the first Terraform command: flags,
 * confirmations, variables, tools, credentials, synth. After a deploy, outputs go to
 * `apps/<app>/cfn-outputs/` without sensitive values.
 */
export async function runDriver(options: DriverOptions): Promise<DriverResult> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  const log = options.log ?? ((line: string) => console.log(line));
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const action = options.action;
  const parallelism = options.parallelism ?? DEFAULT_PARALLELISM;
  const lockTimeout = options.lockTimeout ?? '5m';

  // 1. Flags and the organisation: nothing has run yet.
  const usage: string[] = [];
  if (!['plan', 'deploy', 'destroy', 'drift'].includes(action)) usage.push(`unknown action '${action}': expected plan, deploy, destroy or drift`);
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 32) usage.push(`parallelism must be a whole number from 1 to 32, got ${parallelism}`);
  if (!/^\d+(ms|s|m|h)$/.test(lockTimeout)) usage.push(`lock timeout '${lockTimeout}' is not a duration such as 30s or 5m`);
  if (options.bootstrapInitial && (options.app !== 'backend-bootstrap' || action !== 'deploy')) usage.push('--bootstrap-initial applies only to `backend-bootstrap` deploy');
  if ((options.planRole || env['ESTATE_ROLE'] === 'plan') && (action === 'deploy' || action === 'destroy')) {
    usage.push(`${action} needs the deploy role; the plan role (--plan-role, ESTATE_ROLE=plan) is read-only and serves plan and drift`);
  }
  if (options.imageTag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(options.imageTag)) {
    usage.push(`--image-tag '${options.imageTag}' is not a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (usage.length > 0) throw new PreflightError(usage);
  const organisation = loadOrganisation({ env });
  const dependencies = options.appDependencies ?? appDependencies(organisation);
  if (!(options.appDependencies ? Object.keys(dependencies).includes(options.app) : isApp(options.app))) {
    throw new PreflightError([`unknown app '${options.app}': expected one of ${Object.keys(dependencies).join(', ')}`]);
  }
  const upstream = options.withUpstream && (action === 'plan' || action === 'deploy') && !(options.stacks && options.stacks.length > 0);
  const apps = upstream ? appsFor(options.app, dependencies) : [options.app];
  if (options.imageTag !== undefined) env['TF_VAR_image_tag'] = options.imageTag;
  if (options.planRole) env['ESTATE_ROLE'] = 'plan';
  const approveMode: 'ask' | 'shown' | 'all' = options.approve === 'all' ? 'all' : options.approve === true ? 'shown' : options.confirm ? 'ask' : 'all';

  // 2. Confirmations and tools, all reported together, before synth.
  const problems = confirmationProblems(options, organisation, apps.includes('prod'));
  let terraformPath = env['TERRAFORM_BINARY'] ?? 'terraform';
  if (!options.dryRun) {
    const located = locateTerraform(env);
    if (typeof located === 'string') problems.push(located);
    else terraformPath = located.path;
  }
  if (problems.length > 0 && !options.dryRun) throw new PreflightError(problems);

  // 3. Synth (offline), two apps at a time; a dry run synthesizes into a temporary directory.
  const scratch = options.dryRun ? mkdtempSync(join(tmpdir(), 'estate-dry-run-')) : undefined;
  const outdirOf = (app: string) =>
    scratch ? join(scratch, app) : app === options.app && options.outdir ? options.outdir : join(options.workspaceRoot, 'apps', app, 'cdktf.out');
  const shownDir = (app: string, dir: string) =>
    scratch ? relative(options.workspaceRoot, join(options.workspaceRoot, 'apps', app, 'cdktf.out', relative(outdirOf(app), dir))) : relative(options.workspaceRoot, dir) || '.';
  const synthOne = options.synth ?? ((app: string, outdir: string, synthEnv: NodeJS.ProcessEnv) => synthWithTool(options.workspaceRoot, app, outdir, synthEnv));
  const commands: string[] = [];
  try {
    log(`${action} ${options.app}: ${apps.length > 1 ? `apps ${apps.join(' → ')} (the app and what it depends on; --only for the app alone)` : `app ${options.app}`}`);
    const synthEnv = (app: string) => ({ ...env, ...(app === 'backend-bootstrap' && options.bootstrapInitial ? { BOOTSTRAP_BACKEND: 'local' } : {}) });
    const synthesized = await runWaves(
      apps.map((name) => ({ name, dependencies: [] })),
      { parallelism: 2, work: async (app) => { log(`synthesizing ${app}`); await synthOne(app, outdirOf(app), synthEnv(app)); } },
    );
    const failedSynth = [...synthesized].filter(([, o]) => o.state !== 'done').map(([app, o]) => `${app}: ${o.state === 'failed' ? o.error.message : o.state === 'not-started' ? o.reason : ''}`);
    if (failedSynth.length > 0) throw new PreflightError(failedSynth.map((f) => `synth failed, nothing was run: ${f}`));

    // 4. Stacks across the apps, and what each waits for.
    const units = buildUnits(apps, dependencies, outdirOf, options, organisation.accountId('prod'));
    const requiredVariables = units.flatMap((u) => missingVariables(u.name, u.json, env));
    const needsAws = units.some((u) => u.json.provider?.aws || u.json.terraform?.backend?.['s3']);
    const later: string[] = [...requiredVariables];
    if (!options.dryRun && needsAws) {
      const credentials = await checkCredentials(env);
      if (typeof credentials === 'string') later.push(credentials);
      else log(`AWS identity: ${credentials.arn}`);
    }
    if (later.length > 0 && !options.dryRun) throw new PreflightError(later);

    const applyOrder = orderForApply(units, action);
    if (options.dryRun) {
      return dryRun({ units, applyOrder, action, log, commands, problems: [...problems, ...later], shownDir, terraformPath, lockTimeout, bootstrapInitial: options.bootstrapInitial, confirmProd: options.confirmProd === true });
    }
    return await realRun({
      options, env, log, write, units, applyOrder, apps, action, parallelism, lockTimeout, approveMode, terraformPath, commands, organisation, shownDir,
    });
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function readStackJson(outdir: string, stack: ManifestStack): StackJson {
  return JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8')) as StackJson;
}

function buildUnits(
  apps: readonly string[],
  dependencies: Readonly<Record<string, readonly string[]>>,
  outdirOf: (app: string) => string,
  options: DriverOptions,
  prodAccount: string,
): Unit[] {
  const accountsOf = options.accountsOf ?? awsAccountsOf;
  const byApp = new Map<string, ManifestStack[]>();
  for (const app of apps) {
    const ordered = orderStacks(readManifest(outdirOf(app)));
    const selected = app === options.app ? new Set(selectStacks(ordered, options.stacks).map((s) => s.name)) : undefined;
    byApp.set(app, selected ? ordered.filter((s) => selected.has(s.name)) : ordered);
  }
  const seen = new Map<string, string>();
  const units: Unit[] = [];
  for (const app of apps) {
    const stacks = byApp.get(app) ?? [];
    const names = new Set(stacks.map((s) => s.name));
    const upstreamStacks = apps
      .filter((a) => isUpstream(a, app, dependencies))
      .flatMap((a) => (byApp.get(a) ?? []).map((s) => s.name));
    for (const stack of stacks) {
      if (seen.has(stack.name)) throw new Error(`stack ${stack.name} is in both ${seen.get(stack.name)} and ${app}; stack names must be unique`);
      seen.set(stack.name, app);
      const outdir = outdirOf(app);
      const json = readStackJson(outdir, stack);
      const readsFrom = stack.dependencies.filter((d) => names.has(d));
      units.push({
        name: stack.name,
        app,
        dir: join(outdir, stack.workingDirectory),
        json,
        readsFrom,
        after: [...readsFrom, ...upstreamStacks],
        prod: accountsOf(json).includes(prodAccount),
      });
    }
  }
  return units;
}

function isUpstream(candidate: string, app: string, dependencies: Readonly<Record<string, readonly string[]>>, seen = new Set<string>()): boolean {
  for (const dep of dependencies[app] ?? []) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (dep === candidate || isUpstream(candidate, dep, dependencies, seen)) return true;
  }
  return false;
}

/** Apply graph: deploy after what a stack depends on; destroy in reverse. */
function orderForApply(units: readonly Unit[], action: Action): WaveNode[] {
  if (action !== 'destroy') return units.map((u) => ({ name: u.name, dependencies: u.after }));
  return units.map((u) => ({ name: u.name, dependencies: units.filter((o) => o.after.includes(u.name)).map((o) => o.name) }));
}

/** Waves of a graph, for showing the queue: each wave's stacks wait only for earlier waves. */
export function wavesOf(nodes: readonly WaveNode[]): string[][] {
  const done = new Set<string>();
  const waves: string[][] = [];
  let rest = [...nodes];
  while (rest.length > 0) {
    const wave = rest.filter((n) => n.dependencies.every((d) => done.has(d))).map((n) => n.name);
    if (wave.length === 0) throw new Error(`dependency cycle between stacks: ${rest.map((n) => n.name).join(', ')}`);
    wave.forEach((n) => done.add(n));
    rest = rest.filter((n) => !done.has(n.name));
    waves.push(wave);
  }
  return waves;
}

function planArgs(action: Action, lockTimeout: string, out: string): string[] {
  const args = ['plan', '-input=false', '-no-color', `-lock-timeout=${lockTimeout}`, '-detailed-exitcode', `-out=${out}`];
  if (action === 'destroy') args.splice(1, 0, '-destroy');
  if (action === 'drift') args.splice(1, 0, '-refresh-only');
  return args;
}

const INIT_ARGS = ['init', '-input=false', '-no-color', '-reconfigure'];

interface DryRunInput {
  readonly units: readonly Unit[];
  readonly applyOrder: readonly WaveNode[];
  readonly action: Action;
  readonly log: (line: string) => void;
  readonly commands: string[];
  readonly problems: readonly string[];
  readonly shownDir: (app: string, dir: string) => string;
  readonly terraformPath: string;
  readonly lockTimeout: string;
  readonly bootstrapInitial?: boolean;
  readonly confirmProd: boolean;
}

function dryRun(input: DryRunInput): DriverResult {
  const { units, log, commands } = input;
  const byName = new Map(units.map((u) => [u.name, u]));
  const tf = 'terraform';
  const waves = wavesOf(input.applyOrder);
  log(`\nDry run: nothing runs, nothing is written. ${units.length} stacks in ${waves.length} waves:`);
  waves.forEach((wave, i) => log(`  wave ${i + 1}: ${wave.map((n) => `${n}${byName.get(n)?.prod ? ' (prod account)' : ''}`).join(', ')}`));
  log('\nEvery stack is planned first (saved plans, one summary, one approval), then the saved plans are applied in the waves above:');
  for (const unit of units) {
    const dir = input.shownDir(unit.app, unit.dir);
    const cmd = (args: readonly string[]) => `(cd ${dir} && ${tf} ${args.join(' ')})`;
    const lines = [cmd(INIT_ARGS), cmd(planArgs(input.action, input.lockTimeout, 'tfplan')), cmd(['show', '-json', '-no-color', 'tfplan'])];
    if (input.action === 'deploy' || input.action === 'destroy') lines.push(cmd(['apply', '-input=false', '-no-color', '-json', `-lock-timeout=${input.lockTimeout}`, 'tfplan']));
    if (input.action === 'deploy') lines.push(cmd(['output', '-json', '-no-color']));
    if (unit.readsFrom.length > 0 && input.action !== 'destroy' && input.action !== 'drift') {
      log(`  ${unit.name}: reads outputs of ${unit.readsFrom.join(', ')}; re-planned after them when their outputs change`);
    }
    for (const line of lines) {
      commands.push(line);
      log(`    ${line}`);
    }
  }
  const prodStacks = units.filter((u) => u.prod && u.app !== 'prod');
  if (prodStacks.length > 0 && !input.confirmProd && (input.action === 'deploy' || input.action === 'destroy')) {
    log(`\n${prodStacks.map((u) => u.name).join(', ')}: in the prod account; without --confirm-prod a real run applies nothing if ${prodStacks.length === 1 ? 'its plan has' : 'their plans have'} changes.`);
  }
  if (input.problems.length > 0) {
    log('\nA real run would stop before running anything:');
    for (const p of input.problems) log(`  - ${p}`);
  }
  log(`\ndry run of ${input.action}: ${units.length} stacks listed, nothing applied.`);
  return {
    stacks: units.map((u) => ({ stack: u.name, app: u.app, status: 'listed' })),
    commands,
    exitCode: 0,
    realRunProblems: input.problems,
  };
}

interface RealRunInput {
  readonly options: DriverOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly write: (text: string) => void;
  readonly units: readonly Unit[];
  readonly applyOrder: readonly WaveNode[];
  readonly apps: readonly string[];
  readonly action: Action;
  readonly parallelism: number;
  readonly lockTimeout: string;
  readonly approveMode: 'ask' | 'shown' | 'all';
  readonly terraformPath: string;
  readonly commands: string[];
  readonly organisation: Organisation;
  readonly shownDir: (app: string, dir: string) => string;
}

async function realRun(input: RealRunInput): Promise<DriverResult> {
  const { options, log, units, action, commands } = input;
  const byName = new Map(units.map((u) => [u.name, u]));
  const tfEnv: NodeJS.ProcessEnv = { ...input.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  if (!tfEnv['TF_PLUGIN_CACHE_DIR']) {
    tfEnv['TF_PLUGIN_CACHE_DIR'] = join(homedir(), '.terraform.d', 'plugin-cache');
    mkdirSync(tfEnv['TF_PLUGIN_CACHE_DIR'], { recursive: true });
  }
  const runner = new TerraformRunner(input.terraformPath);
  options.interrupt?.addEventListener('abort', () => runner.interruptAll(), { once: true });
  const stopped = () => options.signal?.aborted === true;
  const tf = async (unit: Unit, phase: string, args: string[], how: { ok?: number[]; onLine?: (l: string) => void } = {}): Promise<TerraformRun> => {
    commands.push(`(cd ${input.shownDir(unit.app, unit.dir)} && terraform ${args.join(' ')})`);
    const run = await runner.run(args, { cwd: unit.dir, env: tfEnv, logFile: join(unit.dir, 'driver-logs', `${phase}.log`), onLine: how.onLine });
    if (!(how.ok ?? [0]).includes(run.exitCode)) {
      const detail = [...diagnosticsOf(run.stdout), terraformError(run)].filter(Boolean)[0] ?? `exit ${run.exitCode}`;
      throw new Error(`terraform ${args[0]} failed in ${unit.name} (exit ${run.exitCode}): ${detail}\n    full log: ${relative(options.workspaceRoot, join(unit.dir, 'driver-logs', `${phase}.log`))}`);
    }
    return run;
  };
  const planOnce = async (unit: Unit, out: string, phase: string): Promise<StackPlan> => {
    await tf(unit, phase, planArgs(action, input.lockTimeout, out), { ok: [0, 2] });
    const shown = await tf(unit, `${phase}-show`, ['show', '-json', '-no-color', out]);
    return summarizePlan(JSON.parse(shown.stdout) as PlanJson, { app: unit.app, stack: unit.name, prod: unit.prod }, action === 'drift');
  };

  // 5. Plan everything first, in parallel where the stacks' outputs allow.
  const planGraph = units.map((u) => ({ name: u.name, dependencies: action === 'deploy' || action === 'plan' ? u.readsFrom : [] }));
  log(`\nplanning ${units.length} stacks (${Math.min(input.parallelism, units.length)} at a time):`);
  const plans = new Map<string, StackPlan>();
  const planned = await runWaves(planGraph, {
    parallelism: input.parallelism,
    shouldStop: stopped,
    work: async (name) => {
      const unit = byName.get(name) as Unit;
      await tf(unit, 'init', INIT_ARGS);
      const waitingFor = unit.readsFrom.filter((d) => {
        const p = plans.get(d);
        return p !== undefined && (p.status === 'planned-after' || p.status === 'error' || p.outputChanges.length > 0);
      });
      let plan: StackPlan;
      if (waitingFor.length > 0) {
        // Its upstream's outputs change first: a plan now would be computed against stale values.
        let provisional: StackPlan | undefined;
        try {
          provisional = await planOnce(unit, 'tfplan.provisional', 'plan-provisional');
        } catch {
          provisional = undefined; // e.g. the upstream has no state yet
        }
        plan = { app: unit.app, stack: unit.name, prod: unit.prod, status: 'planned-after', after: waitingFor, add: 0, change: 0, destroy: 0, replace: 0, changes: [], outputChanges: [], ...(provisional ? { provisional } : {}) };
      } else {
        try {
          plan = await planOnce(unit, 'tfplan', 'plan');
        } catch (error) {
          plan = { app: unit.app, stack: unit.name, prod: unit.prod, status: 'error', error: (error as Error).message, add: 0, change: 0, destroy: 0, replace: 0, changes: [], outputChanges: [] };
        }
      }
      plans.set(name, plan);
      log(`  ${name}: ${plan.status === 'changes' ? `+${plan.add} ~${plan.change} -${plan.destroy} ±${plan.replace}` : plan.status === 'planned-after' ? `planned after ${(plan.after ?? []).join(', ')}` : plan.status === 'error' ? 'error' : 'no changes'}`);
      return plan;
    },
  });
  for (const [name, outcome] of planned) {
    if (outcome.state === 'failed') {
      const unit = byName.get(name) as Unit;
      plans.set(name, { app: unit.app, stack: name, prod: unit.prod, status: 'error', error: outcome.error.message, add: 0, change: 0, destroy: 0, replace: 0, changes: [], outputChanges: [] });
    }
  }
  const summary: PlanSummary = { action, app: options.app, apps: input.apps, stacks: units.filter((u) => plans.has(u.name)).map((u) => plans.get(u.name) as StackPlan) };
  log('');
  log(renderText(summary, { color: options.color ?? false }));
  const base = { summary, commands };
  if (stopped()) {
    log('\ninterrupted while planning: nothing was applied. Run the same command again to start over.');
    return { ...base, stacks: resultsFromPlans(summary, 'not-started'), exitCode: 130 };
  }
  const errors = summary.stacks.filter((s) => s.status === 'error');
  if (errors.length > 0) {
    const message = `planning failed in ${errors.map((e) => e.stack).join(', ')}; nothing was applied:\n${errors.map((e) => `  - ${e.error}`).join('\n')}`;
    throw new DriverError(message, { ...base, stacks: resultsFromPlans(summary, 'not-started'), exitCode: 1 });
  }
  if (action === 'plan' || action === 'drift') {
    return { ...base, stacks: resultsFromPlans(summary, 'planned'), exitCode: planExitCode(summary) };
  }

  // 6. Prod-account stacks outside the prod app (backend-bootstrap's prod stack) need --confirm-prod to change.
  const prodChanges = summary.stacks.filter((s) => s.prod && s.status !== 'no-changes');
  if (prodChanges.length > 0 && !options.confirmProd) {
    throw new DriverError(
      `${prodChanges.map((s) => s.stack).join(', ')} would change the prod account (${input.organisation.accountId('prod')}): add --confirm-prod. Nothing has been applied.`,
      { ...base, stacks: resultsFromPlans(summary, 'not-started'), exitCode: 1 },
    );
  }
  const work = summary.stacks.filter((s) => s.status !== 'no-changes');
  if (work.length === 0) {
    log(`\nNo changes: nothing to ${action === 'destroy' ? 'destroy' : 'apply'}.`);
    const outputsFile = action === 'deploy' ? await collectOutputs(units, input, tf, new Map(), log) : undefined;
    return { ...base, stacks: resultsFromPlans(summary, 'unchanged'), exitCode: 0, outputsFile };
  }

  // 7. One approval for everything shown.
  const verb = action === 'destroy' ? 'Destroy' : 'Apply';
  if (input.approveMode === 'ask') {
    const question = `${verb} the plans above (${work.length} stack(s)${work.some((s) => s.prod) ? ', including the PROD account' : ''})? Only 'yes' is accepted: `;
    if (!(await (options.confirm as (q: string) => Promise<boolean>)(question))) {
      log('\nNot approved: nothing was applied.');
      throw new DriverError('not approved: nothing was applied', { ...base, stacks: resultsFromPlans(summary, 'not-started'), exitCode: 1 });
    }
  } else {
    log(`\n${verb} approved ${input.approveMode === 'shown' ? 'by --approve' : 'by the caller'}: ${work.length} stack(s).`);
  }

  // 8. Apply the saved plans in waves.
  const progress = new Progress(
    units.map((u) => {
      const p = plans.get(u.name) as StackPlan;
      return { stack: u.name, planned: p.add + p.change + p.destroy + 2 * p.replace };
    }),
    { tty: options.tty ?? false, color: options.color ?? false, write: input.write, log: (l) => log(`  ${l}`) },
  );
  const outputs = new Map<string, TerraformOutputs>();
  /** Re-plans to review are shown and asked one at a time, the live progress paused meanwhile. */
  let askChain: Promise<unknown> = Promise.resolve();
  log(`\n${action === 'destroy' ? 'destroying' : 'applying'} in waves (${input.parallelism} at a time):`);
  progress.start();
  const applied = await runWaves<{ status: StackStatus; note?: string }>(input.applyOrder, {
    parallelism: input.parallelism,
    shouldStop: stopped,
    stopsRun: (v) => (v.status === 'needs-approval' ? 'a re-plan needs a new review' : undefined),
    work: async (name) => {
      const unit = byName.get(name) as Unit;
      let plan = plans.get(name) as StackPlan;
      if (plan.status === 'planned-after') {
        progress.phase(name, 're-planning');
        const fresh = await planOnce(unit, 'tfplan', 'replan');
        plans.set(name, fresh);
        // The same resource changes as the provisional plan that was shown: what was reviewed
        // (output values may differ; they are what the upstream's apply just settled).
        const reviewed = plan.provisional !== undefined && sameChanges(plan.provisional, fresh);
        if (fresh.status === 'changes' && !reviewed && input.approveMode !== 'all') {
          const text = renderText({ action, app: unit.app, apps: [unit.app], stacks: [fresh] }, { color: options.color ?? false });
          const ok = await (askChain = askChain.then(async () => {
            progress.pause();
            log(`\n${name} was planned after ${(plan.after ?? []).join(', ')}; its plan now differs from what was reviewed:\n${text}`);
            const answer = input.approveMode === 'ask' && (await (options.confirm as (q: string) => Promise<boolean>)(`${verb} ${name} as re-planned above? Only 'yes' is accepted: `));
            progress.start();
            return answer;
          }).catch(() => false) as Promise<boolean>);
          if (!ok) {
            progress.phase(name, 'needs approval', 'not applied');
            return { status: 'needs-approval', note: 're-plan differs from the reviewed plan' };
          }
        }
        plan = fresh;
        progress.planned(name, plan.add + plan.change + plan.destroy + 2 * plan.replace);
      }
      if (plan.status === 'no-changes') {
        if (action === 'deploy') outputs.set(name, await readOutputs(unit, tf));
        progress.phase(name, 'unchanged');
        return { status: 'unchanged' };
      }
      progress.phase(name, 'applying');
      await tf(unit, 'apply', ['apply', '-input=false', '-no-color', '-json', `-lock-timeout=${input.lockTimeout}`, 'tfplan'], { onLine: (l) => progress.event(name, l) });
      if (action === 'deploy') {
        progress.phase(name, 'outputs');
        outputs.set(name, await readOutputs(unit, tf));
      }
      progress.phase(name, 'done');
      return { status: TERMINAL_ACTIONS[action] };
    },
  });
  for (const [name, outcome] of applied) {
    if (outcome.state === 'failed') progress.phase(name, 'failed', outcome.error.message.split('\n')[0]);
    if (outcome.state === 'not-started') progress.phase(name, 'not started', outcome.reason);
  }
  progress.stop();
  const results: StackResult[] = units.map((u) => {
    const o = applied.get(u.name);
    if (!o || o.state === 'not-started') return { stack: u.name, app: u.app, status: 'not-started', note: o?.reason };
    const timing = { durationMs: o.finishedAt - o.startedAt, startedAt: o.startedAt, finishedAt: o.finishedAt };
    if (o.state === 'failed') return { stack: u.name, app: u.app, status: 'failed', ...timing, note: o.error.message };
    return { stack: u.name, app: u.app, status: o.value.status, ...timing, note: o.value.note };
  });

  // 9. First bootstrap: move the local state into the buckets this run created.
  const failed = results.filter((r) => r.status === 'failed');
  if (options.bootstrapInitial && failed.length === 0 && !stopped()) {
    await pushBootstrapState(input, units, tf);
  }
  const outputsFile = action === 'deploy' ? await collectOutputs(units, input, tf, outputs, log) : undefined;
  const table = progress.table();
  log(`\n${table}`);
  const finished = results.filter((r) => ['applied', 'destroyed', 'unchanged'].includes(r.status)).map((r) => r.stack);
  const result: DriverResult = { ...base, stacks: results, outputsFile, table, exitCode: 0 };
  if (failed.length > 0) {
    throw new DriverError(
      `${failed.map((f) => f.note).join('\n')}\nFinished before it stopped: ${finished.join(', ') || 'none'}. Fix the error and run the same command again: finished stacks are no-ops.`,
      { ...result, exitCode: 1 },
    );
  }
  if (stopped()) {
    log(`\ninterrupted: finished ${finished.join(', ') || 'nothing'}; not started ${results.filter((r) => r.status === 'not-started').map((r) => r.stack).join(', ')}. Run the same command again to continue: finished stacks are no-ops.`);
    return { ...result, exitCode: 130 };
  }
  const review = results.filter((r) => r.status === 'needs-approval');
  if (review.length > 0) {
    log(`\n${review.map((r) => r.stack).join(', ')}: re-planned after ${'their'} upstream applied and the plan differs from what was reviewed; nothing unreviewed was applied. Run the same command again to review the new plan.`);
    return { ...result, exitCode: 3 };
  }
  log(`\n${action} ${options.app}: ${results.map((r) => `${r.stack} ${r.status}`).join(', ')}`);
  return result;
}

function resultsFromPlans(summary: PlanSummary, status: StackStatus): StackResult[] {
  return summary.stacks.map((s) => ({ stack: s.stack, app: s.app, status: s.status === 'no-changes' && status !== 'planned' ? 'unchanged' : status }));
}

type Tf = (unit: Unit, phase: string, args: string[], how?: { ok?: number[]; onLine?: (l: string) => void }) => Promise<TerraformRun>;

async function readOutputs(unit: Unit, tf: Tf): Promise<TerraformOutputs> {
  const run = await tf(unit, 'output', ['output', '-json', '-no-color']);
  return JSON.parse(run.stdout || '{}') as TerraformOutputs;
}

/** Writes each app's cfn-outputs (keeping earlier stacks' files for a partial deploy). */
async function collectOutputs(units: readonly Unit[], input: RealRunInput, tf: Tf, fresh: Map<string, TerraformOutputs>, log: (l: string) => void): Promise<string | undefined> {
  let mainFile: string | undefined;
  for (const app of input.apps) {
    const appUnits = units.filter((u) => u.app === app);
    for (const unit of appUnits) if (!fresh.has(unit.name)) {
      try {
        fresh.set(unit.name, await readOutputs(unit, tf));
      } catch {
        // not deployed yet (e.g. not started): keep what an earlier deploy wrote
      }
    }
    const dir = join(input.options.workspaceRoot, 'apps', app, 'cfn-outputs');
    const byStack = Object.fromEntries(appUnits.filter((u) => fresh.has(u.name)).map((u) => [u.name, fresh.get(u.name) as TerraformOutputs]));
    if (Object.keys(byStack).length === 0) continue;
    const file = writeOutputs(dir, { ...readExistingOutputs(dir, appUnits.map((u) => u.name)), ...byStack });
    log(`outputs: ${relative(input.options.workspaceRoot, file)} (sensitive values left out)`);
    if (app === input.options.app) mainFile = file;
  }
  return mainFile;
}

async function pushBootstrapState(input: RealRunInput, units: readonly Unit[], tf: Tf): Promise<void> {
  const { options, log } = input;
  const outdir = options.outdir ?? join(options.workspaceRoot, 'apps', 'backend-bootstrap', 'cdktf.out');
  await (options.synth ?? ((app: string, o: string, e: NodeJS.ProcessEnv) => synthWithTool(options.workspaceRoot, app, o, e)))('backend-bootstrap', outdir, { ...input.env, BOOTSTRAP_BACKEND: 's3' });
  const stateDir = join(options.workspaceRoot, 'apps', 'backend-bootstrap', '.state');
  for (const unit of units.filter((u) => u.app === 'backend-bootstrap')) {
    const localState = join(stateDir, `${unit.name}.tfstate`);
    log(`\n== ${unit.name}: moving local state into its S3 backend`);
    await tf(unit, 'init-s3', INIT_ARGS);
    await tf(unit, 'state-push', ['state', 'push', localState]);
    renameSync(localState, `${localState}.migrated`);
  }
}

/** Raw per-stack outputs from an earlier deploy, so a partial deploy keeps the others in the flat file. */
function readExistingOutputs(dir: string, names: readonly string[]): Record<string, TerraformOutputs> {
  if (!existsSync(dir)) return {};
  const existing: Record<string, TerraformOutputs> = {};
  for (const file of readdirSync(dir)) {
    const name = file.replace(/\.json$/, '');
    if (file.endsWith('.json') && names.includes(name)) {
      existing[name] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TerraformOutputs;
    }
  }
  return existing;
}

/** The same command as `nx run <app>:synth` (tools/synth/src/synth.cjs), with this run's environment. */
async function synthWithTool(workspaceRoot: string, app: string, outdir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const script = join(workspaceRoot, 'tools', 'synth', 'src', 'synth.cjs');
  const result = await $({ cwd: workspaceRoot, env: { ...env, ESTATE_SYNTH_OUTDIR: outdir }, stdio: ['ignore', 'pipe', 'pipe'], nothrow: true, quiet: true })`${process.execPath} ${script} ${app}`;
  if (result.exitCode !== 0) throw new Error(`${(result.stderr || result.stdout).trim().split('\n').slice(-12).join('\n')}`);
}

export { formatDuration };
