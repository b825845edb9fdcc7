import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { REQUIRED_TAG_KEYS, type RequiredTags } from '@estate/tagging';
import { Naming } from './naming';
import {
  ENVIRONMENT_NAMES,
  isEnvironmentName,
  type AccountRole,
  type DatabaseConfig,
  type EnvironmentName,
  type LegacyDatabaseConfig,
  type OrganisationInput,
  type PeerName,
  type PeeringConfig,
  type ServiceConfig,
} from './organisation';
import type { EnvironmentSettings, Tier } from './settings';
import { formatOf, parseSource, type ParsedSource, type Position } from './source';
import { collectIssues, effectiveSettings, tierOf, type ConfigIssue, type RuntimeInputs } from './validate';

/** Where the example organisation lives; used when ORG_CONFIG is not set. */
export const EXAMPLE_ORGANISATION_PATH = join(__dirname, '..', '..', 'organisation.example.json');

/** A problem, with where it is written when it comes from the config file. */
export type LocatedIssue = ConfigIssue & { readonly line?: number; readonly column?: number };

/** Environment variables the loader reads; problems with them have no file position. */
export const CONFIG_VARIABLES = ['ORG_CONFIG', 'TEAM', 'COST_CENTER', 'ENVIRONMENT_SUFFIX'] as const;

/**
 * Thrown for any invalid configuration; the message lists every problem as
 * `file:line:column: path: what was found; what was expected`.
 */
export class OrganisationConfigError extends Error {
  constructor(
    public readonly source: string,
    public readonly issues: readonly LocatedIssue[],
  ) {
    super(
      `Invalid organisation config (${source}): ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` +
        issues
          .map((i) => `  ${i.line ? `${source}:${i.line}${i.column ? `:${i.column}` : ''}: ` : ''}${i.path ? `${i.path}: ` : ''}${i.message}`)
          .join('\n'),
    );
    this.name = 'OrganisationConfigError';
  }
}

/** State backend of one account: where its stacks keep state. */
export interface StateBackendTarget {
  readonly bucket: string;
  readonly lockTable: string;
  /** Alias of the KMS key that encrypts state objects. */
  readonly kmsKeyAlias: string;
  readonly region: string;
  /** Role the backend assumes to reach the bucket (the deploy role of the owning account). */
  readonly roleArn: string;
  /** Role plan runs reach the bucket with (the plan role of the owning account: reads state, takes the lock). */
  readonly planRoleArn: string;
}

/** Everything a stack needs to target one account. */
export interface AccountTarget {
  readonly role: AccountRole;
  readonly accountId: string;
  readonly region: string;
  readonly deployRoleArn: string;
  readonly naming: Naming;
  /** The three required tags (plus EnvironmentSuffix for a preview copy). */
  readonly tags: RequiredTags & Record<string, string>;
  readonly state: StateBackendTarget;
}

/** One environment (dev, staging, prod, or a preview copy of one) with its effective settings. */
export interface EnvironmentContext extends AccountTarget {
  readonly role: EnvironmentName;
  readonly name: EnvironmentName;
  readonly suffix?: string;
  readonly isPreview: boolean;
  readonly tier: Tier;
  readonly vpcCidr: string;
  readonly domainName: string;
  readonly settings: EnvironmentSettings;
}

/** A validated organisation. Build it with {@link loadOrganisation} or {@link Organisation.fromInput}. */
export class Organisation {
  private constructor(
    public readonly input: OrganisationInput,
    public readonly team: string,
    public readonly costCenter: string,
    /** Preview suffix from ENVIRONMENT_SUFFIX, if any. */
    public readonly suffix: string | undefined,
    /** Non-fatal findings (e.g. prod <-> dev peering). */
    public readonly warnings: readonly ConfigIssue[],
    public readonly source: string,
  ) {}

  /**
   * Validates `raw` and returns the organisation, or throws {@link OrganisationConfigError}
   * listing every problem (with line and column when `text` is the file it came from;
   * YAML when `source` ends in `.yaml`/`.yml`).
   */
  static fromInput(raw: unknown, runtime: RuntimeInputs = {}, source = 'organisation config', text?: string): Organisation {
    return Organisation.validate(raw, runtime, source, text === undefined ? undefined : parseSource(text, formatOf(source)), []);
  }

  private static validate(raw: unknown, runtime: RuntimeInputs, source: string, parsed: ParsedSource | undefined, earlier: readonly LocatedIssue[]): Organisation {
    const suffix = runtime.environmentSuffix === '' ? undefined : runtime.environmentSuffix;
    const issues = collectIssues(raw, { ...runtime, environmentSuffix: suffix });
    const located: LocatedIssue[] = issues.map((issue) => {
      if (!parsed || (CONFIG_VARIABLES as readonly string[]).includes(issue.path)) return issue;
      const position: Position | undefined = parsed.locate(issue.at ?? issue.path);
      return position ? { ...issue, ...position } : issue;
    });
    // Environment variables first, then in file order.
    const errors = [...earlier, ...located.filter((i) => i.severity === 'error')].sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    if (errors.length > 0) throw new OrganisationConfigError(source, errors);
    const input = raw as OrganisationInput;
    return new Organisation(
      input,
      runtime.team ?? input.tags.team,
      runtime.costCenter ?? input.tags.costCenter,
      suffix,
      located.filter((i) => i.severity === 'warning'),
      source,
    );
  }

  /**
   * Validates the text of a config file (`source` names it; `.yaml`/`.yml` is YAML, else
   * JSON): syntax errors, duplicate keys and every validation problem, with positions.
   */
  static fromText(text: string, runtime: RuntimeInputs = {}, source = 'organisation config'): Organisation {
    const parsed = parseSource(text, formatOf(source));
    const problems: LocatedIssue[] = parsed.problems.map((p) => ({ path: p.path, message: p.message, severity: 'error', ...p.position }));
    if (parsed.value === undefined) throw new OrganisationConfigError(source, problems);
    return Organisation.validate(parsed.value, runtime, source, parsed, problems);
  }

  get name(): string {
    return this.input.name;
  }

  get region(): string {
    return this.input.region;
  }

  get services(): readonly ServiceConfig[] {
    return this.input.services;
  }

  get databases(): readonly DatabaseConfig[] {
    return this.input.databases;
  }

  get legacy() {
    return this.input.legacy;
  }

  get iam() {
    return this.input.iam;
  }

  get github() {
    return this.input.github;
  }

  accountId(role: AccountRole): string {
    return this.input.accounts[role].id;
  }

  /** `arn:aws:iam::<account>:role/<name>` */
  roleArn(role: AccountRole, roleName: string): string {
    return `arn:aws:iam::${this.accountId(role)}:role/${roleName}`;
  }

  /**
   * The deploy role of an account. For legacy this is the name the per-environment
   * migration roles share as a prefix; each environment uses {@link legacyRoleArn}.
   */
  deployRoleArn(role: AccountRole): string {
    return this.roleArn(role, role === 'legacy' ? this.iam.legacyMigrationRoleName : this.iam.deployRoleName);
  }

  /** The read-only plan role of a state account (created by backend-bootstrap). */
  planRoleArn(role: Exclude<AccountRole, 'legacy'>): string {
    return this.roleArn(role, this.iam.planRoleName);
  }

  /**
   * The role `environment`'s stacks and runner use in the legacy account: one per
   * environment (`<legacyMigrationRoleName>-<env>`), scoped to that environment's names,
   * snapshots and peering; `plan` is its read-only twin (`...-<env>-plan`) for plan runs.
   */
  legacyRoleArn(environment: EnvironmentName, access: 'deploy' | 'plan' = 'deploy'): string {
    return this.roleArn('legacy', `${this.iam.legacyMigrationRoleName}-${environment}${access === 'plan' ? '-plan' : ''}`);
  }

  /** The role an administrator bootstraps `role`'s account with (`accounts.<role>.bootstrapRoleName`, else `iam.bootstrapRoleName`). */
  bootstrapRoleArn(role: AccountRole): string {
    return this.roleArn(role, this.input.accounts[role].bootstrapRoleName ?? this.iam.bootstrapRoleName);
  }

  /**
   * The permissions boundary the deploy role of `role`'s account must put on every role it
   * creates (`arn:aws:iam::<account>:policy/<role>-deploy-boundary`, created by backend-bootstrap).
   */
  deployBoundaryArn(role: Exclude<AccountRole, 'legacy'>): string {
    return `arn:aws:iam::${this.accountId(role)}:policy/${new Naming(role).resource('iam-policy', 'deploy-boundary')}`;
  }

  /** Accounts that keep Terraform state (legacy's migration role stack keeps its state in ops). */
  stateBackend(role: Exclude<AccountRole, 'legacy'>): StateBackendTarget {
    const id = this.accountId(role);
    return {
      bucket: `${role}-tfstate-${id}`,
      lockTable: `${role}-tfstate-lock`,
      kmsKeyAlias: `alias/${role}-tfstate`,
      region: this.region,
      roleArn: this.deployRoleArn(role),
      planRoleArn: this.planRoleArn(role),
    };
  }

  private tagsFor(environment: string, suffix?: string): RequiredTags & Record<string, string> {
    const tags: Record<string, string> = {
      [REQUIRED_TAG_KEYS[0]]: environment,
      [REQUIRED_TAG_KEYS[1]]: this.team,
      [REQUIRED_TAG_KEYS[2]]: this.costCenter,
    };
    if (suffix) tags['EnvironmentSuffix'] = suffix;
    return tags as RequiredTags & Record<string, string>;
  }

  /** Target for an account-level app (ops, or any account during bootstrap). Preview suffixes do not apply. */
  account(role: Exclude<AccountRole, 'legacy'>): AccountTarget {
    return {
      role,
      accountId: this.accountId(role),
      region: this.region,
      deployRoleArn: this.deployRoleArn(role),
      naming: new Naming(role),
      tags: this.tagsFor(role),
      state: this.stateBackend(role),
    };
  }

  /**
   * The environment `name` (a string, so that an unknown name from the command line fails
   * here with the list of known ones), as a preview copy when ENVIRONMENT_SUFFIX is set.
   */
  environment(name: string): EnvironmentContext {
    if (!isEnvironmentName(name)) {
      throw new OrganisationConfigError(this.source, [
        { path: 'environment', severity: 'error', message: `'${name}' is not a known environment; expected one of ${ENVIRONMENT_NAMES.join(', ')}` },
      ]);
    }
    const config = this.input.environments[name];
    const allowPreviews = config.allowPreviews ?? name !== 'prod';
    if (this.suffix && !allowPreviews) {
      throw new OrganisationConfigError(this.source, [
        {
          path: 'ENVIRONMENT_SUFFIX',
          severity: 'error',
          message: `'${this.suffix}' asks for a preview copy of ${name}, but environments.${name}.allowPreviews is ${String(config.allowPreviews ?? false)}; unset ENVIRONMENT_SUFFIX or allow previews explicitly`,
        },
      ]);
    }
    return {
      role: name,
      name,
      suffix: this.suffix,
      isPreview: this.suffix !== undefined,
      tier: tierOf(this.input, name),
      accountId: this.accountId(name),
      region: this.region,
      deployRoleArn: this.deployRoleArn(name),
      naming: new Naming(name, this.suffix),
      tags: this.tagsFor(name, this.suffix),
      state: this.stateBackend(name),
      vpcCidr: config.vpcCidr,
      domainName: config.domainName,
      settings: effectiveSettings(this.input, name, this.suffix),
    };
  }

  /** Peering entries that involve `peer`, each with the other side. */
  peeringsOf(peer: PeerName): { other: PeerName; entry: PeeringConfig }[] {
    return this.input.peering
      .filter((p) => p.between.includes(peer))
      .map((entry) => ({ other: (entry.between[0] === peer ? entry.between[1] : entry.between[0]) as PeerName, entry }));
  }

  /**
   * Which app owns the peering between two peers: the one deployed later (so the earlier
   * side exists when the connection is requested). Legacy is never an owner.
   */
  peeringOwner(entry: PeeringConfig): EnvironmentName {
    const [a, b] = entry.between;
    if (a === 'legacy') return b as EnvironmentName;
    if (b === 'legacy') return a as EnvironmentName;
    return ENVIRONMENT_NAMES.indexOf(a) > ENVIRONMENT_NAMES.indexOf(b) ? a : b;
  }

  vpcCidrOf(peer: PeerName): string {
    return peer === 'legacy' ? this.legacy.vpcCidr : this.input.environments[peer].vpcCidr;
  }

  legacyDatabase(name: string): LegacyDatabaseConfig | undefined {
    return this.legacy.databases.find((db) => db.name === name);
  }
}

export interface LoadOptions {
  /** Environment variables to read (ORG_CONFIG, TEAM, COST_CENTER, ENVIRONMENT_SUFFIX). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Base for a relative ORG_CONFIG. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * Reads the organisation config named by ORG_CONFIG (or the example), applies TEAM,
 * COST_CENTER and ENVIRONMENT_SUFFIX from the environment, and validates everything.
 */
export function loadOrganisation(options: LoadOptions = {}): Organisation {
  const env = options.env ?? process.env;
  const configured = env['ORG_CONFIG'];
  const fail = (path: string, message: string): never => {
    throw new OrganisationConfigError(path, [{ path: 'ORG_CONFIG', severity: 'error', message }]);
  };
  if (configured !== undefined && configured !== '' && configured.trim() === '') {
    fail('ORG_CONFIG', `'${configured}' is only whitespace; unset it for the example organisation, or give the path of your organisation file`);
  }
  const path = configured
    ? isAbsolute(configured)
      ? configured
      : resolve(env['INIT_CWD'] ?? options.cwd ?? process.cwd(), configured)
    : EXAMPLE_ORGANISATION_PATH;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) {
    fail(path, `file '${path}' does not exist; point ORG_CONFIG at your organisation file, JSON or YAML (see libs/config/organisation.example.json)`);
  } else if (stat.isDirectory()) {
    fail(path, `'${path}' is a directory; point ORG_CONFIG at the organisation file itself (JSON, or YAML ending in .yaml/.yml)`);
  }
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(path, `cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return Organisation.fromText(
    text,
    {
      team: env['TEAM'],
      costCenter: env['COST_CENTER'],
      // Empty means "no preview copy" (how CI passes an unset value); whitespace is an error.
      environmentSuffix: env['ENVIRONMENT_SUFFIX'] === '' ? undefined : env['ENVIRONMENT_SUFFIX'],
    },
    path,
  );
}
