/**
 * Validation of the organisation config: first its shape (the zod schema in `schema.ts`:
 * unknown keys, types, formats, ranges), then what a schema cannot say (this file): CIDR
 * overlaps and the subnet plan, the peering matrix, cross-references between sections,
 * production protections on the merged settings, and AWS name lengths with the preview
 * suffix. Every problem is collected; none stops the others.
 *
 * A semantic check runs only on sections the schema accepted, so a wrong type is reported
 * once, as a wrong type, and never as a confusing consequence.
 */
import { isPrivate, overlaps, parseCidr, type Cidr } from './cidr';
import { Naming, SUFFIX_PATTERN } from './naming';
import { ENVIRONMENT_NAMES, type EnvironmentName, type OrganisationInput } from './organisation';
import { CIDR_SHAPE, schemaIssues, TAG_VALUE_EXPECTED, isTagValue } from './schema';
import {
  BASELINE_SETTINGS,
  FARGATE_MEMORY,
  PREVIEW_RULES,
  TIER_SETTINGS,
  mergeSettings,
  type EnvironmentSettings,
  type Tier,
} from './settings';
import { planSubnets } from './subnet-plan';

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `environments.prod.vpcCidr`, or the environment variable. */
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /** Path whose position the message points at, when not `path` itself. */
  readonly at?: string;
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

/** Schema, environment-variable and semantic checks over the raw config. Collects every issue. */
export function collectIssues(raw: unknown, runtime: RuntimeInputs): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const error = (path: string, message: string) => issues.push({ path, message, severity: 'error' });
  const warn = (path: string, message: string) => issues.push({ path, message, severity: 'warning' });

  checkRuntime(runtime, error);
  if (!isObject(raw)) {
    error('', `is ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw}; the organisation config must be an object (see libs/config/organisation.example.json)`);
    return issues;
  }
  const structural = schemaIssues(raw);
  for (const issue of structural) issues.push({ ...issue, severity: 'error' });
  /** True when the schema accepted everything at and under `path`. */
  const valid = (path: string) => !structural.some((i) => i.path === path || i.path.startsWith(`${path}.`) || path.startsWith(`${i.path}.`));
  // Past this point every value read is guarded by `valid`, so its type is the schema's.
  const org = raw as unknown as OrganisationInput;

  // Accounts: every role its own account.
  const seenAccounts = new Map<string, string>();
  for (const [role, account] of Object.entries(org.accounts ?? {})) {
    if (!valid(`accounts.${role}.id`)) continue;
    const other = seenAccounts.get(account.id);
    if (other) error(`accounts.${role}.id`, `'${account.id}' is also the ${other} account; every account role needs its own account`);
    seenAccounts.set(account.id, role);
  }

  // CIDRs: valid, private, a size AWS allows, no overlaps anywhere (environments and legacy).
  const cidrs: { path: string; owner: string; block: Cidr }[] = [];
  const addCidr = (path: string, owner: string): Cidr | undefined => {
    if (!valid(path)) return undefined;
    const value = path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), raw);
    if (typeof value !== 'string' || !CIDR_SHAPE.test(value)) return undefined;
    const parsed = parseCidr(value);
    if (typeof parsed === 'string') return void error(path, parsed);
    if (!isPrivate(parsed)) return void error(path, `'${value}' is not in an RFC 1918 private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`);
    if (parsed.prefix < 16 || parsed.prefix > 28) return void error(path, `'${value}' is a /${parsed.prefix}; AWS allows VPCs from /16 to /28`);
    let clean = true;
    for (const other of cidrs) {
      if (overlaps(other.block, parsed)) {
        error(path, `${owner}: '${value}' overlaps ${other.owner}'s '${other.block.text}'; each environment and the legacy VPC need their own range`);
        clean = false;
      }
    }
    cidrs.push({ path, owner, block: parsed });
    return clean ? parsed : undefined;
  };

  addCidr('legacy.vpcCidr', 'legacy');
  const legacyDatabases = new Set<string>();
  (valid('legacy.databases') ? org.legacy.databases : []).forEach((db, i) => {
    const path = `legacy.databases.${i}`;
    if (legacyDatabases.has(db.name)) error(`${path}.name`, `'${db.name}' is listed twice`);
    legacyDatabases.add(db.name);
    if (/(^|:)alias\/aws\//.test(db.shareKmsKey)) {
      error(`${path}.shareKmsKey`, `'${db.shareKmsKey}' is an AWS managed key; snapshots encrypted with it cannot be shared with another account. Use a customer managed key`);
    }
  });

  // Environments: domain inside the zone, settings that hold together, a VPC the subnet plan can carve.
  const zone = valid('legacy.hostedZoneName') ? org.legacy.hostedZoneName : undefined;
  for (const name of ENVIRONMENT_NAMES) {
    const path = `environments.${name}`;
    const env = isObject(org.environments) ? org.environments[name] : undefined;
    if (!env) continue;
    const block = addCidr(`${path}.vpcCidr`, name);
    if (zone && valid(`${path}.domainName`) && env.domainName !== zone && !env.domainName.endsWith(`.${zone}`)) {
      error(`${path}.domainName`, `'${env.domainName}' is not inside the hosted zone '${zone}' (legacy.hostedZoneName), where the cutover records live`);
    }
    if (!valid('defaults') || !valid(path)) continue;
    const settings = effectiveSettings(org, name, undefined);
    for (const problem of settingsProblems(settings, tierOf(org, name))) {
      const at = settingOrigin(org, name, problem.group, problem.fields);
      error(at.path, at.fromDefaults ? `${name}: ${problem.message}` : problem.message);
    }
    // Which data a migrated database holds is a decision, never a default: production data in
    // dev is a data-protection question, and production itself is the migration.
    const migrates = Array.isArray(org.databases) && org.databases.some((db) => isObject(db) && db.migrateFrom !== undefined);
    const chosen = (layer: unknown) => isObject(layer) && isObject(layer['migration']) && (layer['migration'] as Record<string, unknown>)['data'] !== undefined;
    const tier = tierOf(org, name);
    if (tier === 'production' && settings.migration.data !== 'production-copy') {
      // The production tier sets production-copy after the defaults: only the environment's own override can differ.
      error(`${path}.overrides.migration.data`, `is '${settings.migration.data}'; a production environment is where production's data moves, so it is always 'production-copy'`);
    } else if (tier === 'non-production' && migrates && !chosen(env.overrides) && !chosen(org.defaults)) {
      error(
        `${path}.overrides.migration.data`,
        "is missing; a non-production environment with migrating databases must say what data it gets: 'production-copy' (production's data, restored and kept in step), 'seed' (databases[].seedFile, masked or synthetic) or 'empty'",
      );
    }
    if (settings.migration.data === 'seed' && Array.isArray(org.databases)) {
      org.databases.forEach((db, i) => {
        if (isObject(db) && db.migrateFrom !== undefined && db.seedFile === undefined) {
          error(`databases.${i}.seedFile`, `is missing; ${name} gets 'seed' data (migration.data), so ${String(db.name)} needs the SQL file to load`);
        }
      });
    }
    if (block) {
      try {
        planSubnets(block.text, settings.network.azCount);
      } catch (e) {
        error(`${path}.vpcCidr`, `${(e as Error).message} (${settings.network.azCount} AZs)`);
      }
    }
  }

  // Peering matrix: no self-peering, no duplicates; prod <-> dev is loud.
  const seenPairs = new Set<string>();
  (Array.isArray(org.peering) ? org.peering : []).forEach((entry, i) => {
    const path = `peering.${i}`;
    if (!valid(`${path}.between`)) return;
    const [a, b] = entry.between;
    if (a === b) return void error(`${path}.between`, `'${a}' cannot peer with itself`);
    const key = [a, b].sort().join('<->');
    if (seenPairs.has(key)) error(`${path}.between`, `${a} <-> ${b} is listed more than once`);
    seenPairs.add(key);
    if (key === 'dev<->prod') {
      warn(`${path}.between`, 'WARNING: prod <-> dev peering is allowed by this entry. Production should not be reachable from development; remove it unless you really mean it');
    }
  });

  // Databases and services: unique names, references that resolve.
  const databaseNames = new Set<string>();
  (Array.isArray(org.databases) ? org.databases : []).forEach((db, i) => {
    const path = `databases.${i}`;
    if (typeof db !== 'object' || db === null) return;
    if (valid(`${path}.name`)) {
      if (databaseNames.has(db.name)) error(`${path}.name`, `'${db.name}' is listed twice`);
      databaseNames.add(db.name);
    }
    if (valid(`${path}.credentials`) && db.credentials === 'existing-secret' && db.masterSecretName === undefined) {
      error(`${path}.masterSecretName`, "is missing; credentials 'existing-secret' needs the Secrets Manager name of the existing master secret");
    }
    if (valid(`${path}.migrateFrom`) && valid('legacy.databases') && db.migrateFrom !== undefined && !legacyDatabases.has(db.migrateFrom)) {
      error(`${path}.migrateFrom`, `'${db.migrateFrom}' is not in legacy.databases (known: ${[...legacyDatabases].join(', ') || 'none'})`);
    }
  });

  const serviceNames = new Set<string>();
  (Array.isArray(org.services) ? org.services : []).forEach((svc, i) => {
    const path = `services.${i}`;
    if (typeof svc !== 'object' || svc === null) return;
    if (valid(`${path}.name`)) {
      if (serviceNames.has(svc.name)) error(`${path}.name`, `'${svc.name}' is listed twice`);
      serviceNames.add(svc.name);
    }
    if (valid(`${path}.database`) && valid('databases') && svc.database !== undefined && !databaseNames.has(svc.database)) {
      error(`${path}.database`, `'${svc.database}' is not in databases (known: ${[...databaseNames].join(', ') || 'none'})`);
    }
  });

  // Preview suffix: every generated name still fits its AWS limit.
  const suffix = runtime.environmentSuffix;
  if (suffix && SUFFIX_PATTERN.test(suffix) && valid('environments') && valid('services') && valid('databases')) {
    for (const name of ENVIRONMENT_NAMES) {
      const allow = org.environments[name].allowPreviews ?? name !== 'prod';
      if (!allow) continue;
      for (const problem of nameBudgetProblems(new Naming(name, suffix), org)) {
        error('ENVIRONMENT_SUFFIX', `${name}: ${problem}`);
      }
    }
  }
  return dedupe(issues);
}

/** TEAM, COST_CENTER and ENVIRONMENT_SUFFIX, each reported under its own name. */
function checkRuntime(runtime: RuntimeInputs, error: (path: string, message: string) => void): void {
  const tag = (variable: string, value: string | undefined, key: string) => {
    if (value === undefined) return;
    if (value.trim() === '') {
      error(variable, `'${value}' is ${value === '' ? 'empty' : 'only whitespace'}; unset ${variable} to use ${key} from the config, or give ${TAG_VALUE_EXPECTED}`);
    } else if (!isTagValue(value)) {
      error(variable, `'${value}' is not valid; expected ${TAG_VALUE_EXPECTED}`);
    }
  };
  tag('TEAM', runtime.team, 'tags.team');
  tag('COST_CENTER', runtime.costCenter, 'tags.costCenter');
  const suffix = runtime.environmentSuffix;
  if (suffix !== undefined && suffix !== '') {
    if (suffix.trim() === '') {
      error('ENVIRONMENT_SUFFIX', `'${suffix}' is only whitespace; leave it unset or empty for no preview copy, or give a suffix such as pr42`);
    } else if (!SUFFIX_PATTERN.test(suffix)) {
      error('ENVIRONMENT_SUFFIX', `'${suffix}' is not valid; expected a lowercase letter then up to 7 lowercase letters or digits (e.g. pr42)`);
    }
  }
}

/** The same problem found through several environments (a value in `defaults`) is reported once. */
function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const byKey = new Map<string, ConfigIssue>();
  for (const issue of issues) {
    const key = `${issue.severity}|${issue.path}|${issue.message}`;
    if (!byKey.has(key)) byKey.set(key, issue);
  }
  return [...byKey.values()];
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

interface SettingsProblem {
  /** Settings group (`service`) and the fields that together break the rule, the first one named. */
  readonly group: keyof EnvironmentSettings;
  readonly fields: readonly string[];
  readonly message: string;
}

/**
 * Where a settings problem should point: the environment's own override of one of the
 * fields, else the organisation default, else the environment's tier (the value came
 * from the tier), else the environment.
 */
function settingOrigin(org: OrganisationInput, name: EnvironmentName, group: string, fields: readonly string[]): { path: string; fromDefaults: boolean } {
  const env = org.environments[name];
  const has = (layer: unknown, field: string) => isObject(layer) && isObject(layer[group]) && (layer[group] as Record<string, unknown>)[field] !== undefined;
  const own = fields.find((f) => has(env.overrides, f));
  if (own) return { path: `environments.${name}.overrides.${group}.${own}`, fromDefaults: false };
  const shared = fields.find((f) => has(org.defaults, f));
  if (shared) return { path: `defaults.${group}.${shared}`, fromDefaults: true };
  if (env.tier !== undefined) return { path: `environments.${name}.tier`, fromDefaults: false };
  return { path: `environments.${name}.overrides.${group}.${fields[0]}`, fromDefaults: false };
}

/** Rules across fields and tiers, over the merged settings (each field's own range is in the schema). */
function settingsProblems(s: EnvironmentSettings, tier: Tier): SettingsProblem[] {
  const production = tier === 'production';
  const memory = FARGATE_MEMORY[s.service.cpu] ?? [];
  const rules: (SettingsProblem & { readonly when: boolean })[] = [
    { when: s.database.maxAllocatedStorageGb < s.database.allocatedStorageGb, group: 'database', fields: ['maxAllocatedStorageGb', 'allocatedStorageGb'], message: `is ${s.database.maxAllocatedStorageGb}; expected at least allocatedStorageGb (${s.database.allocatedStorageGb})` },
    { when: production && s.database.backupRetentionDays < 7, group: 'database', fields: ['backupRetentionDays'], message: `is ${s.database.backupRetentionDays}; a production environment keeps backups for at least 7 days` },
    { when: production && !s.database.multiAz, group: 'database', fields: ['multiAz'], message: 'is false; a production database must be Multi-AZ' },
    { when: production && !s.database.deletionProtection, group: 'database', fields: ['deletionProtection'], message: 'is false; a production database must have deletion protection' },
    { when: production && s.database.skipFinalSnapshot, group: 'database', fields: ['skipFinalSnapshot'], message: 'is true; a production database must take a final snapshot' },
    { when: !memory.includes(s.service.memoryMib), group: 'service', fields: ['memoryMib', 'cpu'], message: `is ${s.service.memoryMib}; Fargate with ${s.service.cpu} CPU units takes ${memory.join(', ')} MiB` },
    { when: !(s.service.minCount <= s.service.desiredCount && s.service.desiredCount <= s.service.maxCount), group: 'service', fields: ['desiredCount', 'minCount', 'maxCount'], message: `min ${s.service.minCount} <= desired ${s.service.desiredCount} <= max ${s.service.maxCount} does not hold` },
    { when: production && s.service.minCount < 2, group: 'service', fields: ['minCount'], message: `is ${s.service.minCount}; a production service runs at least 2 tasks` },
    { when: production && !s.loadBalancer.deletionProtection, group: 'loadBalancer', fields: ['deletionProtection'], message: 'is false; a production load balancer must have deletion protection' },
    { when: production && s.logs.retentionDays < 365, group: 'logs', fields: ['retentionDays'], message: `is ${s.logs.retentionDays}; production keeps logs at least 365 days for audit` },
    { when: !(s.storage.secretRecoveryWindowDays === 0 || s.storage.secretRecoveryWindowDays >= 7), group: 'storage', fields: ['secretRecoveryWindowDays'], message: `is ${s.storage.secretRecoveryWindowDays}; Secrets Manager takes 0 (delete at once) or 7 to 30 days` },
  ];
  return rules.filter((r) => r.when);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
