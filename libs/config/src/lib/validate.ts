import { isPrivate, overlaps, parseCidr, type Cidr } from './cidr';
import { Naming, SUFFIX_PATTERN } from './naming';
import {
  ACCOUNT_ROLES,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  type OrganisationInput,
  type PeerName,
} from './organisation';
import {
  BASELINE_SETTINGS,
  FARGATE_MEMORY,
  LOG_RETENTION_DAYS,
  PREVIEW_RULES,
  TIER_SETTINGS,
  mergeSettings,
  type EnvironmentSettings,
  type Tier,
} from './settings';

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `environments.prod.vpcCidr`, or the environment variable. */
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** Values that come from the environment rather than the config file. */
export interface RuntimeInputs {
  /** `TEAM`: overrides `tags.team`. */
  readonly team?: string;
  /** `COST_CENTER`: overrides `tags.costCenter`. */
  readonly costCenter?: string;
  /** `ENVIRONMENT_SUFFIX`: makes a preview copy (`dev-pr42-…`). */
  readonly environmentSuffix?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const DNS_LABEL = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
const RESOURCE_NAME = /^[a-z][a-z0-9]{0,14}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const ENGINE_VERSION = /^\d{2}(\.\d+)?$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Structural and semantic checks over the raw config. Collects every issue instead of stopping at the first. */
export function collectIssues(raw: unknown, runtime: RuntimeInputs): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const error = (path: string, message: string) => issues.push({ path, message, severity: 'error' });
  const warn = (path: string, message: string) => issues.push({ path, message, severity: 'warning' });

  if (!isObject(raw)) {
    error('', 'the organisation config must be a JSON object');
    return issues;
  }
  const org = raw as Partial<OrganisationInput> & Record<string, unknown>;

  const str = (value: unknown, path: string, pattern: RegExp, expected: string): value is string => {
    if (typeof value !== 'string') {
      error(path, `is ${describe(value)}; expected ${expected}`);
      return false;
    }
    if (!pattern.test(value)) {
      error(path, `'${value}' is not valid; expected ${expected}`);
      return false;
    }
    return true;
  };
  const int = (value: unknown, path: string, min: number, max: number): value is number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      error(path, `is ${describe(value)}; expected a whole number from ${min} to ${max}`);
      return false;
    }
    return true;
  };
  const obj = (value: unknown, path: string): value is Record<string, unknown> => {
    if (!isObject(value)) {
      error(path, `is ${describe(value)}; expected an object`);
      return false;
    }
    return true;
  };

  str(org.name, 'name', /^[a-z][a-z0-9-]{1,30}$/, 'a lowercase organisation slug (letters, digits, dashes)');
  str(org.region, 'region', REGION, 'an AWS region such as us-east-1');

  // Tags: environment variables win over the file; both must give a usable value.
  const team = runtime.team ?? (isObject(org.tags) ? org.tags['team'] : undefined);
  const costCenter = runtime.costCenter ?? (isObject(org.tags) ? org.tags['costCenter'] : undefined);
  str(team, runtime.team !== undefined ? 'TEAM' : 'tags.team', TAG_VALUE, 'a non-empty tag value (letters, digits, spaces and _ . : / = + - @; at most 256)');
  str(
    costCenter,
    runtime.costCenter !== undefined ? 'COST_CENTER' : 'tags.costCenter',
    TAG_VALUE,
    'a non-empty tag value (letters, digits, spaces and _ . : / = + - @; at most 256)',
  );

  // Accounts: every role present, 12 digits, all distinct.
  const seenAccounts = new Map<string, string>();
  if (obj(org.accounts, 'accounts')) {
    for (const role of Object.keys(org.accounts)) {
      if (!(ACCOUNT_ROLES as readonly string[]).includes(role)) {
        error(`accounts.${role}`, `'${role}' is not a known account; expected one of ${ACCOUNT_ROLES.join(', ')}`);
      }
    }
    for (const role of ACCOUNT_ROLES) {
      const account = org.accounts[role];
      if (!obj(account, `accounts.${role}`)) continue;
      if (str(account['id'], `accounts.${role}.id`, ACCOUNT_ID, 'a 12-digit AWS account id')) {
        const other = seenAccounts.get(account['id']);
        if (other) error(`accounts.${role}.id`, `'${account['id']}' is also the ${other} account; every account role needs its own account`);
        seenAccounts.set(account['id'], role);
      }
      if (account['bootstrapRoleName'] !== undefined) {
        str(account['bootstrapRoleName'], `accounts.${role}.bootstrapRoleName`, ROLE_NAME, 'an IAM role name (1-64 of letters, digits and + = , . @ _ -)');
      }
    }
  }

  if (obj(org.iam, 'iam')) {
    const iam = org.iam;
    for (const key of ['deployRoleName', 'planRoleName', 'bootstrapRoleName', 'legacyMigrationRoleName', 'ciRoleName', 'operatorRoleName']) {
      str(iam[key], `iam.${key}`, ROLE_NAME, 'an IAM role name (1-64 of letters, digits and + = , . @ _ -)');
    }
    str(iam['externalId'], 'iam.externalId', /^[\w+=,.@:/-]{2,1224}$/, 'an external id of 2-1224 characters');
    int(iam['maxSessionDurationSeconds'], 'iam.maxSessionDurationSeconds', 3600, 43200);
  }

  if (obj(org.github, 'github')) {
    str(org.github['repository'], 'github.repository', REPOSITORY, "'owner/repository'");
    str(org.github['deployBranch'], 'github.deployBranch', /^[\w./-]+$/, 'a branch name');
  }

  // CIDRs: valid, private, no overlaps anywhere (environments and legacy).
  const cidrs: { path: string; owner: string; block: Cidr }[] = [];
  const addCidr = (value: unknown, path: string, owner: string) => {
    if (typeof value !== 'string') {
      error(path, `is ${describe(value)}; expected an IPv4 CIDR block such as 10.0.0.0/16`);
      return;
    }
    const parsed = parseCidr(value);
    if (typeof parsed === 'string') return error(path, `${parsed}`);
    if (!isPrivate(parsed)) return error(path, `'${value}' is not in an RFC 1918 private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`);
    if (parsed.prefix < 16 || parsed.prefix > 20) {
      return error(path, `'${value}' is a /${parsed.prefix}; expected a /16 to /20 (AWS allows VPCs from /16 to /28 and the subnet plan needs room)`);
    }
    for (const other of cidrs) {
      if (overlaps(other.block, parsed)) {
        error(path, `${owner}: '${value}' overlaps ${other.owner}'s '${other.block.text}'; each environment and the legacy VPC need their own range`);
      }
    }
    cidrs.push({ path, owner, block: parsed });
  };

  const legacy = obj(org.legacy, 'legacy') ? org.legacy : undefined;
  const legacyDatabases = new Set<string>();
  if (legacy) {
    str(legacy['vpcId'], 'legacy.vpcId', VPC_ID, 'a VPC id such as vpc-0a1b2c3d4e5f60718');
    addCidr(legacy['vpcCidr'], 'legacy.vpcCidr', 'legacy');
    str(legacy['hostedZoneName'], 'legacy.hostedZoneName', DOMAIN, 'a DNS zone name such as fintech.example.com');
    if (Array.isArray(legacy['databases'])) {
      legacy['databases'].forEach((db: unknown, i: number) => {
        const path = `legacy.databases.${i}`;
        if (!obj(db, path)) return;
        if (str(db['name'], `${path}.name`, RESOURCE_NAME, 'a short lowercase name')) {
          if (legacyDatabases.has(db['name'])) error(`${path}.name`, `'${db['name']}' is listed twice`);
          legacyDatabases.add(db['name']);
        }
        str(db['instanceIdentifier'], `${path}.instanceIdentifier`, /^[a-z][a-z0-9-]{0,62}$/, 'an RDS instance identifier');
        str(db['snapshotIdentifier'], `${path}.snapshotIdentifier`, /^[a-z][a-z0-9-]{0,254}$/, 'an RDS snapshot identifier');
        if (str(db['shareKmsKey'], `${path}.shareKmsKey`, /^(arn:aws[\w-]*:kms:|alias\/)/, 'a customer KMS key ARN or alias')) {
          if (/^alias\/aws\//.test(db['shareKmsKey']) || /:alias\/aws\//.test(db['shareKmsKey'])) {
            error(`${path}.shareKmsKey`, `'${db['shareKmsKey']}' is an AWS managed key; snapshots encrypted with it cannot be shared with another account. Use a customer managed key`);
          }
        }
        str(db['secretName'], `${path}.secretName`, /^[\w/+=.@-]{1,512}$/, 'a Secrets Manager secret name');
        str(db['databaseName'], `${path}.databaseName`, /^[a-z_][a-z0-9_]{0,62}$/, 'a PostgreSQL database name');
        int(db['port'], `${path}.port`, 1150, 65535);
        if (!Array.isArray(db['tables']) || db['tables'].length === 0) {
          error(`${path}.tables`, 'expected a non-empty list of schema.table patterns, e.g. ["public.%"]');
        } else {
          db['tables'].forEach((t: unknown, j: number) => str(t, `${path}.tables.${j}`, /^[\w%]+\.[\w%]+$/, "a 'schema.table' pattern ('%' is a wildcard)"));
        }
        if (db['appRole'] !== undefined) str(db['appRole'], `${path}.appRole`, /^[a-z_][a-z0-9_]{0,62}$/, 'a PostgreSQL role name');
      });
    } else {
      error('legacy.databases', `is ${describe(legacy['databases'])}; expected a list (may be empty)`);
    }
  }

  // Environments.
  const envs = obj(org.environments, 'environments') ? org.environments : undefined;
  const suffix = runtime.environmentSuffix;
  if (suffix !== undefined && suffix !== '' && !SUFFIX_PATTERN.test(suffix)) {
    error('ENVIRONMENT_SUFFIX', `'${suffix}' is not valid; expected a lowercase letter then up to 7 lowercase letters or digits (e.g. pr42)`);
  }
  if (envs) {
    for (const name of Object.keys(envs)) {
      if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
        error(`environments.${name}`, `'${name}' is not a known environment; expected one of ${ENVIRONMENT_NAMES.join(', ')}`);
      }
    }
    for (const name of ENVIRONMENT_NAMES) {
      const env = envs[name];
      const path = `environments.${name}`;
      if (!obj(env, path)) continue;
      addCidr(env['vpcCidr'], `${path}.vpcCidr`, name);
      if (str(env['domainName'], `${path}.domainName`, DOMAIN, 'a DNS name such as dev.fintech.example.com') && legacy && typeof legacy['hostedZoneName'] === 'string') {
        const zone = legacy['hostedZoneName'];
        if (env['domainName'] !== zone && !env['domainName'].endsWith(`.${zone}`)) {
          error(`${path}.domainName`, `'${env['domainName']}' is not inside the hosted zone '${zone}' (legacy.hostedZoneName), where the cutover records live`);
        }
      }
      if (env['tier'] !== undefined && env['tier'] !== 'production' && env['tier'] !== 'non-production') {
        error(`${path}.tier`, `'${String(env['tier'])}' is not a tier; expected 'production' or 'non-production'`);
      }
      const settings = effectiveSettings(org as OrganisationInput, name, undefined);
      checkSettings(settings, `${path}.overrides`, tierOf(org as OrganisationInput, name), error);
    }
  }

  // Peering matrix: known peers, no self-peering, no duplicates, real ports; prod↔dev is loud.
  const seenPairs = new Set<string>();
  if (Array.isArray(org.peering)) {
    const peers: readonly string[] = [...ENVIRONMENT_NAMES, 'legacy'];
    org.peering.forEach((entry: unknown, i: number) => {
      const path = `peering.${i}`;
      if (!obj(entry, path)) return;
      const between = entry['between'];
      if (!Array.isArray(between) || between.length !== 2) {
        error(`${path}.between`, `is ${describe(between)}; expected two peers, e.g. ["staging", "dev"]`);
        return;
      }
      let known = true;
      between.forEach((peer: unknown, j: number) => {
        if (typeof peer !== 'string' || !peers.includes(peer)) {
          error(`${path}.between.${j}`, `'${String(peer)}' is not a known peer; expected one of ${peers.join(', ')}`);
          known = false;
        }
      });
      if (!known) return;
      const [a, b] = between as [PeerName, PeerName];
      if (a === b) error(`${path}.between`, `'${a}' cannot peer with itself`);
      if (a === 'legacy' && b === 'legacy') return;
      const key = [a, b].sort().join('<->');
      if (seenPairs.has(key)) error(`${path}.between`, `${a} <-> ${b} is listed more than once`);
      seenPairs.add(key);
      if (key === 'dev<->prod') {
        warn(`${path}.between`, 'WARNING: prod <-> dev peering is allowed by this entry. Production should not be reachable from development; remove it unless you really mean it');
      }
      if (!Array.isArray(entry['ports']) || entry['ports'].length === 0) {
        error(`${path}.ports`, 'expected a non-empty list of TCP ports; peering with no ports opens nothing');
      } else {
        entry['ports'].forEach((port: unknown, j: number) => int(port, `${path}.ports.${j}`, 1, 65535));
      }
      if (typeof entry['reason'] !== 'string' || entry['reason'].trim() === '') {
        error(`${path}.reason`, 'expected a reason: why may these two networks talk?');
      }
    });
  } else {
    error('peering', `is ${describe(org.peering)}; expected a list (may be empty: nothing peers)`);
  }

  // Databases and services.
  const databaseNames = new Set<string>();
  if (Array.isArray(org.databases)) {
    org.databases.forEach((db: unknown, i: number) => {
      const path = `databases.${i}`;
      if (!obj(db, path)) return;
      if (str(db['name'], `${path}.name`, RESOURCE_NAME, 'a lowercase name of 1-15 letters and digits')) {
        if (databaseNames.has(db['name'])) error(`${path}.name`, `'${db['name']}' is listed twice`);
        databaseNames.add(db['name']);
      }
      str(db['engineVersion'], `${path}.engineVersion`, ENGINE_VERSION, "a PostgreSQL version such as '16.4'");
      str(db['databaseName'], `${path}.databaseName`, /^[a-z_][a-z0-9_]{0,62}$/, 'a PostgreSQL database name');
      int(db['port'], `${path}.port`, 1150, 65535);
      if (db['credentials'] === 'existing-secret') {
        str(db['masterSecretName'], `${path}.masterSecretName`, /^[\w/+=.@-]{1,512}$/, 'the Secrets Manager name of the existing master secret');
      } else if (db['credentials'] !== 'rds-managed') {
        error(`${path}.credentials`, `'${String(db['credentials'])}' is not valid; expected 'rds-managed' or 'existing-secret'`);
      }
      if (db['cdcEngine'] !== undefined && db['cdcEngine'] !== 'dms' && db['cdcEngine'] !== 'logical') {
        error(`${path}.cdcEngine`, `'${String(db['cdcEngine'])}' is not valid; expected 'dms' or 'logical'`);
      }
      if (db['migrateFrom'] !== undefined && !legacyDatabases.has(String(db['migrateFrom']))) {
        error(`${path}.migrateFrom`, `'${String(db['migrateFrom'])}' is not in legacy.databases (known: ${[...legacyDatabases].join(', ') || 'none'})`);
      }
    });
  } else {
    error('databases', `is ${describe(org.databases)}; expected a list`);
  }

  const serviceNames = new Set<string>();
  if (Array.isArray(org.services)) {
    org.services.forEach((svc: unknown, i: number) => {
      const path = `services.${i}`;
      if (!obj(svc, path)) return;
      if (str(svc['name'], `${path}.name`, RESOURCE_NAME, 'a lowercase name of 1-15 letters and digits')) {
        if (serviceNames.has(svc['name'])) error(`${path}.name`, `'${svc['name']}' is listed twice`);
        serviceNames.add(svc['name']);
      }
      int(svc['containerPort'], `${path}.containerPort`, 1024, 65535);
      str(svc['healthCheckPath'], `${path}.healthCheckPath`, /^\/[\w./-]*$/, 'a path such as /health');
      str(svc['hostname'], `${path}.hostname`, DNS_LABEL, 'a DNS label such as api');
      if (svc['database'] !== undefined && !databaseNames.has(String(svc['database']))) {
        error(`${path}.database`, `'${String(svc['database'])}' is not in databases (known: ${[...databaseNames].join(', ') || 'none'})`);
      }
      if (svc['legacyEndpoint'] !== undefined) {
        str(svc['legacyEndpoint'], `${path}.legacyEndpoint`, DOMAIN, 'the DNS name of the legacy load balancer');
      }
    });
  } else {
    error('services', `is ${describe(org.services)}; expected a list`);
  }

  // Preview suffix: allowed here, and every generated name still fits its AWS limit.
  if (suffix && SUFFIX_PATTERN.test(suffix) && envs && Array.isArray(org.services) && Array.isArray(org.databases)) {
    for (const name of ENVIRONMENT_NAMES) {
      const env = envs[name];
      if (!isObject(env)) continue;
      const allow = env['allowPreviews'] ?? name !== 'prod';
      if (!allow) continue;
      for (const problem of nameBudgetProblems(new Naming(name, suffix), org as OrganisationInput)) {
        error('ENVIRONMENT_SUFFIX', `${name}: ${problem}`);
      }
    }
  }
  return issues;
}

/**
 * The longest names the constructs generate, checked through {@link Naming.resource}.
 * Constructs use the same method, so this list and their names cannot drift apart silently:
 * a name that is too long fails synth either way, this check just fails it earlier.
 */
export function nameBudgetProblems(naming: Naming, org: OrganisationInput): string[] {
  const problems: string[] = [];
  const attempt = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      problems.push((e as Error).message);
    }
  };
  for (const svc of org.services ?? []) {
    if (typeof svc?.name !== 'string') continue;
    attempt(() => naming.resource('alb', `${svc.name}-alb`));
    attempt(() => naming.resource('target-group', `${svc.name}-tg`));
    attempt(() => naming.resource('iam-role', `${svc.name}-execution`));
  }
  for (const db of org.databases ?? []) {
    if (typeof db?.name !== 'string') continue;
    attempt(() => naming.resource('rds-instance', `${db.name}-db`));
    attempt(() => naming.resource('dms-replication-instance', `${db.name}-dms`));
  }
  attempt(() => naming.resource('s3-bucket', `assets-${'0'.repeat(12)}`));
  attempt(() => naming.resource('s3-bucket', `alb-logs-${'0'.repeat(12)}`));
  return problems;
}

export function tierOf(org: OrganisationInput, name: EnvironmentName): Tier {
  return org.environments?.[name]?.tier ?? (name === 'prod' ? 'production' : 'non-production');
}

/** Baseline → organisation defaults → tier → environment overrides → preview rules (when a suffix is set). */
export function effectiveSettings(org: OrganisationInput, name: EnvironmentName, suffix: string | undefined): EnvironmentSettings {
  return mergeSettings(
    BASELINE_SETTINGS,
    org.defaults,
    TIER_SETTINGS[tierOf(org, name)],
    org.environments?.[name]?.overrides,
    suffix ? PREVIEW_RULES : undefined,
  );
}

function checkSettings(
  s: EnvironmentSettings,
  path: string,
  tier: Tier,
  error: (path: string, message: string) => void,
): void {
  const rules: { when: boolean; path: string; message: string }[] = [
    { when: !Number.isInteger(s.network.azCount) || s.network.azCount < 2 || s.network.azCount > 6, path: 'network.azCount', message: `is ${s.network.azCount}; expected 2 to 6 availability zones` },
    { when: !['per-az', 'single'].includes(s.network.natGateways), path: 'network.natGateways', message: `is '${s.network.natGateways}'; expected 'per-az' or 'single'` },
    { when: !/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(s.database.instanceClass), path: 'database.instanceClass', message: `'${s.database.instanceClass}' is not an RDS instance class such as db.t4g.medium` },
    { when: s.database.allocatedStorageGb < 20 || s.database.allocatedStorageGb > 65536, path: 'database.allocatedStorageGb', message: `is ${s.database.allocatedStorageGb}; expected 20 to 65536 GiB` },
    { when: s.database.maxAllocatedStorageGb < s.database.allocatedStorageGb, path: 'database.maxAllocatedStorageGb', message: `is ${s.database.maxAllocatedStorageGb}; expected at least allocatedStorageGb (${s.database.allocatedStorageGb})` },
    { when: s.database.backupRetentionDays < 1 || s.database.backupRetentionDays > 35, path: 'database.backupRetentionDays', message: `is ${s.database.backupRetentionDays}; expected 1 to 35 days` },
    { when: tier === 'production' && s.database.backupRetentionDays < 7, path: 'database.backupRetentionDays', message: `is ${s.database.backupRetentionDays}; a production environment keeps backups for at least 7 days` },
    { when: tier === 'production' && !s.database.multiAz, path: 'database.multiAz', message: 'is false; a production database must be Multi-AZ' },
    { when: tier === 'production' && !s.database.deletionProtection, path: 'database.deletionProtection', message: 'is false; a production database must have deletion protection' },
    { when: tier === 'production' && s.database.skipFinalSnapshot, path: 'database.skipFinalSnapshot', message: 'is true; a production database must take a final snapshot' },
    { when: !(s.database.performanceInsightsRetentionDays === 7 || (s.database.performanceInsightsRetentionDays % 31 === 0 && s.database.performanceInsightsRetentionDays <= 731 && s.database.performanceInsightsRetentionDays > 0)), path: 'database.performanceInsightsRetentionDays', message: `is ${s.database.performanceInsightsRetentionDays}; expected 7 or a multiple of 31 up to 731` },
    { when: ![0, 1, 5, 10, 15, 30, 60].includes(s.database.monitoringIntervalSeconds), path: 'database.monitoringIntervalSeconds', message: `is ${s.database.monitoringIntervalSeconds}; expected 0, 1, 5, 10, 15, 30 or 60` },
    { when: !(s.service.cpu in FARGATE_MEMORY), path: 'service.cpu', message: `is ${s.service.cpu}; expected one of ${Object.keys(FARGATE_MEMORY).join(', ')} CPU units` },
    { when: s.service.cpu in FARGATE_MEMORY && !FARGATE_MEMORY[s.service.cpu].includes(s.service.memoryMib), path: 'service.memoryMib', message: `is ${s.service.memoryMib}; Fargate with ${s.service.cpu} CPU units takes ${(FARGATE_MEMORY[s.service.cpu] ?? []).join(', ')} MiB` },
    { when: !(s.service.minCount <= s.service.desiredCount && s.service.desiredCount <= s.service.maxCount), path: 'service.desiredCount', message: `min ${s.service.minCount} <= desired ${s.service.desiredCount} <= max ${s.service.maxCount} does not hold` },
    { when: s.service.minCount < 1, path: 'service.minCount', message: `is ${s.service.minCount}; expected at least 1` },
    { when: tier === 'production' && s.service.minCount < 2, path: 'service.minCount', message: `is ${s.service.minCount}; a production service runs at least 2 tasks` },
    { when: tier === 'production' && !s.loadBalancer.deletionProtection, path: 'loadBalancer.deletionProtection', message: 'is false; a production load balancer must have deletion protection' },
    { when: !(LOG_RETENTION_DAYS as readonly number[]).includes(s.logs.retentionDays), path: 'logs.retentionDays', message: `is ${s.logs.retentionDays}; CloudWatch accepts ${LOG_RETENTION_DAYS.join(', ')}` },
    { when: tier === 'production' && s.logs.retentionDays < 365, path: 'logs.retentionDays', message: `is ${s.logs.retentionDays}; production keeps logs at least 365 days for audit` },
    { when: !(s.storage.secretRecoveryWindowDays === 0 || (s.storage.secretRecoveryWindowDays >= 7 && s.storage.secretRecoveryWindowDays <= 30)), path: 'storage.secretRecoveryWindowDays', message: `is ${s.storage.secretRecoveryWindowDays}; Secrets Manager takes 0 (delete at once) or 7 to 30 days` },
    { when: !/^dms\.[a-z0-9]+\.[a-z0-9]+$/.test(s.migration.dmsInstanceClass), path: 'migration.dmsInstanceClass', message: `'${s.migration.dmsInstanceClass}' is not a DMS instance class such as dms.t3.medium` },
  ];
  for (const rule of rules) if (rule.when) error(`${path}.${rule.path}`, rule.message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
