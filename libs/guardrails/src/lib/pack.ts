import { dmsEncryptedWithKms } from './rules/dms/encrypted-with-kms';
import { endpointsUseTls } from './rules/dms/endpoints-use-tls';
import { replicationInstanceNotPublic } from './rules/dms/replication-instance-not-public';
import { tableEncryptedWithKms } from './rules/dynamodb/table-encrypted-with-kms';
import { repositoryEncryptedWithKms } from './rules/ecr/repository-encrypted-with-kms';
import { listenerUsesTls } from './rules/elb/listener-uses-tls';
import { crossAccountTrustHasCondition } from './rules/iam/cross-account-trust-has-condition';
import { noAdministratorAccess } from './rules/iam/no-administrator-access';
import { trustLimitedToOrganisation } from './rules/iam/trust-limited-to-organisation';
import { noAllowWithNotElements } from './rules/iam/no-allow-with-not-elements';
import { noDecryptOnAllKeys } from './rules/iam/no-decrypt-on-all-keys';
import { noServiceWildcardActions } from './rules/iam/no-service-wildcard-actions';
import { noWildcardActions } from './rules/iam/no-wildcard-actions';
import { noWildcardPrincipal } from './rules/iam/no-wildcard-principal';
import { policiesAreReadable } from './rules/iam/policies-are-readable';
import { keyRotationEnabled } from './rules/kms/key-rotation-enabled';
import { logGroupEncryptedWithKms } from './rules/logs/log-group-encrypted-with-kms';
import { namesCarryEnvironmentPrefix } from './rules/naming/names-carry-environment-prefix';
import { backupRetentionSufficient } from './rules/production/backup-retention-sufficient';
import { databaseMultiAz } from './rules/production/database-multi-az';
import { deletionProtectionEnabled } from './rules/production/deletion-protection-enabled';
import { logRetentionSufficient } from './rules/production/log-retention-sufficient';
import { connectionsRequireTls } from './rules/rds/connections-require-tls';
import { instanceNotPublic } from './rules/rds/instance-not-public';
import { snapshotCopiesEncrypted } from './rules/rds/snapshot-copies-encrypted';
import { storageEncryptedWithKms } from './rules/rds/storage-encrypted-with-kms';
import { bucketBlocksPublicAccess } from './rules/s3/bucket-blocks-public-access';
import { bucketDeniesInsecureTransport } from './rules/s3/bucket-denies-insecure-transport';
import { bucketEncryptedWithKms } from './rules/s3/bucket-encrypted-with-kms';
import { bucketLifecycleConfigured } from './rules/s3/bucket-lifecycle-configured';
import { bucketVersioningEnabled } from './rules/s3/bucket-versioning-enabled';
import { noLiteralDatabasePassword } from './rules/secrets/no-literal-database-password';
import { noLiteralDmsEndpointPassword } from './rules/secrets/no-literal-dms-endpoint-password';
import { noLiteralSecretValue } from './rules/secrets/no-literal-secret-value';
import { noSecretsInEnvironment } from './rules/secrets/no-secrets-in-environment';
import { requiredTagsPresent } from './rules/tagging/required-tags-present';
import { defaultSecurityGroupClosed } from './rules/vpc/default-security-group-closed';
import { noDefaultRouteThroughPeering } from './rules/vpc/no-default-route-through-peering';
import { securityGroupNotOpenToWorld } from './rules/vpc/security-group-not-open-to-world';
import { securityGroupRulesDescribed } from './rules/vpc/security-group-rules-described';
import { vpcFlowLogsEnabled } from './rules/vpc/vpc-flow-logs-enabled';
import type { Rule } from './types';

/**
 * Every rule, grouped by service, in id order. Ids are stable: suppressions refer to
 * them, so a rule is never renumbered and a retired id is never reused. The pack test
 * pins this list; docs/guardrails.md is generated from it.
 */
export const GUARDRAIL_PACK: readonly Rule[] = [
  // tagging and naming
  requiredTagsPresent,
  namesCarryEnvironmentPrefix,
  // S3
  bucketBlocksPublicAccess,
  bucketEncryptedWithKms,
  bucketDeniesInsecureTransport,
  bucketVersioningEnabled,
  bucketLifecycleConfigured,
  // KMS
  keyRotationEnabled,
  // RDS
  storageEncryptedWithKms,
  snapshotCopiesEncrypted,
  connectionsRequireTls,
  instanceNotPublic,
  // DynamoDB, CloudWatch Logs, ECR
  tableEncryptedWithKms,
  logGroupEncryptedWithKms,
  repositoryEncryptedWithKms,
  // DMS
  dmsEncryptedWithKms,
  endpointsUseTls,
  replicationInstanceNotPublic,
  // Elastic Load Balancing
  listenerUsesTls,
  // EC2 / VPC
  securityGroupNotOpenToWorld,
  securityGroupRulesDescribed,
  defaultSecurityGroupClosed,
  vpcFlowLogsEnabled,
  noDefaultRouteThroughPeering,
  // IAM
  policiesAreReadable,
  noWildcardActions,
  noServiceWildcardActions,
  noAllowWithNotElements,
  noDecryptOnAllKeys,
  crossAccountTrustHasCondition,
  noWildcardPrincipal,
  noAdministratorAccess,
  trustLimitedToOrganisation,
  // secrets
  noLiteralDatabasePassword,
  noLiteralDmsEndpointPassword,
  noLiteralSecretValue,
  noSecretsInEnvironment,
  // production only
  deletionProtectionEnabled,
  databaseMultiAz,
  backupRetentionSufficient,
  logRetentionSufficient,
];
