import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ENVIRONMENT_NAMES, Naming, snapshotIdentifierFor, type AccountTarget, type EnvironmentName, type Organisation } from '@estate/config';
import { REQUIRED_TAG_KEYS } from '@estate/tagging';
import { CrossAccountRole, legacyMigrationPermissions, organisationRoles, parseRoleArn } from '@estate/iam';
import { suppressRules } from '@estate/guardrails';
import { BaseStack } from '@estate/platform';
import { localStatePath, type BootstrapBackend } from './backend-choice';

export interface LegacyBootstrapStackProps {
  readonly organisation: Organisation;
  readonly backend: BootstrapBackend;
}

const roleNameOf = (arn: string) => parseRoleArn(arn, 'legacy bootstrap').roleName;

/**
 * The legacy account's one piece of new infrastructure: per environment, the migration
 * role that environment's stacks and runner use (snapshot, copy and share, peering
 * acceptance, routes and SG rules in the legacy VPC, records of that environment's names
 * in the legacy zone, the legacy secret) and its read-only plan twin. Each is trusted
 * only by that environment's deploy (or plan) role, with the external id: dev's preview
 * destroy can never touch prod's records, snapshots or peering. Legacy keeps no state backend of its own: this stack's state lives in the
 * ops bucket under `legacy/`.
 */
export class LegacyBootstrapStack extends BaseStack {
  /** Per environment, the role its deploy role chains into (scoped to its names, snapshots and peering). */
  public readonly migrationRoles = {} as Record<EnvironmentName, CrossAccountRole>;
  /** Per environment, the read-only role its plan role chains into. */
  public readonly planRoles = {} as Record<EnvironmentName, CrossAccountRole>;

  constructor(scope: Construct, props: LegacyBootstrapStackProps) {
    const { organisation } = props;
    const ops = organisation.account('ops');
    const naming = new Naming('legacy');
    const target: AccountTarget = {
      role: 'legacy',
      accountId: organisation.accountId('legacy'),
      region: organisation.region,
      deployRoleArn: organisation.deployRoleArn('legacy'),
      naming,
      tags: { ...ops.tags, [REQUIRED_TAG_KEYS[0]]: 'legacy' },
      state: ops.state,
    };
    super(scope, 'bootstrap', {
      target,
      organisation,
      assumeRoleArn: organisation.bootstrapRoleArn('legacy'),
      backend: props.backend === 'local' ? { localPath: localStatePath(naming.stack('bootstrap')) } : 's3',
      tier: 'production',
    });
    if (props.backend === 's3') {
      // The state lives in the ops account: its key and (for the administrator) its bootstrap role.
      this.addOverride('terraform.backend.s3.kms_key_id', `arn:aws:kms:${ops.region}:${ops.accountId}:${ops.state.kmsKeyAlias}`);
      this.addOverride('terraform.backend.s3.assume_role.role_arn', organisation.bootstrapRoleArn('ops'));
    }

    const iam = organisation.iam;
    const legacy = organisation.legacy;
    const roles = organisationRoles(organisation);
    const domains = Object.fromEntries(ENVIRONMENT_NAMES.map((e) => [e, organisation.input.environments[e].domainName])) as Record<EnvironmentName, string>;
    for (const environment of ENVIRONMENT_NAMES) {
      const domain = domains[environment];
      const permissions = legacyMigrationPermissions({
        region: organisation.region,
        accountId: target.accountId,
        prefix: naming.prefix,
        environment: 'legacy',
        environmentPrefix: new Naming(environment).prefix,
        environmentAccountId: organisation.accountId(environment),
        vpcId: legacy.vpcId,
        recordDomains: [domain],
        // prod's domain is the zone apex: the other environments' names below it stay theirs.
        excludedRecordDomains: ENVIRONMENT_NAMES.filter((e) => e !== environment && domains[e].endsWith(`.${domain}`)).map((e) => domains[e]),
        // The runner takes one pre-migration snapshot per environment (snapshotIdentifierFor).
        sourceSnapshots: legacy.databases.map((db) => snapshotIdentifierFor(db, environment)),
        sourceInstances: legacy.databases.map((db) => db.instanceIdentifier),
        shareKeys: [...new Set(legacy.databases.map((db) => db.shareKmsKey))],
        secretNames: legacy.databases.map((db) => db.secretName),
      });
      const migrationRole = new CrossAccountRole(this, `migration-role-${environment}`, {
        roleName: roleNameOf(roles.legacyMigrationRoleArns[environment]),
        description: `Used by the ${environment} stacks and runner in the legacy account during the migration`,
        trustedRoleArns: [roles.deployRoleArns[environment]],
        externalId: iam.externalId,
        maxSessionDurationSeconds: iam.maxSessionDurationSeconds,
        permissions,
      });
      const planRole = new CrossAccountRole(this, `plan-role-${environment}`, {
        roleName: roleNameOf(roles.legacyPlanRoleArns[environment]),
        description: `Read-only twin of the ${environment} legacy migration role, for plan runs`,
        trustedRoleArns: [roles.planRoleArns[environment]],
        externalId: iam.externalId,
        maxSessionDurationSeconds: iam.maxSessionDurationSeconds,
        permissions,
        access: 'read',
      });
      for (const role of [migrationRole, planRole]) {
        suppressRules(role.resource, [
          { id: 'MIG-NAME-1', reason: 'named by the organisation model (iam.legacyMigrationRoleName + environment): the environment stacks build its ARN from it' },
        ]);
      }
      this.migrationRoles[environment] = migrationRole;
      this.planRoles[environment] = planRole;
      new TerraformOutput(this, `legacy_migration_role_arn_${environment}`, { value: migrationRole.roleArn });
      new TerraformOutput(this, `legacy_plan_role_arn_${environment}`, { value: planRole.roleArn });
    }
  }
}
