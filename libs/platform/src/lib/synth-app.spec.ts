import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { exampleOrganisationInput } from '@estate/config';
import { suppressRules } from '@estate/guardrails';
import { BaseStack } from './base-stack';
import { synthesizeApp, type AppBuilder } from './synth-app';

const buildOne: AppBuilder = (app, org) => {
  const stack = new BaseStack(app, 'network', { target: org.environment('dev'), organisation: org });
  new Eip(stack, 'address', { domain: 'vpc' });
};

function workdir() {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  return { dir, outdir: join(dir, 'cdktf.out') };
}

describe('synthesizeApp', () => {
  it('writes every stack and reports resources and dependencies', () => {
    const { outdir } = workdir();
    const lines: string[] = [];
    const summary = synthesizeApp(buildOne, { outdir, env: {}, log: (l) => lines.push(l) });
    expect(summary.stacks).toEqual([{ name: 'dev-network', resources: 1, dependencies: [] }]);
    expect(existsSync(join(outdir, 'stacks', 'dev-network', 'cdk.tf.json'))).toBe(true);
    expect(lines).toContain('  dev-network: 1 resources');
  });

  it('writes nothing, and removes stale output, when the config is invalid', () => {
    const { dir, outdir } = workdir();
    mkdirSync(join(outdir, 'stacks', 'old'), { recursive: true });
    const input = exampleOrganisationInput();
    input.accounts.dev.id = '1234';
    const config = join(dir, 'org.json');
    writeFileSync(config, JSON.stringify(input, null, 2));
    expect(() => synthesizeApp(buildOne, { outdir, env: { ORG_CONFIG: config }, log: () => undefined })).toThrow(
      /accounts\.dev\.id: '1234' is not valid; expected a 12-digit AWS account id/,
    );
    expect(existsSync(outdir)).toBe(false);
    expect(readdirSync(dir)).toEqual(['org.json']);
  });

  it('writes nothing when a guardrail fails', () => {
    const { dir, outdir } = workdir();
    const failing: AppBuilder = (app, org) => {
      const stack = new BaseStack(app, 'network', { target: org.environment('dev'), organisation: org });
      suppressRules(new Eip(stack, 'address', { domain: 'vpc' }), [{ id: 'MIG-TAG-1', reason: '' }]);
    };
    expect(() => synthesizeApp(failing, { outdir, env: {}, log: () => undefined })).toThrow(/\[MIG-GR-1\] ERROR dev-network dev-network\/address/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails on an unknown environment before building anything', () => {
    const { outdir } = workdir();
    const unknown: AppBuilder = (app, org) => new BaseStack(app, 'network', { target: org.environment('qa'), organisation: org });
    expect(() => synthesizeApp(unknown, { outdir, env: {}, log: () => undefined })).toThrow(/'qa' is not a known environment/);
  });
});
