import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One synthesized stack: its id and its `cdk.tf.json`. */
export interface SynthStack {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Reads every stack of a synthesized app (`<outdir>/manifest.json` and its stacks). */
export function readSynthesizedApp(outdir: string): SynthStack[] {
  const manifestPath = join(outdir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`no ${manifestPath}: the app did not synthesize`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { stacks: Record<string, { name: string; synthesizedStackPath: string }> };
  return Object.values(manifest.stacks)
    .map((s) => ({ name: s.name, json: JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), 'utf8')) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Top-level arguments that name a resource in AWS (its identity, unique in the account). */
const NAME_ATTRIBUTES = [
  'name', 'name_prefix', 'bucket', 'bucket_prefix', 'identifier', 'identifier_prefix', 'cluster_identifier',
  'alarm_name', 'dashboard_name', 'function_name', 'replication_instance_id', 'replication_subnet_group_id',
  'endpoint_id', 'replication_task_id', 'table_name', 'repository_name', 'topic_name', 'role_name', 'policy_name',
];

/** Arguments that name a resource only for some types (elsewhere the same word means something else). */
const TYPE_NAME_ATTRIBUTES: Record<string, readonly string[]> = {
  aws_ecs_task_definition: ['family'], // aws_db_parameter_group.family is the engine family
  aws_ecs_service: ['cluster'],
  aws_ecs_cluster_capacity_providers: ['cluster_name'],
};

/**
 * Types whose `name` is scoped inside a parent that already carries the prefix (an inline
 * policy inside its role, a scaling policy on its service), so it cannot collide.
 */
const SCOPED_NAMES = new Set(['aws_iam_role_policy', 'aws_appautoscaling_policy', 'aws_cloudwatch_log_metric_filter', 'aws_cloudwatch_log_subscription_filter']);

export interface NameUse {
  readonly stack: string;
  /** `aws_s3_bucket.assets.bucket` */
  readonly address: string;
  readonly value: string;
}

/** A reference or expression: its value is decided by Terraform, not by us. */
function isToken(value: string): boolean {
  return value.includes('${') || value.includes('TOKEN[');
}

function resourcesOf(stack: SynthStack): [string, string, Record<string, unknown>][] {
  return Object.entries((stack.json.resource ?? {}) as Resources).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, config]) => [type, id, config] as [string, string, Record<string, unknown>]),
  );
}

/** Every literal name-like value: name arguments and the `Name` tag, per resource. */
export function namesOf(stacks: readonly SynthStack[]): NameUse[] {
  const uses: NameUse[] = [];
  for (const stack of stacks) {
    for (const [type, id, config] of resourcesOf(stack)) {
      const attributes = SCOPED_NAMES.has(type) ? [] : [...NAME_ATTRIBUTES, ...(TYPE_NAME_ATTRIBUTES[type] ?? [])];
      for (const attribute of attributes) {
        const value = config[attribute];
        if (typeof value === 'string' && !isToken(value)) uses.push({ stack: stack.name, address: `${type}.${id}.${attribute}`, value });
      }
      const tagName = (config['tags'] as Record<string, unknown> | undefined)?.['Name'];
      if (typeof tagName === 'string' && !isToken(tagName)) uses.push({ stack: stack.name, address: `${type}.${id}.tags.Name`, value: tagName });
    }
  }
  return uses;
}

/** `dev-pr42` as a whole word: `dev-pr42-assets`, `/ecs/dev-pr42-api`, `alias/dev-pr42-data`; not `dev-pr421-x`. */
function carries(value: string, qualifier: string): boolean {
  const escaped = qualifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(value)) return true;
  // A DNS name lives under the environment's domain, so it carries the suffix in its
  // first label instead (`api-pr42.dev.fintech.example.com`).
  const suffix = qualifier.split('-').slice(1).join('-');
  return suffix !== '' && /\./.test(value) && value.split('.')[0].endsWith(`-${suffix}`);
}

/**
 * Outputs the environment has and its previews deliberately do not, each with the reason.
 * Everything else the environment outputs, a preview must output too.
 */
export const PREVIEW_ABSENT_OUTPUTS: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /^data_.*_dms_|^data_cross-stack-output-aws_dms_/, reason: 'previews start with an empty database: no DMS replication from legacy' },
  { pattern: /^data_.*_app_connection_secret_arn$|^data_cross-stack-output-aws_secretsmanager_secret.*-app-connection/, reason: 'previews never migrate: their services use their own database, no runner-owned connection' },
  { pattern: /^data_.*_replication_user_secret_arn$|^data_cross-stack-output-aws_secretsmanager_secret.*-replication-user/, reason: 'previews never migrate: no replication login between legacy and their database' },
  { pattern: /^cutover_.*_(cutover|set_identifiers|legacy_health_check_id|migrated_health_check_id)$/, reason: 'previews serve no legacy traffic: a plain record, no weighted legacy/migrated pair' },
  { pattern: /^data_db_access_/, reason: 'previews never migrate: no database access task for the migration runner' },
  { pattern: /^network_cross-stack-output-aws_route_table/, reason: 'route tables are exported for the peering stack, which previews do not have' },
];

function stateKey(stack: SynthStack): string | undefined {
  return stack.json.terraform?.backend?.s3?.key;
}

function unitOf(stack: SynthStack, qualifier: string): string {
  return stack.name.startsWith(`${qualifier}-`) ? stack.name.slice(qualifier.length + 1) : stack.name;
}

/**
 * What makes a preview a separate copy: every stack id, state key, literal resource name and
 * output carries the qualifier (`dev-pr42`); no name or state key equals one of the
 * environment it copies; and it has the same units and outputs (previews own no peerings).
 */
export function isolationProblems(preview: readonly SynthStack[], base: readonly SynthStack[], qualifier: string, baseQualifier: string): string[] {
  const problems: string[] = [];
  for (const stack of preview) {
    if (!stack.name.startsWith(`${qualifier}-`)) problems.push(`stack ${stack.name}: id does not start with ${qualifier}-`);
    const key = stateKey(stack);
    if (!key?.startsWith(`${qualifier}/`)) problems.push(`stack ${stack.name}: state key ${key ?? '(no S3 backend)'} does not start with ${qualifier}/`);
    for (const [name, output] of Object.entries<{ value?: unknown }>(stack.json.output ?? {})) {
      const value = output.value;
      if (/_name$/.test(name) && typeof value === 'string' && !isToken(value) && !carries(value, qualifier)) {
        problems.push(`stack ${stack.name}: output ${name} = '${value}' does not carry ${qualifier}`);
      }
    }
  }
  for (const use of namesOf(preview)) {
    if (!carries(use.value, qualifier)) problems.push(`stack ${use.stack}: ${use.address} = '${use.value}' does not carry ${qualifier} (use Naming.resource)`);
  }

  const baseNames = new Map<string, NameUse>();
  for (const use of namesOf(base)) if (!baseNames.has(use.value)) baseNames.set(use.value, use);
  for (const use of namesOf(preview)) {
    const clash = baseNames.get(use.value);
    if (clash) problems.push(`stack ${use.stack}: ${use.address} = '${use.value}' is also ${clash.stack}'s ${clash.address}`);
  }
  const baseKeys = new Set(base.map(stateKey));
  for (const stack of preview) {
    if (baseKeys.has(stateKey(stack))) problems.push(`stack ${stack.name}: state key ${stateKey(stack)} is also used by ${baseQualifier}`);
  }

  const units = (stacks: readonly SynthStack[], q: string) => stacks.map((s) => unitOf(s, q)).filter((u) => u !== 'peering').sort();
  const [previewUnits, baseUnits] = [units(preview, qualifier), units(base, baseQualifier)];
  if (previewUnits.join() !== baseUnits.join()) problems.push(`units ${previewUnits.join(', ')} differ from ${baseQualifier}'s ${baseUnits.join(', ')}`);
  const outputs = (stacks: readonly SynthStack[], q: string) =>
    new Set(stacks.filter((s) => unitOf(s, q) !== 'peering').flatMap((s) => Object.keys(s.json.output ?? {}).map((o) => `${unitOf(s, q)}_${o}`)));
  const [previewOutputs, baseOutputs] = [outputs(preview, qualifier), outputs(base, baseQualifier)];
  for (const o of baseOutputs) {
    if (previewOutputs.has(o)) continue;
    if (PREVIEW_ABSENT_OUTPUTS.some((absent) => absent.pattern.test(o))) continue;
    problems.push(`output ${qualifier}-${o} is missing (${baseQualifier} has it)`);
  }
  return problems;
}

const DELETION_PROTECTION = ['deletion_protection', 'enable_deletion_protection', 'deletion_protection_enabled'];

/** Walks every nested value of a resource, with its path. */
function walk(value: unknown, path: string, visit: (key: string, value: unknown, path: string) => void): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, `${path}.${k}`);
      walk(v, `${path}.${k}`, visit);
    }
  }
}

/** Longest CloudWatch Logs retention a preview may keep. */
export const PREVIEW_MAX_LOG_RETENTION_DAYS = 7;

/**
 * Whether `terraform destroy` of these stacks succeeds unattended and leaves nothing that
 * blocks recreating the same preview: no deletion protection or prevent_destroy anywhere,
 * buckets emptied on destroy and without object lock, no final snapshot, repositories
 * force-deleted, secrets deleted without a recovery window, short log retention.
 */
export function cleanDestroyProblems(stacks: readonly SynthStack[]): string[] {
  const problems: string[] = [];
  for (const stack of stacks) {
    for (const [type, id, config] of resourcesOf(stack)) {
      const at = `stack ${stack.name}: ${type}.${id}`;
      walk(config, '', (key, value, path) => {
        if (DELETION_PROTECTION.includes(key) && value === true) problems.push(`${at}${path} is true`);
        if (key === 'prevent_destroy' && value === true) problems.push(`${at}${path} is true`);
      });
      const rule = {
        aws_s3_bucket: () => [
          config['force_destroy'] !== true && 'force_destroy is not true: destroy fails on a non-empty bucket',
          config['object_lock_enabled'] === true && 'object_lock_enabled: locked objects cannot be deleted',
        ],
        aws_db_instance: () => [config['skip_final_snapshot'] !== true && 'skip_final_snapshot is not true'],
        aws_rds_cluster: () => [config['skip_final_snapshot'] !== true && 'skip_final_snapshot is not true'],
        aws_ecr_repository: () => [config['force_delete'] !== true && 'force_delete is not true: destroy fails while images exist'],
        aws_secretsmanager_secret: () => [
          config['recovery_window_in_days'] !== 0 && `recovery_window_in_days is ${String(config['recovery_window_in_days'] ?? '30 (default)')}, not 0: the name stays reserved and the same preview cannot be created again`,
        ],
        aws_cloudwatch_log_group: () => {
          const days = config['retention_in_days'];
          return [
            !(typeof days === 'number' && days > 0 && days <= PREVIEW_MAX_LOG_RETENTION_DAYS) &&
              `retention_in_days is ${String(days ?? 'unset (never expire)')}, expected 1..${PREVIEW_MAX_LOG_RETENTION_DAYS}`,
          ];
        },
      }[type];
      for (const message of rule?.() ?? []) if (message) problems.push(`${at}: ${message}`);
    }
  }
  return problems;
}

/** Shortest log retention prod may keep, days (0 or unset: never expire). */
export const PROD_MIN_LOG_RETENTION_DAYS = 365;

/** Prod (unsuffixed) keeps every protection: deletion protection, Multi-AZ, final snapshots, kept buckets and logs. */
export function prodProtectionProblems(stacks: readonly SynthStack[]): string[] {
  const problems: string[] = [];
  for (const stack of stacks) {
    for (const [type, id, config] of resourcesOf(stack)) {
      const at = `stack ${stack.name}: ${type}.${id}`;
      const expect = (ok: boolean, message: string) => {
        if (!ok) problems.push(`${at}: ${message}`);
      };
      switch (type) {
        case 'aws_db_instance':
          expect(config['deletion_protection'] === true, 'deletion_protection is not true');
          expect(config['multi_az'] === true, 'multi_az is not true');
          expect(config['skip_final_snapshot'] !== true, 'skip_final_snapshot is true');
          expect(typeof config['final_snapshot_identifier'] === 'string', 'no final_snapshot_identifier');
          break;
        case 'aws_rds_cluster':
          expect(config['deletion_protection'] === true, 'deletion_protection is not true');
          expect(config['skip_final_snapshot'] !== true, 'skip_final_snapshot is true');
          break;
        case 'aws_lb':
          expect(config['enable_deletion_protection'] === true, 'enable_deletion_protection is not true');
          break;
        case 'aws_dynamodb_table':
          expect(config['deletion_protection_enabled'] === true, 'deletion_protection_enabled is not true');
          break;
        case 'aws_s3_bucket':
          expect(config['force_destroy'] !== true, 'force_destroy is true');
          break;
        case 'aws_cloudwatch_log_group': {
          const days = config['retention_in_days'];
          expect(days === undefined || days === 0 || (typeof days === 'number' && days >= PROD_MIN_LOG_RETENTION_DAYS), `retention_in_days is ${String(days)}, expected >= ${PROD_MIN_LOG_RETENTION_DAYS}`);
          break;
        }
      }
    }
  }
  return problems;
}

/** How many resources of each type the stacks hold. */
export function resourceCounts(stacks: readonly SynthStack[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const stack of stacks) for (const [type] of resourcesOf(stack)) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
