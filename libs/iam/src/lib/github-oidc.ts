import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { PolicyStatement } from './policy-document';
import { condition, federatedPrincipal } from './principals';
import { Role } from './role';
import { grantAssumeRoles } from './role-reference';

/** GitHub Actions' OIDC issuer (without scheme, as IAM condition keys spell it). */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience `aws-actions/configure-aws-credentials` requests. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface GithubOidcProviderProps {
  /** @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/**
 * The account's IAM OIDC identity provider for GitHub Actions. No thumbprint is pinned:
 * IAM verifies GitHub's certificate against its own trusted CAs for this issuer.
 */
export class GithubOidcProvider extends Construct {
  public readonly resource: IamOpenidConnectProvider;
  public readonly providerArn: string;

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps = {}) {
    super(scope, id);
    this.resource = new IamOpenidConnectProvider(this, 'provider', {
      provider: props.provider,
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
    });
    this.providerArn = this.resource.arn;
  }
}

/** Which workflow runs may assume a {@link GithubActionsRole}. */
export type GithubSubject =
  /** Pushes to (and workflow runs on) exactly this branch. */
  | { readonly branch: string }
  /** Runs triggered by pull requests (GitHub gives no OIDC token to pull requests from forks). */
  | { readonly pullRequests: true };

export interface GithubActionsRoleProps {
  readonly roleName: string;
  readonly description: string;
  readonly oidcProvider: GithubOidcProvider;
  /** `owner/repository`. */
  readonly repository: string;
  readonly subject: GithubSubject;
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/** The `sub` claim GitHub puts in tokens for `subject`. */
export function githubSubjectClaim(repository: string, subject: GithubSubject): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new Error(`GitHub repository '${repository}' is invalid; expected owner/repository without wildcards`);
  }
  if ('branch' in subject) {
    if (!/^[A-Za-z0-9._/-]+$/.test(subject.branch) || subject.branch.includes('..')) {
      throw new Error(`GitHub branch '${subject.branch}' is invalid; expected a plain branch name without wildcards`);
    }
    return `repo:${repository}:ref:refs/heads/${subject.branch}`;
  }
  return `repo:${repository}:pull_request`;
}

/**
 * A role GitHub Actions assumes with its OIDC token. Trust is pinned with
 * `StringEquals` (never `StringLike`) on both the audience and the subject, so only
 * the one repository, and only the given branch (or only pull requests), qualify.
 */
export class GithubActionsRole extends Role {
  public readonly subjectClaim: string;

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    const subjectClaim = githubSubjectClaim(props.repository, props.subject);
    super(scope, id, {
      roleName: props.roleName,
      description: props.description,
      assumedBy: federatedPrincipal(props.oidcProvider.providerArn),
      trustAction: 'sts:AssumeRoleWithWebIdentity',
      trustConditions: [
        condition('StringEquals', `${GITHUB_OIDC_HOST}:aud`, GITHUB_OIDC_AUDIENCE),
        condition('StringEquals', `${GITHUB_OIDC_HOST}:sub`, subjectClaim),
      ],
      maxSessionDurationSeconds: props.maxSessionDurationSeconds,
      provider: props.provider,
    });
    this.subjectClaim = subjectClaim;
  }

  /** Lets this role assume `roleArns` (deploy or plan roles in the organisation's accounts). */
  allowAssume(roleArns: readonly string[], sid?: string): PolicyStatement {
    return grantAssumeRoles(this, roleArns, sid);
  }
}

export interface OperatorRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** The account whose people (IAM users or SSO roles) may assume the role. */
  readonly accountId: string;
  /** Maximum session, and the maximum age of the MFA sign-in, seconds. @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/**
 * The role people use (runbook steps, the migration runner by hand, break-glass deploys):
 * trusted by the account's own principals, only with MFA present and no older than a session.
 */
export class OperatorRole extends Role {
  constructor(scope: Construct, id: string, props: OperatorRoleProps) {
    if (!/^\d{12}$/.test(props.accountId)) throw new Error(`OperatorRole ${id}: accountId '${props.accountId}' is not a 12-digit account id`);
    const session = props.maxSessionDurationSeconds ?? 3600;
    super(scope, id, {
      roleName: props.roleName,
      description: props.description,
      assumedBy: { type: 'AWS', identifiers: [`arn:aws:iam::${props.accountId}:root`] },
      trustConditions: [
        condition('Bool', 'aws:MultiFactorAuthPresent', 'true'),
        condition('NumericLessThan', 'aws:MultiFactorAuthAge', String(session)),
      ],
      maxSessionDurationSeconds: session,
      provider: props.provider,
    });
  }

  /** Lets this role assume `roleArns`. */
  allowAssume(roleArns: readonly string[], sid?: string): PolicyStatement {
    return grantAssumeRoles(this, roleArns, sid);
  }
}
