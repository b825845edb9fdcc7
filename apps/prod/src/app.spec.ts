import { synthesizeAll, untaggedResources } from '@estate/platform';
import { buildProdApp } from './app';

describe('prod app', () => {
  const stacks = synthesizeAll(buildProdApp, { team: 'payments', costCenter: 'CC-7' });

  it('synthesizes every stack of the environment with no guardrail errors', () => {
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(['prod-network', 'prod-data', 'prod-app', 'prod-observability', 'prod-cutover']));
  });

  it('deploys every stack into the prod account through its deploy role', () => {
    for (const { json } of stacks) {
      const main = json.provider.aws.find((p: { alias?: string }) => !p.alias);
      expect(main.assume_role[0].role_arn).toBe(`arn:aws:iam::${main.allowed_account_ids[0]}:role/estate-deploy`);
      expect(json.terraform.backend.s3.bucket).toBe(`prod-tfstate-${main.allowed_account_ids[0]}`);
    }
  });

  it('tags every taggable resource with Environment, Team and CostCenter from the environment', () => {
    expect(stacks.flatMap(untaggedResources)).toEqual([]);
    for (const { json } of stacks) {
      for (const resources of Object.values<Record<string, { tags?: Record<string, string> }>>(json.resource ?? {})) {
        for (const config of Object.values(resources)) {
          if (config.tags) expect(config.tags).toMatchObject({ Environment: 'prod', Team: 'payments', CostCenter: 'CC-7' });
        }
      }
    }
  });
});
