import { synthesizeAll, taggableResources, untaggedResources } from '@estate/platform';
import { buildStagingApp } from './app';

// The example organisation's accounts, written out here so a wrong account id in config or wiring fails.
const STAGING = '444444444444';
const LEGACY = '111111111111';

describe('staging app', () => {
  const stacks = synthesizeAll(buildStagingApp, { team: 'payments', costCenter: 'CC-7' });

  it('synthesizes every stack of the environment with no guardrail errors', () => {
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(['staging-network', 'staging-data', 'staging-app', 'staging-observability', 'staging-cutover']));
  });

  it('deploys every stack into the staging account through its deploy role', () => {
    expect(stacks.length).toBeGreaterThanOrEqual(5);
    for (const { name, json } of stacks) {
      const main = json.provider.aws.find((p: { alias?: string }) => !p.alias);
      expect({ name, accounts: main.allowed_account_ids, role: main.assume_role[0].role_arn }).toEqual({ name, accounts: [STAGING], role: `arn:aws:iam::${STAGING}:role/estate-deploy` });
      expect(json.terraform.backend.s3).toMatchObject({ bucket: `staging-tfstate-${STAGING}`, assume_role: { role_arn: `arn:aws:iam::${STAGING}:role/estate-deploy` } });
    }
  });

  it('gives every aliased provider its own account and role chain', () => {
    const expected: Record<string, object> = {
      legacy: { allowed_account_ids: [LEGACY], assume_role: [{ role_arn: `arn:aws:iam::${STAGING}:role/estate-deploy` }, { role_arn: `arn:aws:iam::${LEGACY}:role/estate-legacy-migration-staging` }] },
    // Staging's VPC peers with dev's: the accepter side runs in dev through dev's deploy role.
    dev: { allowed_account_ids: ['333333333333'], assume_role: [{ role_arn: 'arn:aws:iam::333333333333:role/estate-deploy' }] },
    };
    const aliased = stacks.flatMap(({ name, json }) => json.provider.aws.filter((p: { alias?: string }) => p.alias).map((p: { alias: string }) => ({ name, ...p })));
    expect(new Set(aliased.map((p: { alias: string }) => p.alias))).toEqual(new Set(Object.keys(expected)));
    for (const provider of aliased) expect(provider).toMatchObject(expected[provider.alias]);
  });

  it('tags every taggable resource with Environment, Team and CostCenter from the environment', () => {
    expect(stacks.flatMap(taggableResources).length).toBeGreaterThan(50);
    expect(stacks.flatMap((stack) => untaggedResources(stack, { Environment: 'staging', Team: 'payments', CostCenter: 'CC-7' }))).toEqual([]);
  });
});
