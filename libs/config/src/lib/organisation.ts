import type { DeepPartial, EnvironmentSettings, Tier } from './settings';

/** The environments this product builds, in deploy order. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Every account the product knows about. `legacy` is read from (and lightly written to) during the transition. */
export const ACCOUNT_ROLES = ['legacy', 'ops', ...ENVIRONMENT_NAMES] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Peers a peering entry may name: an environment or the legacy VPC. */
export type PeerName = EnvironmentName | 'legacy';

export interface AccountConfig {
  /** 12-digit AWS account id. */
  readonly id: string;
  /**
   * Role an administrator uses once to bootstrap this account. `OrganizationAccountAccessRole`
   * exists only in accounts AWS Organizations created; an invited account (often legacy)
   * names its own administrator role here. @default - `iam.bootstrapRoleName`
   */
  readonly bootstrapRoleName?: string;
}

export interface IamConfig {
  /** Role the deploy driver assumes in every managed account (created by backend-bootstrap). */
  readonly deployRoleName: string;
  /** Read-only role for `plan` on pull requests. */
  readonly planRoleName: string;
  /** Role used once per account to bootstrap it (AWS Organizations creates `OrganizationAccountAccessRole`). */
  readonly bootstrapRoleName: string;
  /** Role in the legacy account that the migration uses (snapshot copy and share, peering acceptance). */
  readonly legacyMigrationRoleName: string;
  /** The CI role in the ops account (GitHub Actions OIDC). */
  readonly ciRoleName: string;
  /** The operator role in the ops account, for people, MFA required. */
  readonly operatorRoleName: string;
  /** External id the deploy roles require from their callers. */
  readonly externalId: string;
  /** Maximum session of the deploy roles, seconds (3600..43200). */
  readonly maxSessionDurationSeconds: number;
}

export interface GithubConfig {
  /** `owner/repository` whose workflows may assume the CI role. */
  readonly repository: string;
  /** Branch allowed to deploy (pull requests get the plan role only). */
  readonly deployBranch: string;
}

export interface ServiceConfig {
  /** Service name: ECR repository, ECS service and DNS label (lowercase, short). */
  readonly name: string;
  readonly containerPort: number;
  readonly healthCheckPath: string;
  /** Database this service reads and writes (name from `databases`), if any. */
  readonly database?: string;
  /** DNS label under the environment's domain (`api` → `api.dev.fintech.example.com`). */
  readonly hostname: string;
  /** The legacy endpoint (DNS name of its load balancer) that serves this name today. */
  readonly legacyEndpoint?: string;
}

export interface DatabaseConfig {
  /** Logical name (lowercase): the instance is `<prefix><name>`. */
  readonly name: string;
  /** PostgreSQL major.minor version, e.g. `16.4`. */
  readonly engineVersion: string;
  /** Database name inside the instance. */
  readonly databaseName: string;
  readonly port: number;
  /** `rds-managed`: RDS keeps the master password in Secrets Manager; `existing-secret`: read `masterSecretName`. */
  readonly credentials: 'rds-managed' | 'existing-secret';
  /** Secrets Manager name holding `{username,password}` when `credentials` is `existing-secret`. */
  readonly masterSecretName?: string;
  /** The legacy database this one is migrated from (name in `legacy.databases`). */
  readonly migrateFrom?: string;
  /**
   * How changes flow from legacy while both databases exist: `dms` (AWS DMS CDC task) or
   * `logical` (PostgreSQL publication/subscription from the recorded slot; PostgreSQL → PostgreSQL only).
   * @default 'dms'
   */
  readonly cdcEngine?: 'dms' | 'logical';
}

export interface LegacyDatabaseConfig {
  readonly name: string;
  /** DB instance identifier in the legacy account. */
  readonly instanceIdentifier: string;
  /** Manual snapshot to migrate (taken after the CDC start position is recorded). */
  readonly snapshotIdentifier: string;
  /** Customer KMS key (ARN or alias) the legacy snapshot copy is re-encrypted with before sharing. */
  readonly shareKmsKey: string;
  /** Secrets Manager secret holding the legacy database credentials for DMS. */
  readonly secretName: string;
  readonly databaseName: string;
  readonly port: number;
  /** Schemas/tables DMS replicates, as `schema.table` patterns (`%` wildcard). */
  readonly tables: readonly string[];
  /** The application's database role: frozen (read-only, sessions ended) for the switch. @default 'app' */
  readonly appRole?: string;
}

export interface LegacyConfig {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Hosted zone (public) that serves the company's names today. */
  readonly hostedZoneName: string;
  readonly databases: readonly LegacyDatabaseConfig[];
}

export interface PeeringConfig {
  /** The two sides, e.g. `["staging", "dev"]` or `["prod", "legacy"]`. */
  readonly between: readonly [PeerName, PeerName];
  /** TCP ports allowed across the peering, both directions. */
  readonly ports: readonly number[];
  /** Why this pair may talk (shown in the migration plan). */
  readonly reason: string;
}

export interface EnvironmentConfig {
  readonly vpcCidr: string;
  /** Public domain of the environment (`dev.fintech.example.com`); must sit inside the legacy hosted zone. */
  readonly domainName: string;
  /** @default - `production` for prod, `non-production` otherwise */
  readonly tier?: Tier;
  /** Whether ENVIRONMENT_SUFFIX preview copies may be made of this environment. @default - true except prod */
  readonly allowPreviews?: boolean;
  /** Only what differs from the organisation defaults and the tier. */
  readonly overrides?: DeepPartial<EnvironmentSettings>;
}

/** The organisation as written in the config file (see `organisation.example.json`). */
export interface OrganisationInput {
  readonly name: string;
  readonly region: string;
  readonly tags: { readonly team: string; readonly costCenter: string };
  readonly accounts: Record<AccountRole, AccountConfig>;
  readonly iam: IamConfig;
  readonly github: GithubConfig;
  readonly legacy: LegacyConfig;
  readonly environments: Record<EnvironmentName, EnvironmentConfig>;
  readonly defaults?: DeepPartial<EnvironmentSettings>;
  readonly peering: readonly PeeringConfig[];
  readonly services: readonly ServiceConfig[];
  readonly databases: readonly DatabaseConfig[];
}

export function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}
