import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { Organisation } from '@estate/config';
import { suppressRules } from '@estate/guardrails';
import { GithubActionsRole, GithubOidcProvider, OperatorRole, organisationRoles, pullRequestRoleName, STATE_ACCOUNTS } from '@estate/iam';
import { BaseStack } from '@estate/platform';

/**
 * Session length of the CI and operator roles: the first hop of every run, whose
 * credentials the provider uses to refresh the chained (1 h) deploy-role sessions. It
 * must outlast the longest step: a data-stack apply waits on two snapshot copies with
 * 4 h timeouts each, then the restore. 12 h is the most IAM allows.
 */
export const OPERATOR_SESSION_SECONDS = 12 * 3600;

export interface CiIdentityStackProps {
  readonly organisation: Organisation;
}

/**
 * The root of trust of every deployment, in the ops account:
 *
 * - the GitHub Actions OIDC provider;
 * - the CI role, trusted only for `repo:<owner>/<repo>:ref:refs/heads/<deployBranch>`: it
 *   may assume every account's deploy and plan roles;
 * - the pull-request role (`<ciRoleName>-pr`), trusted only for `repo:<owner>/<repo>:pull_request`:
 *   it may assume plan roles only. A separate role because a deploy role cannot tell two
 *   sessions of one role apart; the deploy roles simply do not trust this one;
 * - the operator role for people, MFA required: deploy and plan roles.
 *
 * Applied by an administrator through the ops bootstrap role (like backend-bootstrap),
 * never by CI: the CI role must not be able to rewrite its own trust.
 */
export class CiIdentityStack extends BaseStack {
  public readonly oidcProvider: GithubOidcProvider;
  public readonly ciRole: GithubActionsRole;
  public readonly pullRequestRole: GithubActionsRole;
  public readonly operatorRole: OperatorRole;

  constructor(scope: Construct, props: CiIdentityStackProps) {
    const { organisation } = props;
    const target = organisation.account('ops');
    const bootstrapRoleArn = organisation.bootstrapRoleArn('ops');
    super(scope, 'ci-identity', { target, organisation, assumeRoleArn: bootstrapRoleArn, tier: 'production' });
    // State is reached with the administrator's bootstrap role too (the deploy role trusts only what this stack creates).
    this.addOverride('terraform.backend.s3.assume_role.role_arn', bootstrapRoleArn);

    const { iam, github } = organisation;
    const roles = organisationRoles(organisation);
    const session = OPERATOR_SESSION_SECONDS;
    const deployRoles = STATE_ACCOUNTS.map((a) => roles.deployRoleArns[a]);
    const planRoles = STATE_ACCOUNTS.map((a) => roles.planRoleArns[a]);

    this.oidcProvider = new GithubOidcProvider(this, 'github-oidc');
    this.ciRole = new GithubActionsRole(this, 'ci-role', {
      roleName: iam.ciRoleName,
      description: `GitHub Actions on ${github.repository}@${github.deployBranch}: deploys through the accounts' deploy roles`,
      oidcProvider: this.oidcProvider,
      repository: github.repository,
      subject: { branch: github.deployBranch },
      maxSessionDurationSeconds: session,
    });
    this.ciRole.allowAssume(deployRoles, 'AssumeDeployRoles');
    this.ciRole.allowAssume(planRoles, 'AssumePlanRoles');

    this.pullRequestRole = new GithubActionsRole(this, 'pull-request-role', {
      roleName: pullRequestRoleName(iam.ciRoleName),
      description: `GitHub Actions on pull requests of ${github.repository}: plans only`,
      oidcProvider: this.oidcProvider,
      repository: github.repository,
      subject: { pullRequests: true },
      // Plans only: an hour is plenty.
      maxSessionDurationSeconds: iam.maxSessionDurationSeconds,
    });
    this.pullRequestRole.allowAssume(planRoles, 'AssumePlanRoles');

    this.operatorRole = new OperatorRole(this, 'operator-role', {
      roleName: iam.operatorRoleName,
      description: 'People running the migration and break-glass deploys; MFA required',
      accountId: target.accountId,
      maxSessionDurationSeconds: session,
    });
    this.operatorRole.allowAssume(deployRoles, 'AssumeDeployRoles');
    this.operatorRole.allowAssume(planRoles, 'AssumePlanRoles');

    for (const role of [this.ciRole, this.pullRequestRole, this.operatorRole]) {
      suppressRules(role.resource, [
        { id: 'MIG-NAME-1', reason: 'named by the organisation model (iam.ciRoleName / operatorRoleName): every deploy and plan role trusts these exact ARNs' },
      ]);
    }

    new TerraformOutput(this, 'github_oidc_provider_arn', { value: this.oidcProvider.providerArn });
    new TerraformOutput(this, 'ci_role_arn', { value: this.ciRole.roleArn });
    new TerraformOutput(this, 'pull_request_role_arn', { value: this.pullRequestRole.roleArn });
    new TerraformOutput(this, 'operator_role_arn', { value: this.operatorRole.roleArn });
  }
}
