import { ENVIRONMENT_NAMES, type EnvironmentName, type Organisation } from '@estate/config';

/** Accounts that have a deploy role, a plan role and a state backend. */
export const STATE_ACCOUNTS = ['ops', ...ENVIRONMENT_NAMES] as const;
export type StateAccount = (typeof STATE_ACCOUNTS)[number];

/**
 * Name of the CI role for pull requests: the CI role's name with `-pr`. A separate role,
 * because IAM cannot tell apart two sessions of one role: the pull-request role's trust
 * accepts only the `pull_request` subject and it may assume only plan roles.
 */
export function pullRequestRoleName(ciRoleName: string): string {
  return `${ciRoleName}-pr`;
}

/** Every role ARN of the organisation's deployment model, from the organisation model alone. */
export interface OrganisationRoles {
  /** CI role in ops, for the deploy branch: assumes deploy and plan roles. */
  readonly ciRoleArn: string;
  /** CI role in ops, for pull requests: assumes plan roles only. */
  readonly pullRequestRoleArn: string;
  /** Operator role in ops, for people with MFA: assumes deploy and plan roles. */
  readonly operatorRoleArn: string;
  /** The principals a deploy role trusts. */
  readonly deployers: readonly string[];
  /** The principals a plan role trusts. */
  readonly planners: readonly string[];
  readonly deployRoleArns: Readonly<Record<StateAccount, string>>;
  readonly planRoleArns: Readonly<Record<StateAccount, string>>;
  /** Deploy roles of the environment accounts (each alone may assume its environment's legacy migration role). */
  readonly environmentDeployRoleArns: readonly string[];
  /** Per environment, the legacy migration role its deploy role chains into. */
  readonly legacyMigrationRoleArns: Readonly<Record<EnvironmentName, string>>;
  /** Per environment, the read-only legacy role its plan role chains into. */
  readonly legacyPlanRoleArns: Readonly<Record<EnvironmentName, string>>;
}

export function organisationRoles(organisation: Organisation): OrganisationRoles {
  const iam = organisation.iam;
  const ciRoleArn = organisation.roleArn('ops', iam.ciRoleName);
  const pullRequestRoleArn = organisation.roleArn('ops', pullRequestRoleName(iam.ciRoleName));
  const operatorRoleArn = organisation.roleArn('ops', iam.operatorRoleName);
  const byAccount = (name: string) =>
    Object.fromEntries(STATE_ACCOUNTS.map((a) => [a, organisation.roleArn(a, name)])) as Record<StateAccount, string>;
  const deployRoleArns = byAccount(iam.deployRoleName);
  return {
    ciRoleArn,
    pullRequestRoleArn,
    operatorRoleArn,
    deployers: [ciRoleArn, operatorRoleArn],
    planners: [ciRoleArn, pullRequestRoleArn, operatorRoleArn],
    deployRoleArns,
    planRoleArns: byAccount(iam.planRoleName),
    environmentDeployRoleArns: ENVIRONMENT_NAMES.map((e: EnvironmentName) => deployRoleArns[e]),
    legacyMigrationRoleArns: Object.fromEntries(ENVIRONMENT_NAMES.map((e) => [e, organisation.legacyRoleArn(e)])) as Record<EnvironmentName, string>,
    legacyPlanRoleArns: Object.fromEntries(ENVIRONMENT_NAMES.map((e) => [e, organisation.legacyRoleArn(e, 'plan')])) as Record<EnvironmentName, string>,
  };
}
