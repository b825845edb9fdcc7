export { PolicyDocument, PolicyStatement, type Condition, type PolicyStatementProps, type Principal } from './lib/policy-document';
export { awsPrincipal, condition, federatedPrincipal, servicePrincipal } from './lib/principals';
export { Role, type Grantable, type RoleProps } from './lib/role';
export { EncryptionKey, type EncryptionKeyProps } from './lib/encryption-key';
export { permissionStatements, validatePermissionSet, type PermissionSet } from './lib/permission-set';
export {
  environmentDeployPermissions,
  FIXED_NAME_ROLES,
  legacyMigrationPermissions,
  opsDeployPermissions,
  SERVICE_LINKED_ROLE_SERVICES,
  WORKLOAD_SERVICES,
  workloadPermissions,
  type AccountScope,
  type EnvironmentPermissionScope,
  type LegacyPermissionScope,
  type OpsPermissionScope,
} from './lib/account-permissions';
export { PermissionsBoundary, ROLE_CHANGES, type PermissionsBoundaryProps } from './lib/permissions-boundary';
export { grantAssumeRoles, parseRoleArn, RoleReference } from './lib/role-reference';
export {
  CrossAccountRole,
  chunkStatements,
  crossAccountTrust,
  DeployRole,
  PlanRole,
  type CrossAccountRoleProps,
  type DeployRoleProps,
  type PlanRoleProps,
} from './lib/deploy-role';
export {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GithubActionsRole,
  GithubOidcProvider,
  githubSubjectClaim,
  OperatorRole,
  type GithubActionsRoleProps,
  type GithubOidcProviderProps,
  type GithubSubject,
  type OperatorRoleProps,
} from './lib/github-oidc';
export { organisationRoles, pullRequestRoleName, STATE_ACCOUNTS, type OrganisationRoles, type StateAccount } from './lib/organisation-roles';
export { accountLevelArn, compactAllows, verbPattern } from './lib/compact-policy';
