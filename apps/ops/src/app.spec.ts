import { synthesizeAll, untaggedResources } from '@estate/platform';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpsApp } from './app';
import { OPERATOR_SESSION_SECONDS } from './ci-identity-stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const OPS = '222222222222';
const ENV_ACCOUNTS = ['222222222222', '333333333333', '444444444444', '555555555555'];

describe('ops app', () => {
  const stacks = synthesizeAll(buildOpsApp);
  const byName = new Map(stacks.map((s) => [s.name, s.json as Json]));
  const roles = (): Json[] => Object.values(byName.get('ops-ci-identity').resource.aws_iam_role);
  const role = (name: string) => roles().find((r) => r.name === name);
  const policyOf = (name: string): Json[] => {
    const policies: Json[] = Object.values(byName.get('ops-ci-identity').resource.aws_iam_role_policy);
    const key = Object.entries<Json>(byName.get('ops-ci-identity').resource.aws_iam_role).find(([, r]) => r.name === name)?.[0] ?? `missing ${name}`;
    return JSON.parse(policies.find((p) => p.role.includes(key)).policy).Statement;
  };

  it('synthesizes ci-identity, migration-ledger and registry with no guardrail errors', () => {
    expect([...byName.keys()].sort()).toEqual(['ops-ci-identity', 'ops-migration-ledger', 'ops-registry']);
    expect(stacks.flatMap((stack) => untaggedResources(stack))).toEqual([]);
  });

  it('applies ci-identity through the ops bootstrap role, the ledger through the ops deploy role', () => {
    expect(byName.get('ops-ci-identity').provider.aws[0].assume_role[0].role_arn).toBe(`arn:aws:iam::${OPS}:role/OrganizationAccountAccessRole`);
    expect(byName.get('ops-migration-ledger').provider.aws[0].assume_role[0].role_arn).toBe(`arn:aws:iam::${OPS}:role/estate-deploy`);
  });

  it('pins the CI role to the deploy branch and the pull-request role to pull requests', () => {
    const sub = (name: string) => JSON.parse(role(name).assume_role_policy).Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'];
    expect(sub('estate-ci')).toBe('repo:fintech/estate-migration:ref:refs/heads/main');
    expect(sub('estate-ci-pr')).toBe('repo:fintech/estate-migration:pull_request');
  });

  it('lets CI and operators assume deploy and plan roles, pull requests only plan roles', () => {
    const assumable = (name: string) => policyOf(name).filter((s) => s.Action === 'sts:AssumeRole').flatMap((s) => [].concat(s.Resource));
    const deploy = ENV_ACCOUNTS.map((a) => `arn:aws:iam::${a}:role/estate-deploy`);
    const plan = ENV_ACCOUNTS.map((a) => `arn:aws:iam::${a}:role/estate-plan`);
    expect(assumable('estate-ci')).toEqual([...deploy, ...plan]);
    expect(assumable('estate-operator')).toEqual([...deploy, ...plan]);
    expect(assumable('estate-ci-pr')).toEqual(plan);
  });

  it('gives CI and operators the ledger, and the ledger key admits exactly them', () => {
    for (const name of ['estate-ci', 'estate-operator']) {
      const resources = policyOf(name).flatMap((s) => [].concat(s.Resource));
      expect(resources).toEqual(expect.arrayContaining([`arn:aws:dynamodb:us-east-1:${OPS}:table/ops-migration-ledger`, `arn:aws:sns:us-east-1:${OPS}:ops-migration-events`]));
    }
    const key: Json = Object.values(byName.get('ops-migration-ledger').resource.aws_kms_key)[0];
    const principals = JSON.parse(key.policy).Statement.map((s: Json) => s.Principal.AWS);
    // The first statement is the account's own administration (its id comes from the caller identity).
    expect(principals[0]).toMatch(/^arn:aws:iam::\$\{data\.aws_caller_identity\.[^}]+\}:root$/);
    expect(principals.slice(1).sort()).toEqual([`arn:aws:iam::${OPS}:role/estate-ci`, `arn:aws:iam::${OPS}:role/estate-ci`, `arn:aws:iam::${OPS}:role/estate-operator`, `arn:aws:iam::${OPS}:role/estate-operator`]);
  });

  it('outputs the identities and the ledger for the runner and CI', () => {
    expect(Object.keys(byName.get('ops-ci-identity').output).sort()).toEqual(['ci_role_arn', 'github_oidc_provider_arn', 'operator_role_arn', 'pull_request_role_arn']);
    expect(Object.keys(byName.get('ops-migration-ledger').output).sort()).toEqual(['events_topic_arn', 'ledger_key_alias', 'ledger_key_arn', 'ledger_table_arn', 'ledger_table_name']);
  });

  it('keeps one shared repository per service, pullable only by the environment accounts\' execution roles', () => {
    const registry = byName.get('ops-registry');
    expect(registry.provider.aws[0].assume_role[0].role_arn).toBe(`arn:aws:iam::${OPS}:role/estate-deploy`);
    const repositories: Json[] = Object.values(registry.resource.aws_ecr_repository);
    expect(repositories.map((r) => r.name)).toEqual(['ops-api']);
    expect(repositories[0].image_tag_mutability).toBe('IMMUTABLE');
    const policy = JSON.parse((Object.values(registry.resource.aws_ecr_repository_policy)[0] as Json).policy);
    const pull = policy.Statement.find((st: Json) => ([] as string[]).concat(st.Action).includes('ecr:BatchGetImage'));
    expect(([] as string[]).concat(pull.Principal.AWS).sort()).toEqual(['333333333333', '444444444444', '555555555555'].map((a) => `arn:aws:iam::${a}:root`));
    expect(([] as string[]).concat(pull.Condition.ArnLike['aws:PrincipalArn']).sort()).toEqual([
      'arn:aws:iam::333333333333:role/dev-*-execution',
      'arn:aws:iam::444444444444:role/staging-*-execution',
      'arn:aws:iam::555555555555:role/prod-*-execution',
    ]);
  });

  it('gives CI and operators sessions that outlast every workflow job, and the workflows request them', () => {
    expect(role('estate-ci').max_session_duration).toBe(OPERATOR_SESSION_SECONDS);
    expect(role('estate-operator').max_session_duration).toBe(OPERATOR_SESSION_SECONDS);
    const dir = join(__dirname, '..', '..', '..', '.github', 'workflows');
    let configured = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const jobMinutes = Math.max(...[...text.matchAll(/timeout-minutes:\s*(\d+)/g)].map((m) => Number(m[1])));
      for (const step of text.split(/\n\s*- /).filter((s) => s.includes('aws-actions/configure-aws-credentials'))) {
        configured++;
        const requested = Number(/role-duration-seconds:\s*(\d+)/.exec(step)?.[1] ?? 3600);
        expect({ file, requested: requested >= jobMinutes * 60 }).toEqual({ file, requested: true });
        expect(requested).toBeLessThanOrEqual(OPERATOR_SESSION_SECONDS);
      }
    }
    expect(configured).toBeGreaterThan(0);
  });
});
