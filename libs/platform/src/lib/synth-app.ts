import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { App, TerraformStack } from 'cdktf';
import { loadOrganisation, OrganisationConfigError, type LoadOptions, type Organisation } from '@estate/config';
import { formatFinding, guardrailReport } from '@estate/guardrails';
import { ROLE_MODE_CONTEXT, roleModeFrom } from './base-stack';

export interface SynthOptions extends LoadOptions {
  /** Directory the app writes (`apps/<name>/cdktf.out`). */
  readonly outdir: string;
  /** Where the summary goes. @default console.log */
  readonly log?: (line: string) => void;
}

export interface SynthSummary {
  readonly outdir: string;
  readonly stacks: readonly { readonly name: string; readonly resources: number; readonly dependencies: readonly string[] }[];
}

/** Builds the stacks of one app into `app`. */
export type AppBuilder = (app: App, organisation: Organisation) => void;

/**
 * Validates the organisation, builds the app and synthesizes it into a temporary
 * directory, swapping it into `outdir` only when everything succeeded: on invalid
 * config or a guardrail error, no new output is written and stale output is removed,
 * so a deploy can never pick up Terraform from an earlier, different config.
 */
export function synthesizeApp(build: AppBuilder, options: SynthOptions): SynthSummary {
  const log = options.log ?? ((line: string) => console.log(line));
  const staging = `${options.outdir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const roleMode = roleModeFrom(options.env ?? process.env);
    const organisation = loadOrganisation(options);
    for (const warning of organisation.warnings) log(`warning: ${warning.path}: ${warning.message}`);
    const app = new App({ outdir: staging, skipValidation: false, context: { [ROLE_MODE_CONTEXT]: roleMode } });
    if (roleMode === 'plan') log('ESTATE_ROLE=plan: providers, backends and remote state use the read-only plan roles');
    build(app, organisation);
    app.synth();

    const stacks = app.node.findAll().filter(TerraformStack.isStack);
    for (const stack of stacks) {
      const report = guardrailReport(stack);
      for (const finding of report?.findings ?? []) log(formatFinding(finding));
      for (const s of report?.suppressed ?? []) log(`suppressed [${s.ruleId}] ${s.path}: ${s.reason}`);
    }
    rmSync(options.outdir, { recursive: true, force: true });
    renameSync(staging, options.outdir);
    const summary = summarise(options.outdir);
    for (const stack of summary.stacks) {
      const after = stack.dependencies.length ? ` (after ${stack.dependencies.join(', ')})` : '';
      log(`  ${stack.name}: ${stack.resources} resources${after}`);
    }
    return summary;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    rmSync(options.outdir, { recursive: true, force: true });
    throw error;
  }
}

/** Reads cdktf's manifest: stacks, resource counts and declared dependencies. */
export function summarise(outdir: string): SynthSummary {
  const manifestPath = `${outdir}/manifest.json`;
  if (!existsSync(manifestPath)) return { outdir, stacks: [] };
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string; dependencies: string[] }>;
  };
  const stacks = Object.values(manifest.stacks).map((stack) => {
    const json = JSON.parse(readFileSync(`${outdir}/${stack.synthesizedStackPath}`, 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    const resources = Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    return { name: stack.name, resources, dependencies: stack.dependencies ?? [] };
  });
  return { outdir, stacks };
}

/**
 * Entry point for an app's main.ts: synthesizes (into ESTATE_SYNTH_OUTDIR when set,
 * else `defaultOutdir`), prints a summary, and on failure
 * prints the reason (config problems with file lines, guardrail findings) and exits 1.
 */
export function runApp(name: string, build: AppBuilder, defaultOutdir: string): void {
  // The deploy driver and tests may redirect output (e.g. to a temporary directory).
  const outdir = process.env['ESTATE_SYNTH_OUTDIR'] || defaultOutdir;
  const started = Date.now();
  try {
    console.log(`${name}: synthesizing into ${outdir}`);
    const summary = synthesizeApp(build, { outdir });
    console.log(`${name}: ${summary.stacks.length} stacks synthesized in ${Date.now() - started} ms`);
  } catch (error) {
    const message = error instanceof OrganisationConfigError ? error.message : (error as Error).message;
    console.error(`${name}: synth failed; nothing was written to ${outdir}\n${message}`);
    process.exitCode = 1;
  }
}
