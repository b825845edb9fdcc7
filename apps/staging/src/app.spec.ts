import { synthesizeAll, untaggedResources } from '@estate/platform';
import { buildStagingApp } from './app';

describe('staging app', () => {
  const stacks = synthesizeAll(buildStagingApp, { team: 'payments', costCenter: 'CC-7' });

  it('synthesizes every stack of the environment with no guardrail errors', () => {
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(['staging-network', 'staging-data', 'staging-app', 'staging-observability', 'staging-cutover']));
  });

  it('deploys every stack into the staging account through its deploy role', () => {
    for (const { json } of stacks) {
      const main = json.provider.aws.find((p: { alias?: string }) => !p.alias);
      expect(main.assume_role[0].role_arn).toBe(`arn:aws:iam::${main.allowed_account_ids[0]}:role/estate-deploy`);
      expect(json.terraform.backend.s3.bucket).toBe(`staging-tfstate-${main.allowed_account_ids[0]}`);
    }
  });

  it('tags every taggable resource with Environment, Team and CostCenter from the environment', () => {
    expect(stacks.flatMap(untaggedResources)).toEqual([]);
    for (const { json } of stacks) {
      for (const resources of Object.values<Record<string, { tags?: Record<string, string> }>>(json.resource ?? {})) {
        for (const config of Object.values(resources)) {
          if (config.tags) expect(config.tags).toMatchObject({ Environment: 'staging', Team: 'payments', CostCenter: 'CC-7' });
        }
      }
    }
  });
});
