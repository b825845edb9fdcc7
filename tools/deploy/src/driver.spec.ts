import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { awsAccountsOf, confirmationProblems, missingVariables, runDriver, wavesOf } from './driver';
import { PreflightError } from './preflight';

const workspaceRoot = join(__dirname, '..', '..', '..');
const org = Organisation.fromInput(exampleOrganisationInput());
const preview = Organisation.fromInput(exampleOrganisationInput(), { environmentSuffix: 'pr42' });

/** A `terraform` on PATH that records that it was called: a dry run must never call it. */
function spyTerraform(): { env: NodeJS.ProcessEnv; marker: string } {
  const dir = mkdtempSync(join(tmpdir(), 'spy-tf-'));
  const marker = join(dir, 'called');
  writeFileSync(join(dir, 'terraform'), `#!/bin/sh\necho "$@" >> '${marker}'\n`);
  chmodSync(join(dir, 'terraform'), 0o755);
  return { env: { PATH: `${dir}:${process.env['PATH']}`, TERRAFORM_BINARY: join(dir, 'terraform') }, marker };
}

describe('confirmationProblems', () => {
  it('lets plan and drift through without confirmations', () => {
    expect(confirmationProblems({ action: 'plan', app: 'prod' }, org, true)).toEqual([]);
    expect(confirmationProblems({ action: 'drift', app: 'prod' }, org, true)).toEqual([]);
  });

  it('requires --confirm-prod for any change to the prod account', () => {
    expect(confirmationProblems({ action: 'deploy', app: 'prod' }, org, true)).toEqual([
      'deploy of prod changes the prod account (555555555555): add --confirm-prod',
    ]);
    expect(confirmationProblems({ action: 'deploy', app: 'prod', confirmProd: true }, org, true)).toEqual([]);
  });

  it('requires the app name to destroy a non-preview app, and prod needs both confirmations', () => {
    expect(confirmationProblems({ action: 'destroy', app: 'dev' }, org, false)).toEqual([
      'destroy of dev (not a preview) deletes live infrastructure: add --confirm-destroy=dev',
    ]);
    expect(confirmationProblems({ action: 'destroy', app: 'dev', confirmDestroy: 'dev' }, org, false)).toEqual([]);
    expect(confirmationProblems({ action: 'destroy', app: 'prod', confirmDestroy: 'prod' }, org, true)).toEqual([
      'destroy of prod changes the prod account (555555555555): add --confirm-prod',
    ]);
  });

  it('lets a preview copy be destroyed without confirmation', () => {
    expect(confirmationProblems({ action: 'destroy', app: 'dev' }, preview, false)).toEqual([]);
  });
});

describe('missingVariables', () => {
  it('asks for --image-tag when a stack runs the image and TF_VAR_image_tag is unset', () => {
    const json = { variable: { image_tag: {}, retention: { default: 7 } } };
    expect(missingVariables('dev-app', json, {})).toEqual([expect.stringMatching(/^dev-app needs the image to run: pass --image-tag <tag>/)]);
    expect(missingVariables('dev-app', json, { TF_VAR_image_tag: 'abc' })).toEqual([]);
    expect(missingVariables('dev-data', { variable: { cdc_start: {} } }, {})).toEqual(['dev-data needs variable cdc_start (no default): set TF_VAR_cdc_start']);
  });
});

describe('wavesOf', () => {
  it('groups stacks whose dependencies are in earlier waves', () => {
    expect(wavesOf([{ name: 'a', dependencies: [] }, { name: 'b', dependencies: ['a'] }, { name: 'c', dependencies: ['a'] }, { name: 'd', dependencies: ['b', 'c'] }])).toEqual([['a'], ['b', 'c'], ['d']]);
  });
});

describe('runDriver (real apps, no terraform run)', () => {
  it('rejects an unknown app before doing anything', async () => {
    await expect(runDriver({ action: 'plan', app: 'qa', workspaceRoot, dryRun: true, env: {}, log: () => undefined })).rejects.toThrow(
      /unknown app 'qa': expected one of backend-bootstrap, ops, dev, staging, prod/,
    );
  });

  it('rejects bad values before doing anything', async () => {
    await expect(runDriver({ action: 'plan', app: 'dev', workspaceRoot, dryRun: true, parallelism: 0, env: {}, log: () => undefined })).rejects.toThrow(
      'parallelism must be a whole number from 1 to 32, got 0',
    );
    await expect(runDriver({ action: 'deploy', app: 'dev', workspaceRoot, planRole: true, env: {}, log: () => undefined })).rejects.toThrow(
      /deploy needs the deploy role; the plan role .* is read-only/,
    );
    await expect(runDriver({ action: 'deploy', app: 'dev', workspaceRoot, imageTag: '-bad', env: {}, log: () => undefined })).rejects.toThrow(
      "--image-tag '-bad' is not a valid image tag",
    );
  });

  it('stops before synth when prod is not confirmed', async () => {
    const lines: string[] = [];
    const error = await runDriver({ action: 'deploy', app: 'prod', workspaceRoot, env: { PATH: process.env['PATH'] }, log: (l) => lines.push(l) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toContain('deploy of prod changes the prod account (555555555555): add --confirm-prod');
    expect(lines.some((l) => l.startsWith('synthesizing'))).toBe(false);
  });

  it('a dry run of dev lists every stack of dev and its upstream apps in waves, and runs no terraform', async () => {
    const spy = spyTerraform();
    const lines: string[] = [];
    const result = await runDriver({ action: 'deploy', app: 'dev', workspaceRoot, dryRun: true, withUpstream: true, env: spy.env, log: (l) => lines.push(l) });
    expect(existsSync(spy.marker)).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(new Set(result.stacks.map((s) => s.app))).toEqual(new Set(['backend-bootstrap', 'ops', 'dev']));
    expect(result.stacks.every((s) => s.status === 'listed')).toBe(true);
    expect(lines).toContain('  wave 1: dev-bootstrap, ops-bootstrap, prod-bootstrap (prod account), staging-bootstrap');
    expect(lines).toContain('\nprod-bootstrap: in the prod account; without --confirm-prod a real run applies nothing if its plan has changes.');
    expect(lines.findIndex((l) => l.includes('wave') && l.includes('ops-registry'))).toBeLessThan(lines.findIndex((l) => l.includes('wave') && l.includes('dev-network')));
    const network = result.commands.filter((c) => c.includes('stacks/dev-network '));
    expect(network.map((c) => c.replace(/.*&& terraform /, '').replace(/\)$/, ''))).toEqual([
      'init -input=false -no-color -reconfigure',
      'plan -input=false -no-color -lock-timeout=5m -detailed-exitcode -out=tfplan',
      'show -json -no-color tfplan',
      'apply -input=false -no-color -json -lock-timeout=5m tfplan',
      'output -json -no-color',
    ]);
    expect(network[0]).toMatch(/^\(cd apps\/dev\/cdktf\.out\/stacks\/dev-network && /);
    expect(result.realRunProblems).toEqual(expect.arrayContaining([expect.stringMatching(/^dev-app needs the image to run: pass --image-tag/)]));
  }, 90_000);

  it('prod pulls in bootstrap and ops, never staging or dev, and a dry run says a real run needs --confirm-prod', async () => {
    const spy = spyTerraform();
    const result = await runDriver({ action: 'deploy', app: 'prod', workspaceRoot, dryRun: true, withUpstream: true, env: spy.env, log: () => undefined });
    expect(new Set(result.stacks.map((s) => s.app))).toEqual(new Set(['backend-bootstrap', 'ops', 'prod']));
    expect(result.realRunProblems).toContain('deploy of prod changes the prod account (555555555555): add --confirm-prod');
    expect(existsSync(spy.marker)).toBe(false);
  }, 90_000);

  it('destroys a preview alone, in reverse order, with -destroy plans', async () => {
    const spy = spyTerraform();
    const result = await runDriver({ action: 'destroy', app: 'dev', workspaceRoot, dryRun: true, withUpstream: true, env: { ...spy.env, ENVIRONMENT_SUFFIX: 'pr42' }, log: () => undefined });
    expect(result.stacks.every((s) => s.app === 'dev' && s.stack.startsWith('dev-pr42-'))).toBe(true);
    expect(result.commands.some((c) => c.includes('plan -destroy -input=false'))).toBe(true);
    expect(result.commands.every((c) => c.includes('dev-pr42-'))).toBe(true);
  }, 60_000);
});

describe('awsAccountsOf', () => {
  it('reads the accounts the aws providers are pinned to', () => {
    expect(awsAccountsOf({ provider: { aws: [{ allowed_account_ids: ['555555555555'] }, {}] } })).toEqual(['555555555555']);
    expect(awsAccountsOf({})).toEqual([]);
  });
});
