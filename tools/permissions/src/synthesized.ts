import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { loadOrganisation, type Organisation } from '@estate/config';
import { ROLE_MODE_CONTEXT, type RoleMode } from '@estate/platform';

/** One synthesized stack: what `cdktf.out/stacks/<name>/cdk.tf.json` holds. */
export interface SynthStack {
  readonly app: string;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

/** Every app of the workspace: the roles come from backend-bootstrap and ops, the calls from all. */
export const APPS = ['backend-bootstrap', 'ops', 'dev', 'staging', 'prod'] as const;

/** Reads the stacks an app's synth wrote (`apps/<app>/cdktf.out`), in manifest order. */
export function readSynthesized(outdir: string, app: string): SynthStack[] {
  const manifestPath = join(outdir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run nx run ${app}:synth first`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { stacks: Record<string, { name: string; synthesizedStackPath: string }> };
  return Object.values(manifest.stacks).map((s) => ({ app, name: s.name, json: JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), 'utf8')) }));
}

/**
 * Synthesizes `apps` with their own builders (the `build*App` each `src/app.ts` exports,
 * loaded by path like the plan generator does: tools keep no static import of an app)
 * into a temporary directory, with the role mode in the app context exactly as
 * `ESTATE_ROLE` gives it to `nx run <app>:synth`, and reads the written JSON back.
 */
export function synthesizeApps(workspaceRoot: string, roleMode: RoleMode, apps: readonly string[] = APPS, organisation?: Organisation): SynthStack[] {
  const org = organisation ?? loadOrganisation({ env: { ORG_CONFIG: join(workspaceRoot, 'libs', 'config', 'organisation.example.json') } });
  const out: SynthStack[] = [];
  for (const app of apps) {
    const modulePath = join(workspaceRoot, 'apps', app, 'src', 'app');
    const exports = require(modulePath) as Record<string, unknown>;
    const builders = Object.entries(exports).filter(([name, value]) => /^build\w*App$/.test(name) && typeof value === 'function');
    if (builders.length !== 1) throw new Error(`${modulePath}.ts must export exactly one build*App(app, organisation) function`);
    const outdir = mkdtempSync(join(tmpdir(), `estate-permissions-${app}-`));
    try {
      const cdkApp = new App({ outdir, skipValidation: true, context: { [ROLE_MODE_CONTEXT]: roleMode } });
      // backend-bootstrap reads BOOTSTRAP_BACKEND: its stacks are checked as they run after the first apply (S3 state).
      (builders[0][1] as (a: App, o: Organisation, env?: NodeJS.ProcessEnv) => void)(cdkApp, org, {});
      cdkApp.synth();
      out.push(...readSynthesized(outdir, app));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  return out;
}

/** The apps whose synthesized output exists under `workspaceRoot/apps/<app>/cdktf.out`. */
export function synthesizedApps(workspaceRoot: string): string[] {
  return readdirSync(join(workspaceRoot, 'apps')).filter((a) => existsSync(join(workspaceRoot, 'apps', a, 'cdktf.out', 'manifest.json')));
}
