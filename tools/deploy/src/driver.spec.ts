import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { confirmationProblems, runDriver } from './driver';
import { PreflightError } from './preflight';

const workspaceRoot = join(__dirname, '..', '..', '..');
const outdir = () => join(mkdtempSync(join(tmpdir(), 'driver-')), 'cdktf.out');
const org = Organisation.fromInput(exampleOrganisationInput());
const preview = Organisation.fromInput(exampleOrganisationInput(), { environmentSuffix: 'pr42' });

describe('confirmationProblems', () => {
  it('lets plan through without confirmations', () => {
    expect(confirmationProblems({ action: 'plan', app: 'prod' }, org, true)).toEqual([]);
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

describe('runDriver', () => {
  it('rejects an unknown app before doing anything', async () => {
    await expect(runDriver({ action: 'plan', app: 'qa', workspaceRoot, dryRun: true, env: {}, log: () => undefined })).rejects.toThrow(
      /unknown app 'qa': expected one of backend-bootstrap, ops, dev, staging, prod/,
    );
  });

  it('stops before synth when prod is not confirmed', async () => {
    const lines: string[] = [];
    const error = await runDriver({ action: 'deploy', app: 'prod', workspaceRoot, dryRun: true, env: { PATH: process.env['PATH'] }, log: (l) => lines.push(l) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toContain('add --confirm-prod');
    expect(lines).not.toContain('synthesizing prod');
  });

  it('lists init, plan and apply of each stack in dependency order in a dry run', async () => {
    const result = await runDriver({ action: 'deploy', app: 'dev', workspaceRoot, outdir: outdir(), dryRun: true, env: { PATH: process.env['PATH'] }, log: () => undefined });
    const stacks = result.commands.filter((c) => c.includes(' init ')).map((c) => /stacks\/([\w-]+)/.exec(c)?.[1]);
    expect(stacks.indexOf('dev-network')).toBe(0);
    expect(stacks.indexOf('dev-data')).toBeLessThan(stacks.indexOf('dev-app'));
    expect(stacks.indexOf('dev-app')).toBeLessThan(stacks.indexOf('dev-cutover'));
    const network = result.commands.filter((c) => c.includes('stacks/dev-network '));
    expect(network.map((c) => c.replace(/.*&& terraform /, '').replace(/\)$/, ''))).toEqual([
      'init -input=false -reconfigure',
      'plan -input=false -lock-timeout=5m -out=tfplan',
      'apply -input=false -lock-timeout=5m tfplan',
      'output -json',
    ]);
  }, 60_000);

  it('destroys a preview in reverse order with -destroy plans', async () => {
    const result = await runDriver({
      action: 'destroy',
      app: 'dev',
      workspaceRoot,
      outdir: outdir(),
      dryRun: true,
      env: { PATH: process.env['PATH'], ENVIRONMENT_SUFFIX: 'pr42' },
      log: () => undefined,
    });
    const inits = result.commands.filter((c) => c.includes(' init ')).map((c) => /stacks\/([\w-]+)/.exec(c)?.[1]);
    expect(inits[inits.length - 1]).toBe('dev-pr42-network');
    expect(result.commands.some((c) => c.includes('plan -destroy -input=false'))).toBe(true);
    expect(result.commands.every((c) => c.includes('dev-pr42-'))).toBe(true);
  }, 60_000);
});
