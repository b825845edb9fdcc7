import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { awsAccountsOf, confirmationProblems, missingVariables, runDriver, type DriverOptions } from './driver';
import { PreflightError } from './preflight';

// The driver's guards at their edges: each case sits on a boundary of a flag check or a
// confirmation rule, so loosening or tightening the rule changes the answer. Everything here
// stops before synth, so no app is built and no terraform runs.
const workspaceRoot = '/nonexistent-workspace';
const org = Organisation.fromInput(exampleOrganisationInput());
const preview = Organisation.fromInput(exampleOrganisationInput(), { environmentSuffix: 'pr42' });

/** The problems runDriver refuses with, before anything runs. */
async function refusal(options: Partial<DriverOptions>): Promise<readonly string[]> {
  const error = await runDriver({ action: 'plan', app: 'dev', workspaceRoot, dryRun: true, env: {}, log: () => undefined, ...options } as DriverOptions).catch((e: unknown) => e);
  if (!(error instanceof PreflightError)) throw new Error(`expected a PreflightError, got ${String(error)}`);
  return error.problems;
}

/** An app the driver does not know: reaching that check proves every flag before it passed. */
const PAST_FLAGS = ["unknown app 'qa': expected one of backend-bootstrap, ops, dev, staging, prod"];

describe('driver flag checks', () => {
  it('accepts parallelism from 1 to 32 and nothing else', async () => {
    for (const parallelism of [1, 32]) expect(await refusal({ app: 'qa', parallelism })).toEqual(PAST_FLAGS);
    for (const parallelism of [0, 33, 1.5]) {
      expect(await refusal({ app: 'qa', parallelism })).toEqual([`parallelism must be a whole number from 1 to 32, got ${parallelism}`]);
    }
  });

  it('takes lock timeouts written as a whole number and a unit', async () => {
    for (const lockTimeout of ['30s', '5m', '1h', '500ms']) expect(await refusal({ app: 'qa', lockTimeout })).toEqual(PAST_FLAGS);
    for (const lockTimeout of ['5', 'm', '5 m', '1.5m', ' 5m', '5m ']) {
      expect(await refusal({ app: 'qa', lockTimeout })).toEqual([`lock timeout '${lockTimeout}' is not a duration such as 30s or 5m`]);
    }
  });

  it('refuses unknown actions', async () => {
    expect(await refusal({ app: 'qa', action: 'apply' as DriverOptions['action'] })).toEqual(["unknown action 'apply': expected plan, deploy, destroy or drift"]);
  });

  it('allows --bootstrap-initial only on a backend-bootstrap deploy', async () => {
    const message = '--bootstrap-initial applies only to `backend-bootstrap` deploy';
    expect(await refusal({ app: 'dev', action: 'deploy', bootstrapInitial: true })).toContain(message);
    expect(await refusal({ app: 'backend-bootstrap', action: 'plan', bootstrapInitial: true })).toContain(message);
    expect(await refusal({ app: 'backend-bootstrap', action: 'deploy', bootstrapInitial: true, parallelism: 0 })).not.toContain(message);
  });

  it('keeps the read-only plan role, by flag or ESTATE_ROLE, away from deploy and destroy', async () => {
    for (const action of ['deploy', 'destroy'] as const) {
      const message = `${action} needs the deploy role; the plan role (--plan-role, ESTATE_ROLE=plan) is read-only and serves plan and drift`;
      expect(await refusal({ app: 'qa', action, planRole: true })).toEqual([message]);
      expect(await refusal({ app: 'qa', action, env: { ESTATE_ROLE: 'plan' } })).toEqual([message]);
    }
    for (const action of ['plan', 'drift'] as const) expect(await refusal({ app: 'qa', action, planRole: true })).toEqual(PAST_FLAGS);
    expect(await refusal({ app: 'qa', action: 'deploy', env: { ESTATE_ROLE: 'deploy' } })).toEqual(PAST_FLAGS);
  });

  it('takes image tags of up to 128 tag characters that do not start with . or -', async () => {
    for (const imageTag of ['a', '_build', 'v1.2.3-rc_1', `a${'b'.repeat(127)}`]) expect(await refusal({ app: 'qa', imageTag })).toEqual(PAST_FLAGS);
    for (const imageTag of ['', '.hidden', '-dash', 'a:b', 'a/b', `a${'b'.repeat(128)}`]) {
      expect(await refusal({ app: 'qa', imageTag })).toEqual([expect.stringMatching(/^--image-tag '.*' is not a valid image tag/)]);
    }
  });

  it('reports every bad flag at once', async () => {
    expect(await refusal({ app: 'qa', action: 'deploy', parallelism: 0, lockTimeout: 'soon', planRole: true })).toEqual([
      'parallelism must be a whole number from 1 to 32, got 0',
      "lock timeout 'soon' is not a duration such as 30s or 5m",
      'deploy needs the deploy role; the plan role (--plan-role, ESTATE_ROLE=plan) is read-only and serves plan and drift',
    ]);
  });
});

describe('driver preflight before synth', () => {
  /** A terraform new enough for the driver, outside PATH. */
  function goodTerraform(): string {
    const path = join(mkdtempSync(join(tmpdir(), 'guard-tf-')), 'terraform');
    writeFileSync(path, `#!/bin/sh\necho '{"terraform_version":"1.11.4"}'\n`);
    chmodSync(path, 0o755);
    return path;
  }
  /** Synth stands in for everything after preflight: reaching it means preflight let the run through. */
  const synthReached = async (app: string) => {
    throw new Error(`synth of ${app} reached`);
  };

  it('reports a missing prod confirmation and a missing terraform together, before synth', async () => {
    expect(await refusal({ action: 'deploy', app: 'prod', dryRun: false, env: { PATH: '' }, synth: synthReached })).toEqual([
      'deploy of prod changes the prod account (555555555555): add --confirm-prod',
      expect.stringMatching(/^no 'terraform' or 'tofu' on PATH/),
    ]);
  });

  it('lets a confirmed run with a usable terraform through to synth', async () => {
    const problems = await refusal({ action: 'deploy', app: 'prod', dryRun: false, confirmProd: true, env: { PATH: '', TERRAFORM_BINARY: goodTerraform() }, synth: synthReached });
    expect(problems).toEqual(['synth failed, nothing was run: prod: synth of prod reached']);
  });

  it('lets a dry run through to synth whatever a real run would lack', async () => {
    expect(await refusal({ action: 'deploy', app: 'prod', dryRun: true, env: { PATH: '' }, synth: synthReached })).toEqual(['synth failed, nothing was run: prod: synth of prod reached']);
  });
});

describe('confirmation rules', () => {
  it('asks for --confirm-prod on deploy and destroy whenever prod is touched, not otherwise', () => {
    expect(confirmationProblems({ action: 'deploy', app: 'backend-bootstrap' }, org, true)).toEqual(['deploy of backend-bootstrap changes the prod account (555555555555): add --confirm-prod']);
    expect(confirmationProblems({ action: 'deploy', app: 'backend-bootstrap', confirmProd: true }, org, true)).toEqual([]);
    expect(confirmationProblems({ action: 'deploy', app: 'dev' }, org, false)).toEqual([]);
    expect(confirmationProblems({ action: 'drift', app: 'prod' }, org, true)).toEqual([]);
    expect(confirmationProblems({ action: 'plan', app: 'prod' }, org, true)).toEqual([]);
  });

  it('asks for both confirmations to destroy prod, and the app name for any non-preview app', () => {
    expect(confirmationProblems({ action: 'destroy', app: 'prod' }, org, true)).toEqual([
      'destroy of prod changes the prod account (555555555555): add --confirm-prod',
      'destroy of prod (not a preview) deletes live infrastructure: add --confirm-destroy=prod as well as --confirm-prod',
    ]);
    expect(confirmationProblems({ action: 'destroy', app: 'prod', confirmProd: true, confirmDestroy: 'prod' }, org, true)).toEqual([]);
    expect(confirmationProblems({ action: 'destroy', app: 'staging', confirmDestroy: 'dev' }, org, false)).toEqual([
      'destroy of staging (not a preview) deletes live infrastructure: add --confirm-destroy=staging',
    ]);
  });

  it('treats only environment apps as previews when a suffix is set', () => {
    for (const app of ['dev', 'staging', 'prod']) expect(confirmationProblems({ action: 'destroy', app }, preview, false)).toEqual([]);
    expect(confirmationProblems({ action: 'destroy', app: 'ops' }, preview, false)).toEqual([
      'destroy of ops (not a preview) deletes live infrastructure: add --confirm-destroy=ops',
    ]);
  });
});

describe('awsAccountsOf', () => {
  it('collects the accounts every aws provider of a stack is pinned to', () => {
    expect(awsAccountsOf({ provider: { aws: [{ allowed_account_ids: ['333333333333'] }, { allowed_account_ids: ['111111111111', '555555555555'] }, {}] } })).toEqual([
      '333333333333',
      '111111111111',
      '555555555555',
    ]);
    expect(awsAccountsOf({ provider: {} })).toEqual([]);
    expect(awsAccountsOf({})).toEqual([]);
  });
});

describe('missingVariables', () => {
  it('names variables without a default that the environment does not set', () => {
    const json = { variable: { image_tag: {}, replicas: {}, region: { default: 'us-east-1' }, optional: { default: undefined } } };
    expect(missingVariables('dev-app', json, {})).toEqual([
      'dev-app needs the image to run: pass --image-tag <tag> (a tag pushed to the shared registry, e.g. the commit the CI built), or set TF_VAR_image_tag',
      'dev-app needs variable replicas (no default): set TF_VAR_replicas',
    ]);
    expect(missingVariables('dev-app', json, { TF_VAR_image_tag: 'abc', TF_VAR_replicas: '' })).toEqual([]);
    expect(missingVariables('dev-app', {}, {})).toEqual([]);
  });
});
