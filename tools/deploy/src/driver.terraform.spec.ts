/**
 * The driver against the real terraform binary: stacks of the built-in `terraform_data`
 * resource with local backends (tools/testing terraform-fixture), no provider download.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTerraformFixture, type TerraformFixture } from '@estate/testing';
import { DriverError, runDriver, type DriverOptions, type DriverResult } from './driver';
import { renderJson, renderMarkdown } from './plan-summary';
import { PreflightError } from './preflight';

const PROD = '555555555555';

/** `sleepSeconds` makes env-data and env-app take that long to create (to see them overlap). */
function fixture(sleepSeconds = 0): TerraformFixture {
  return createTerraformFixture({
    'fx-base': { stacks: [{ name: 'base-state', resources: 1 }, { name: 'base-prod', resources: 1, accounts: [PROD] }] },
    'fx-env': {
      dependsOn: ['fx-base'],
      stacks: [
        { name: 'env-network', resources: 3 },
        { name: 'env-data', readsFrom: ['env-network'], sleepSeconds },
        { name: 'env-app', readsFrom: ['env-network'], sleepSeconds, requiresImageTag: true },
        { name: 'env-edge', readsFrom: ['env-app'], resources: 1 },
      ],
    },
  });
}

function options(fx: TerraformFixture, extra: Partial<DriverOptions> = {}): DriverOptions {
  return {
    action: 'deploy',
    app: 'fx-env',
    workspaceRoot: fx.root,
    env: fx.env,
    synth: fx.synth,
    appDependencies: fx.appDependencies,
    accountsOf: fx.accountsOf,
    withUpstream: true,
    confirmProd: true,
    imageTag: 'v1',
    approve: 'all',
    log: () => undefined,
    ...extra,
  };
}

const statusOf = (result: DriverResult) => Object.fromEntries(result.stacks.map((s) => [s.stack, s.status]));
const applies = (result: DriverResult) => result.commands.filter((c) => / terraform apply /.test(c)).map((c) => /stacks\/([\w-]+)/.exec(c)?.[1]);
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!error) throw new Error('expected the run to fail');
  return error as Error;
};

describe('runDriver with real terraform', () => {
  let fx: TerraformFixture;
  beforeEach(() => {
    fx = fixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('plans every stack first, parses real show -json, and exits 2 with changes, 0 without', async () => {
    const plan = await runDriver(options(fx, { action: 'plan', approve: undefined }));
    expect(plan.exitCode).toBe(2);
    const byStack = Object.fromEntries((plan.summary?.stacks ?? []).map((s) => [s.stack, s]));
    expect(byStack['env-network']).toMatchObject({ status: 'changes', add: 4, change: 0, destroy: 0, replace: 0, outputChanges: ['id', 'token'] });
    expect(byStack['base-prod']).toMatchObject({ status: 'changes', add: 2, prod: true });
    // env-data reads env-network's outputs, which change first: never planned against stale values.
    expect(byStack['env-data']).toMatchObject({ status: 'planned-after', after: ['env-network'] });
    expect(byStack['env-edge']).toMatchObject({ status: 'planned-after', after: ['env-app'] });
    expect(applies(plan)).toEqual([]);
    expect(existsSync(fx.statePath('env-network'))).toBe(false);
    const json = JSON.parse(renderJson(plan.summary as NonNullable<DriverResult['summary']>)) as { totals: { add: number }; exitCode: number };
    expect(json).toMatchObject({ exitCode: 2, totals: { add: 8 } });
    expect(renderMarkdown(plan.summary as NonNullable<DriverResult['summary']>)[0]).toContain('| `base-prod` 🔴 | fx-base | 2 | 0 | 0 | 0 | **changes (prod)** |');

    await runDriver(options(fx));
    const again = await runDriver(options(fx, { action: 'plan', approve: undefined }));
    expect(again.exitCode).toBe(0);
    expect(again.summary?.stacks.every((s) => s.status === 'no-changes')).toBe(true);
  }, 90_000);

  it('applies nothing when approval is refused', async () => {
    const questions: string[] = [];
    const error = await failure(runDriver(options(fx, { approve: undefined, confirm: async (q) => (questions.push(q), false) })));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.message).toBe('not approved: nothing was applied');
    expect(questions).toEqual([expect.stringMatching(/^Apply the plans above \(6 stack\(s\), including the PROD account\)\?/)]);
    expect(applies((error as DriverError).result)).toEqual([]);
    expect(readdirSync(join(fx.root, 'state'))).toEqual([]);
  }, 60_000);

  it('applies in waves after approval, asking again only for stacks re-planned after their upstream', async () => {
    await fx.cleanup();
    fx = fixture(1);
    const questions: string[] = [];
    const result = await runDriver(options(fx, { approve: undefined, confirm: async (q) => (questions.push(q), true), parallelism: 4 }));
    expect(result.exitCode).toBe(0);
    expect(statusOf(result)).toEqual({ 'base-state': 'applied', 'base-prod': 'applied', 'env-network': 'applied', 'env-data': 'applied', 'env-app': 'applied', 'env-edge': 'applied' });
    expect(questions[0]).toMatch(/^Apply the plans above/);
    expect(questions.slice(1).map((q) => q.split(' ')[1]).sort()).toEqual(['env-app', 'env-data', 'env-edge']);
    const at = Object.fromEntries(result.stacks.map((s) => [s.stack, s]));
    const [network, data, app, edge, base] = ['env-network', 'env-data', 'env-app', 'env-edge', 'base-state'].map((n) => at[n] as Required<(typeof result.stacks)[number]>);
    // Dependencies first: the upstream app, then the stack whose outputs it reads.
    expect(base.finishedAt).toBeLessThanOrEqual(network.startedAt);
    expect(network.finishedAt).toBeLessThanOrEqual(data.startedAt);
    expect(app.finishedAt).toBeLessThanOrEqual(edge.startedAt);
    // env-data and env-app (each a 1 s provisioner) ran at the same time.
    expect(data.startedAt).toBeLessThan(app.finishedAt);
    expect(app.startedAt).toBeLessThan(data.finishedAt);
    expect(result.table).toMatch(/env-network\s+done\s+4\/4/);
    expect(result.table).toMatch(/env-app\s+done\s+3\/3/);
    // Outputs read from real `terraform output -json`, sensitive values never written.
    const flat = JSON.parse(readFileSync(join(fx.root, 'apps', 'fx-env', 'cfn-outputs', 'flat-outputs.json'), 'utf8')) as Record<string, string>;
    expect(flat['env-app_image']).toBe('registry.example/api:v1');
    expect(flat['env-edge_env_app_id']).toBe(fx.readState('env-app')?.outputs['id']?.value);
    for (const file of readdirSync(join(fx.root, 'apps', 'fx-env', 'cfn-outputs'))) {
      expect(readFileSync(join(fx.root, 'apps', 'fx-env', 'cfn-outputs', file), 'utf8')).not.toContain('secret-of-');
    }

    // A change upstream whose downstream re-plans match their provisional plans: one question.
    fx.change('env-network');
    const asked: string[] = [];
    const next = await runDriver(options(fx, { approve: undefined, confirm: async (q) => (asked.push(q), true) }));
    expect(asked).toHaveLength(1);
    expect(next.summary?.stacks.find((p) => p.stack === 'env-data')).toMatchObject({ status: 'planned-after', provisional: { status: 'no-changes' } });
    expect(statusOf(next)).toMatchObject({ 'env-network': 'applied', 'env-data': 'applied', 'env-app': 'applied', 'env-edge': 'unchanged' });
  }, 90_000);

  it('with --approve stops before a re-plan that differs from what was shown, and the next run applies it', async () => {
    const first = await runDriver(options(fx, { approve: true }));
    expect(first.exitCode).toBe(3);
    expect(statusOf(first)).toMatchObject({ 'env-network': 'applied', 'env-edge': 'not-started' });
    expect([statusOf(first)['env-data'], statusOf(first)['env-app']]).toContain('needs-approval');
    expect(applies(first)).not.toContain('env-edge');

    // Each run applies what was shown; a stack planned after an upstream that changed in the
    // same run waits for the next run, where its plan is computed against applied outputs.
    const second = await runDriver(options(fx, { approve: true }));
    expect(statusOf(second)).toMatchObject({ 'env-network': 'unchanged', 'env-data': 'applied', 'env-app': 'applied' });
    expect(applies(second)).not.toContain('env-network');
    const third = second.exitCode === 3 ? await runDriver(options(fx, { approve: true })) : second;
    expect(third.exitCode).toBe(0);
    expect(statusOf(third)).toMatchObject({ 'env-network': 'unchanged', 'env-edge': 'applied' });
  }, 120_000);

  it('after an interrupt starts no new stack, lets the running one finish and exits 130', async () => {
    const controller = new AbortController();
    const result = await runDriver(
      options(fx, {
        app: 'fx-base',
        withUpstream: false,
        parallelism: 1,
        signal: controller.signal,
        // Ctrl-C while the first stack applies.
        log: (line) => (/^ {2}base-\w+: applying$/.test(line) ? controller.abort() : undefined),
      }),
    );
    expect(result.exitCode).toBe(130);
    const statuses = Object.values(statusOf(result)).sort();
    expect(statuses).toEqual(['applied', 'not-started']);
    const applied = result.stacks.find((s) => s.status === 'applied')?.stack as string;
    expect(fx.readState(applied)?.resources.length).toBe(2);
    expect(result.stacks.find((s) => s.status === 'not-started')?.note).toBe('stopped (interrupt)');
  }, 60_000);

  it('a re-run after a failure part-way finishes, with the finished stacks as no-ops', async () => {
    fx.failOnCreate('env-app', true);
    const error = await failure(runDriver(options(fx)));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.message).toMatch(/terraform apply failed in env-app \(exit 1\): .*local-exec/s);
    expect(error.message).toMatch(/Finished before it stopped: .*env-network/);
    const failed = (error as DriverError).result;
    expect(statusOf(failed)).toMatchObject({ 'env-network': 'applied', 'env-app': 'failed', 'env-edge': 'not-started' });

    fx.failOnCreate('env-app', false);
    const rerun = await runDriver(options(fx));
    expect(statusOf(rerun)).toMatchObject({ 'base-state': 'unchanged', 'env-network': 'unchanged', 'env-app': 'applied', 'env-edge': 'applied' });
    expect(applies(rerun)).not.toContain('env-network');
    expect(applies(rerun)).not.toContain('base-state');
  }, 120_000);

  it('stops with terraform\'s lock error when another process holds a state lock, applying nothing', async () => {
    await runDriver(options(fx));
    fx.change('env-network');
    const lock = await fx.holdLock('env-network');
    try {
      const error = await failure(runDriver(options(fx, { lockTimeout: '1s' })));
      expect(error).toBeInstanceOf(DriverError);
      expect(error.message).toMatch(/planning failed in env-network; nothing was applied:\n.*Error acquiring the state lock/);
      expect(applies((error as DriverError).result)).toEqual([]);
    } finally {
      await lock.release();
    }
  }, 90_000);

  it('refuses a prod-account stack outside the prod app that would change, before applying anything', async () => {
    const error = await failure(runDriver(options(fx, { confirmProd: false })));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.message).toBe(`base-prod would change the prod account (${PROD}): add --confirm-prod. Nothing has been applied.`);
    expect(readdirSync(join(fx.root, 'state'))).toEqual([]);
    // Once the prod stack has no changes, the others deploy without the flag.
    await runDriver(options(fx, { app: 'fx-base', withUpstream: false }));
    fx.change('env-data');
    const later = await runDriver(options(fx, { confirmProd: false }));
    expect(statusOf(later)).toMatchObject({ 'base-prod': 'unchanged', 'env-data': 'applied' });
  }, 120_000);

  it('requires the image tag before anything runs', async () => {
    const error = await failure(runDriver(options(fx, { imageTag: undefined })));
    expect(error).toBeInstanceOf(PreflightError);
    expect(error.message).toContain('env-app needs the image to run: pass --image-tag <tag>');
    expect(existsSync(join(fx.root, 'apps', 'fx-env', 'cdktf.out', 'stacks', 'env-app', '.terraform'))).toBe(false);
  }, 30_000);

  it('destroys in reverse dependency order', async () => {
    await runDriver(options(fx));
    const result = await runDriver(options(fx, { action: 'destroy', confirmDestroy: 'fx-env' }));
    const at = Object.fromEntries(result.stacks.map((s) => [s.stack, s as Required<typeof s>]));
    expect(Object.keys(at).sort()).toEqual(['env-app', 'env-data', 'env-edge', 'env-network']);
    expect(at['env-edge'].finishedAt).toBeLessThanOrEqual(at['env-app'].startedAt);
    expect(at['env-app'].finishedAt).toBeLessThanOrEqual(at['env-network'].startedAt);
    expect(at['env-data'].finishedAt).toBeLessThanOrEqual(at['env-network'].startedAt);
    for (const stack of ['env-network', 'env-data', 'env-app', 'env-edge']) expect(fx.readState(stack)?.resources).toEqual([]);
    expect(fx.readState('base-state')?.resources.length).toBe(2);
  }, 120_000);

  it('reports drift after the state is changed outside the driver', async () => {
    await runDriver(options(fx));
    const clean = await runDriver(options(fx, { action: 'drift', approve: undefined }));
    expect(clean.exitCode).toBe(0);
    fx.editState('env-network', (state) => {
      (state['outputs'] as Record<string, { value: unknown }>)['id'].value = 'changed-by-hand';
    });
    const drift = await runDriver(options(fx, { action: 'drift', approve: undefined }));
    expect(drift.exitCode).toBe(2);
    expect(drift.summary?.stacks.find((s) => s.stack === 'env-network')).toMatchObject({ status: 'changes', outputChanges: ['id'], drift: [] });
    // env-data and env-app read env-network's outputs: what they see changed as well.
    expect(drift.summary?.stacks.find((s) => s.stack === 'env-data')).toMatchObject({ status: 'changes', outputChanges: ['env_network_id'] });
    expect(drift.summary?.stacks.find((s) => s.stack === 'env-edge')).toMatchObject({ status: 'no-changes' });
    expect(applies(drift)).toEqual([]);
    expect(fx.readState('env-network')?.outputs['id']?.value).toBe('changed-by-hand');
  }, 120_000);
});
