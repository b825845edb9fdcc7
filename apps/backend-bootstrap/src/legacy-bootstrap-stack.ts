import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { ENVIRONMENT_NAMES, Naming, type AccountTarget, type Organisation } from '@estate/config';
import { REQUIRED_TAG_KEYS } from '@estate/tagging';
import { CrossAccountRole, legacyMigrationPermissions, organisationRoles } from '@estate/iam';
import { suppressRules } from '@estate/guardrails';
import { BaseStack } from '@estate/platform';
import { localStatePath, type BootstrapBackend } from './backend-choice';

export interface LegacyBootstrapStackProps {
  readonly organisation: Organisation;
  readonly backend: BootstrapBackend;
}

/**
 * The legacy account's one piece of new infrastructure: the migration role the
 * environment stacks' legacy provider uses (snapshot copy and share, peering acceptance,
 * routes and SG rules in the legacy VPC, records of the environments' names in the legacy
 * zone, lookups). Trusted only by the environment accounts' deploy roles, with the
 * external id. Legacy keeps no state backend of its own: this stack's state lives in the
 * ops bucket under `legacy/`.
 */
export class LegacyBootstrapStack extends BaseStack {
  public readonly migrationRole: CrossAccountRole;

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
      assumeRoleArn: organisation.roleArn('legacy', organisation.iam.bootstrapRoleName),
      backend: props.backend === 'local' ? { localPath: localStatePath(naming.stack('bootstrap')) } : 's3',
      tier: 'production',
    });
    if (props.backend === 's3') {
      // The state lives in the ops account: its key and (for the administrator) its bootstrap role.
      this.addOverride('terraform.backend.s3.kms_key_id', `arn:aws:kms:${ops.region}:${ops.accountId}:${ops.state.kmsKeyAlias}`);
      this.addOverride('terraform.backend.s3.assume_role.role_arn', organisation.roleArn('ops', organisation.iam.bootstrapRoleName));
    }

    const iam = organisation.iam;
    const legacy = organisation.legacy;
    this.migrationRole = new CrossAccountRole(this, 'migration-role', {
      roleName: iam.legacyMigrationRoleName,
      description: 'Used by the environment stacks in the legacy account during the migration',
      trustedRoleArns: organisationRoles(organisation).environmentDeployRoleArns,
      externalId: iam.externalId,
      maxSessionDurationSeconds: iam.maxSessionDurationSeconds,
      permissions: legacyMigrationPermissions({
        region: organisation.region,
        accountId: target.accountId,
        prefix: naming.prefix,
        environment: 'legacy',
        environmentPrefixes: ENVIRONMENT_NAMES.map((e) => new Naming(e).prefix),
        vpcId: legacy.vpcId,
        recordDomains: ENVIRONMENT_NAMES.map((e) => organisation.input.environments[e].domainName),
        sourceSnapshots: legacy.databases.map((db) => db.snapshotIdentifier),
        shareKeys: [...new Set(legacy.databases.map((db) => db.shareKmsKey))],
        secretNames: legacy.databases.map((db) => db.secretName),
      }),
    });

    suppressRules(this.migrationRole.resource, [
      { id: 'MIG-NAME-1', reason: 'named by the organisation model (iam.legacyMigrationRoleName): the environment stacks build its ARN from it' },
    ]);

    new TerraformOutput(this, 'legacy_migration_role_arn', { value: this.migrationRole.roleArn });
  }
}
