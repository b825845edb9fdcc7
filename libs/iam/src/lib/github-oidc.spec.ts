import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { GithubActionsRole, GithubOidcProvider, githubSubjectClaim, OperatorRole } from './github-oidc';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('GitHub OIDC and people', () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'ops');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const oidc = new GithubOidcProvider(stack, 'oidc');
  new GithubActionsRole(stack, 'ci', { roleName: 'estate-ci', description: 'ci', oidcProvider: oidc, repository: 'fintech/estate', subject: { branch: 'main' } });
  new GithubActionsRole(stack, 'pr', { roleName: 'estate-ci-pr', description: 'pr', oidcProvider: oidc, repository: 'fintech/estate', subject: { pullRequests: true } });
  new OperatorRole(stack, 'operator', { roleName: 'estate-operator', description: 'people', accountId: '222222222222', maxSessionDurationSeconds: 7200 });
  const json: Json = JSON.parse(Testing.synth(stack));
  const trustOf = (name: string) => JSON.parse(Object.values<Json>(json.resource.aws_iam_role).find((r) => r.name === name).assume_role_policy).Statement;

  it('registers the GitHub issuer for the STS audience', () => {
    const provider = Object.values<Json>(json.resource.aws_iam_openid_connect_provider)[0];
    expect(provider.url).toBe('https://token.actions.githubusercontent.com');
    expect(provider.client_id_list).toEqual(['sts.amazonaws.com']);
  });

  it('pins the CI role to the repository and deploy branch with exact matches', () => {
    expect(trustOf('estate-ci')).toEqual([
      {
        Sid: 'Trust',
        Effect: 'Allow',
        Principal: { Federated: `${'${'}aws_iam_openid_connect_provider.${Object.keys(json.resource.aws_iam_openid_connect_provider)[0]}.arn}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:fintech/estate:ref:refs/heads/main',
          },
        },
      },
    ]);
  });

  it('trusts the pull-request role for pull_request tokens only', () => {
    expect(trustOf('estate-ci-pr')[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toBe('repo:fintech/estate:pull_request');
  });

  it('requires fresh MFA for the operator role, trusting only its own account', () => {
    expect(trustOf('estate-operator')).toEqual([
      {
        Sid: 'Trust',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '7200' } },
      },
    ]);
  });

  it('rejects wildcards in the repository or branch', () => {
    expect(() => githubSubjectClaim('fintech/*', { branch: 'main' })).toThrow(/repository 'fintech\/\*' is invalid/);
    expect(() => githubSubjectClaim('fintech/estate', { branch: 'release-*' })).toThrow(/branch 'release-\*' is invalid/);
  });
});
