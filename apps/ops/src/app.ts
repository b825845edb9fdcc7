import type { App } from 'cdktf';
import type { Organisation } from '@estate/config';
import { organisationRoles } from '@estate/iam';
import type { BaseStack } from '@estate/platform';
import { CiIdentityStack } from './ci-identity-stack';
import { MigrationLedgerStack } from './migration-ledger-stack';
import { RegistryStack } from './registry-stack';

/**
 * The ops account's stacks: `ci-identity` (OIDC provider, CI, pull-request and operator
 * roles; applied by an administrator), then `migration-ledger` and `registry` (the shared
 * ECR repositories), both through the ops deploy role.
 * The CI and operator roles run the migration, so they get the ledger; grants use literal
 * ARNs from the organisation model, so neither stack references the other.
 */
export function buildOpsApp(app: App, organisation: Organisation): BaseStack[] {
  const roles = organisationRoles(organisation);
  const identity = new CiIdentityStack(app, { organisation });
  const ledger = new MigrationLedgerStack(app, { organisation });
  for (const [role, arn] of [
    [identity.ciRole, roles.ciRoleArn],
    [identity.operatorRole, roles.operatorRoleArn],
  ] as const) {
    ledger.ledger.grantReadWrite(role, arn);
    ledger.ledger.grantPublish(role, arn);
  }
  return [identity, ledger, new RegistryStack(app, { organisation })];
}
