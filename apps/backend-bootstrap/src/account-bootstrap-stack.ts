import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ENVIRONMENT_NAMES, tierOf, type Organisation } from '@estate/config';
import { StateBackend } from '@estate/data';
import {
  DeployRole,
  environmentDeployPermissions,
  grantAssumeRoles,
  opsDeployPermissions,
  organisationRoles,
  PermissionsBoundary,
  PlanRole,
  workloadPermissions,
  type PermissionSet,
  type StateAccount,
} from '@estate/iam';
import { suppressRules } from '@estate/guardrails';
import { BaseStack } from '@estate/platform';
import { localStatePath, type BootstrapBackend } from './backend-choice';

export interface AccountBootstrapStackProps {
  readonly organisation: Organisation;
  /** The account being bootstrapped. */
  readonly account: StateAccount;
  readonly backend: BootstrapBackend;
}

/**
 * What an account needs before any other stack can run in it, applied once by an
 * administrator through the account's bootstrap role (`OrganizationAccountAccessRole`):
 * the state backend (bucket, lock table, key), the permissions boundary, the deploy role
 * and the plan role. Its own state starts local and is then migrated into the bucket it
 * creates (see docs/accounts.md).
 */
export class AccountBootstrapStack extends BaseStack {
  public readonly stateBackend: StateBackend;
  public readonly boundary: PermissionsBoundary;
  public readonly deployRole: DeployRole;
  public readonly planRole: PlanRole;

  constructor(scope: Construct, props: AccountBootstrapStackProps) {
    const { organisation, account } = props;
    const target = organisation.account(account);
    const bootstrapRoleArn = organisation.bootstrapRoleArn(account);
    // The ops account holds every account's CI identity and the shared images: it is protected like prod.
    const tier = account === 'ops' ? 'production' : tierOf(organisation.input, account);
    super(scope, 'bootstrap', {
      target,
      organisation,
      assumeRoleArn: bootstrapRoleArn,
      backend: props.backend === 'local' ? { localPath: localStatePath(target.naming.stack('bootstrap')) } : 's3',
      tier,
    });
    if (props.backend === 's3') {
      // The administrator who runs the bootstrap is not a deploy-role principal: reach the state through the bootstrap role too.
      this.addOverride('terraform.backend.s3.assume_role.role_arn', bootstrapRoleArn);
    }

    const iam = organisation.iam;
    const roles = organisationRoles(organisation);
    const { accountId, region, naming } = target;
    const scopeOf = { region, accountId, prefix: naming.prefix, environment: account };
    this.boundary = new PermissionsBoundary(this, 'boundary', {
      policyName: naming.resource('iam-policy', 'deploy-boundary'),
      accountId,
      description: `Caps the ${iam.deployRoleName} role and every role it creates in ${account}`,
    });

    let permissions: PermissionSet[];
    if (account === 'ops') {
      permissions = opsDeployPermissions(scopeOf);
    } else {
      const envScope = {
        ...scopeOf,
        // Not organisation.environment(): bootstrap is per account and ignores ENVIRONMENT_SUFFIX.
        domainName: organisation.input.environments[account].domainName,
        opsAccountId: organisation.accountId('ops'),
        legacyAccountId: organisation.accountId('legacy'),
        peerAccountIds: ENVIRONMENT_NAMES.filter((e) => e !== account).map((e) => organisation.accountId(e)),
        legacyMigrationRoleArn: roles.legacyMigrationRoleArns[account],
        boundaryArn: this.boundary.policyArn,
        existingSecretNames: organisation.databases.flatMap((db) => (db.masterSecretName ? [db.masterSecretName] : [])),
      };
      permissions = environmentDeployPermissions(envScope);
      // The roles the deploy role creates (task, execution, monitoring, DMS) work within the boundary too.
      this.boundary.allowPermissions(workloadPermissions(envScope));
    }

    this.stateBackend = new StateBackend(this, 'state', {
      target: target.state,
      accountId,
      deployRoleArns: [roles.deployRoleArns[account]],
      deletionProtection: tier === 'production',
    });
    this.stateBackend.protectWith(this.boundary);

    this.deployRole = new DeployRole(this, 'deploy-role', {
      roleName: iam.deployRoleName,
      description: `Applies the ${account} stacks; assumed by the ops CI and operator roles only`,
      trustedRoleArns: roles.deployers,
      externalId: iam.externalId,
      maxSessionDurationSeconds: iam.maxSessionDurationSeconds,
      boundary: this.boundary,
      permissionsPolicyName: naming.resource('iam-policy', 'deploy-permissions'),
      permissions,
    });
    this.planRole = new PlanRole(this, 'plan-role', {
      roleName: iam.planRoleName,
      description: `Read-only plans of the ${account} stacks for pull requests`,
      trustedRoleArns: roles.planners,
      externalId: iam.externalId,
      maxSessionDurationSeconds: iam.maxSessionDurationSeconds,
      permissions,
    });
    this.boundary.protectRole(roles.planRoleArns[account]);
    if (account !== 'ops') {
      // Plan runs chain into this environment's read-only legacy role, as deploy runs do into its migration role.
      grantAssumeRoles(this.planRole, [roles.legacyPlanRoleArns[account]]);
    }

    const orgModelName = {
      id: 'MIG-NAME-1',
      reason: 'named by the organisation model (iam.deployRoleName / planRoleName): the same name in every account, so callers can build the ARN',
    };
    suppressRules(this.deployRole.resource, [orgModelName]);
    suppressRules(this.planRole.resource, [orgModelName]);
    suppressRules(this.boundary.policy, [
      {
        id: 'MIG-IAM-5',
        reason:
          'a permissions boundary grants nothing, it caps: compacted to fit 6,144 characters, its account-level resources include keys (created later, so unnamed here); each role names its keys in its own policy',
      },
    ]);

    // The ops bucket also keeps the legacy account's bootstrap state (legacy has no backend of its own).
    const prefixes = account === 'ops' ? [naming.qualifier, 'legacy'] : [naming.qualifier];
    for (const prefix of prefixes) {
      this.stateBackend.grantStateAccess(this.deployRole, prefix);
      this.stateBackend.grantStateRead(this.planRole, prefix);
    }

    new TerraformOutput(this, 'deploy_role_arn', { value: this.deployRole.roleArn });
    new TerraformOutput(this, 'plan_role_arn', { value: this.planRole.roleArn });
    new TerraformOutput(this, 'permissions_boundary_arn', { value: this.boundary.policy.arn });
    new TerraformOutput(this, 'state_bucket', { value: this.stateBackend.bucket.bucketName });
    new TerraformOutput(this, 'state_lock_table', { value: this.stateBackend.table.name });
    new TerraformOutput(this, 'state_key_arn', { value: this.stateBackend.keyArn });
    new TerraformOutput(this, 'state_key_alias', { value: this.stateBackend.keyAlias });
  }
}
