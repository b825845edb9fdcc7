import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Aspects, LocalBackend, S3Backend, TerraformStack, type IAspect } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { isEnvironmentName, type AccountRole, type AccountTarget, type Organisation } from '@estate/config';
import { applyGuardrails } from '@estate/guardrails';
import { REQUIRED_TAG_KEYS, RequiredTagsAspect } from '@estate/tagging';

/** Which roles a synthesized stack uses: `deploy` (apply) or `plan` (read-only, end to end). */
export type RoleMode = 'deploy' | 'plan';

/** The app context key that carries the role mode (set by synthesizeApp from ESTATE_ROLE). */
export const ROLE_MODE_CONTEXT = 'estate:role';

/**
 * The one switch between deploy and plan credentials, read at synth time:
 * `ESTATE_ROLE=plan` makes every provider, backend and remote-state block (and the
 * chain into legacy) use the read-only plan roles; unset or `deploy` uses the deploy roles.
 */
export function roleModeFrom(env: NodeJS.ProcessEnv = process.env): RoleMode {
  return parseRoleMode(env['ESTATE_ROLE']?.trim() ?? '', 'ESTATE_ROLE');
}

function parseRoleMode(value: unknown, where: string): RoleMode {
  if (value === undefined || value === '' || value === 'deploy') return 'deploy';
  if (value === 'plan') return 'plan';
  throw new Error(`${where} '${String(value)}' is not supported; expected 'deploy' (default: the deploy roles, for apply) or 'plan' (the read-only plan roles, for terraform plan)`);
}

export interface BaseStackProps {
  /** The account (and environment) this stack deploys into. */
  readonly target: AccountTarget;
  readonly organisation: Organisation;
  /**
   * Where state lives: the target account's S3 bucket, or a local file (only for
   * backend-bootstrap's first run, before the bucket exists).
   * @default - S3 bucket and DynamoDB lock table of the target account
   */
  readonly backend?: 's3' | { readonly localPath: string };
  /**
   * Role the provider assumes in the target account.
   * @default - the target account's deploy role
   */
  readonly assumeRoleArn?: string;
  /** `production` turns on the production-only guardrails. @default - non-production */
  readonly tier?: 'production' | 'non-production';
}

/**
 * The one place every stack gets its AWS provider (assume role into the target
 * account, account pinned, region, default tags), its S3 backend (own bucket, lock
 * table, KMS, lockfile), the required-tags aspect and the guardrail pack.
 *
 * The stack id is `<prefix><unit>` (`dev-network`, `dev-pr42-network`) and the state
 * key `<qualifier>/<unit>.tfstate`, so a preview copy never touches the environment's state.
 */
export class BaseStack extends TerraformStack {
  public readonly provider: AwsProvider;
  public readonly target: AccountTarget;
  public readonly organisation: Organisation;
  /** Unit name inside the app (`network`, `data`). */
  public readonly unit: string;
  /** Key of this stack's state object in the account's state bucket. */
  public readonly stateKey: string;
  private readonly extraProviders = new Map<string, AwsProvider>();
  /** The role the default provider assumes; the first hop of a chain into legacy. */
  private readonly roleArn: string;
  /** `plan`: every role this stack names is a read-only plan role. */
  public readonly roleMode: RoleMode;

  constructor(scope: Construct, unit: string, props: BaseStackProps) {
    super(scope, props.target.naming.stack(unit));
    this.target = props.target;
    this.organisation = props.organisation;
    this.unit = unit;
    this.stateKey = `${props.target.naming.qualifier}/${unit}.tfstate`;
    this.roleMode = parseRoleMode(this.node.tryGetContext(ROLE_MODE_CONTEXT), `context ${ROLE_MODE_CONTEXT} (ESTATE_ROLE)`);
    const plan = this.roleMode === 'plan';
    const stateAccount = props.target.role === 'legacy' ? undefined : props.target.role;
    this.roleArn = props.assumeRoleArn ?? (plan && stateAccount ? props.organisation.planRoleArn(stateAccount) : props.target.deployRoleArn);

    this.provider = new AwsProvider(this, 'aws', {
      region: props.target.region,
      allowedAccountIds: [props.target.accountId],
      assumeRole: [this.assumeRole(this.roleArn)],
      defaultTags: [{ tags: { ...props.target.tags } }],
    });

    const backend = props.backend ?? 's3';
    if (backend === 's3') {
      const state = props.target.state;
      new S3Backend(this, {
        bucket: state.bucket,
        key: this.stateKey,
        region: state.region,
        encrypt: true,
        kmsKeyId: `arn:aws:kms:${state.region}:${props.target.accountId}:${state.kmsKeyAlias}`,
        assumeRole: { roleArn: plan ? state.planRoleArn : state.roleArn, externalId: props.organisation.iam.externalId, sessionName: this.sessionName },
      });
      // S3-native locking only (Terraform >= 1.10, which the driver requires): `dynamodb_table`
      // is deprecated from 1.11 and warned on every init (docs/decisions.md, 7).
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    } else {
      new LocalBackend(this, { path: backend.localPath });
    }

    Aspects.of(this).add(new RequiredTagsAspect(props.target.tags));
    if (!props.assumeRoleArn && props.target.role !== 'legacy') {
      // The deploy role may create roles only when they carry its account's boundary.
      const role = props.target.role as Exclude<typeof props.target.role, 'legacy'>;
      Aspects.of(this).add(new PermissionsBoundaryAspect(props.organisation.deployBoundaryArn(role), this.provider));
    }
    applyGuardrails(this, {
      environment: props.target.role,
      accountId: props.target.accountId,
      organisationAccountIds: Object.values(props.organisation.input.accounts).map((a) => a.id),
      tier: props.tier ?? 'non-production',
      namePrefix: props.target.naming.prefix,
      requiredTagKeys: REQUIRED_TAG_KEYS,
    });
  }

  /** Session name that shows in CloudTrail which stack acted. */
  get sessionName(): string {
    return `estate-${this.node.id}`.slice(0, 64);
  }

  /**
   * A provider (aliased by role) into another account of the organisation, e.g. the
   * legacy account for lookups and snapshot sharing, or the peer environment for the
   * accepter side of a peering. Same region, same default tags, account pinned.
   * Peer environments are reached directly (their deploy roles trust the ops
   * principals); legacy through a role chain — this stack's own role first, then this
   * environment's legacy migration role, which trusts only this environment's deploy
   * role. In plan mode both hops are the plan roles.
   */
  providerFor(role: AccountRole): AwsProvider {
    if (role === this.target.role) return this.provider;
    const existing = this.extraProviders.get(role);
    if (existing) return existing;
    const plan = this.roleMode === 'plan';
    let chain: string[];
    if (role === 'legacy') {
      const environment = this.target.role;
      if (!isEnvironmentName(environment)) throw new Error(`${this.node.id}: only environment stacks reach the legacy account (this is ${environment})`);
      chain = [this.roleArn, this.organisation.legacyRoleArn(environment, this.roleMode)];
    } else {
      chain = [plan ? this.organisation.planRoleArn(role) : this.organisation.deployRoleArn(role)];
    }
    const provider = new AwsProvider(this, `aws-${role}`, {
      alias: role,
      region: this.target.region,
      allowedAccountIds: [this.organisation.accountId(role)],
      assumeRole: chain.map((arn) => this.assumeRole(arn)),
      defaultTags: [{ tags: { ...this.target.tags } }],
    });
    this.extraProviders.set(role, provider);
    return provider;
  }

  /** The legacy account's provider (alias `legacy`), created on first use. */
  get legacyProvider(): AwsProvider {
    return this.providerFor('legacy');
  }

  private assumeRole(roleArn: string) {
    return { roleArn, sessionName: this.sessionName, externalId: this.organisation.iam.externalId };
  }
}

/**
 * Puts the account's deploy boundary on every IAM role the stack's own provider creates
 * (the deploy role's `iam:CreateRole` is conditioned on it). Roles with an explicit
 * boundary, and roles created through another account's provider, are left alone.
 */
export class PermissionsBoundaryAspect implements IAspect {
  constructor(
    private readonly boundaryArn: string,
    private readonly provider: AwsProvider,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof IamRole)) return;
    if (node.permissionsBoundaryInput !== undefined) return;
    if (node.provider !== undefined && node.provider !== this.provider) return;
    node.permissionsBoundary = this.boundaryArn;
  }
}
