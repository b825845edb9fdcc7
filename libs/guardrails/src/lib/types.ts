import type { IConstruct } from 'constructs';

export type Severity = 'error' | 'warning';

/** What a rule says about one resource. */
export type RuleResult =
  | { readonly status: 'compliant' }
  | { readonly status: 'not-applicable' }
  | { readonly status: 'non-compliant'; readonly detail: string };

export const compliant: RuleResult = { status: 'compliant' };
export const notApplicable: RuleResult = { status: 'not-applicable' };
export function nonCompliant(detail: string): RuleResult {
  return { status: 'non-compliant', detail };
}

/** A synthesized resource as Terraform sees it, with where it came from. */
export interface ResourceView {
  /** Terraform resource type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Logical name inside the stack JSON. */
  readonly name: string;
  /** `type.name`, the Terraform address. */
  readonly address: string;
  /** Construct path, e.g. `dev-data/assets/bucket`. */
  readonly path: string;
  /** Resolved arguments (references appear as `${aws_kms_key.x.arn}` strings). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The construct behind it, when found. */
  readonly construct?: IConstruct;
}

/** What rules may know about the stack being checked. */
export interface GuardrailContext {
  /** Environment or account role (`dev`, `prod`, `ops`). */
  readonly environment: string;
  /** `production` turns on the production-protection rules. */
  readonly tier: 'production' | 'non-production';
  /** Name prefix every named resource must start with (`dev-`, `dev-pr42-`). */
  readonly namePrefix: string;
  /** Required tag keys. */
  readonly requiredTagKeys: readonly string[];
  /**
   * The 12-digit account the stack deploys into. Lets the IAM rules tell a
   * cross-account principal from one in this account. @default - unknown: literal
   * account principals are treated as possibly cross-account
   */
  readonly accountId?: string;
  /** Every account of the organisation: the only accounts a trust policy may name. @default - unknown: MIG-IAM-9 checks only service principals */
  readonly organisationAccountIds?: readonly string[];
}

/** The stack under check: all its resources, for rules that look across resources. */
export interface StackView {
  readonly stackName: string;
  readonly resources: readonly ResourceView[];
  /** Resources of `type` whose argument `attribute` refers to `target` (by id, arn or name). */
  referencing(type: string, attribute: string, target: ResourceView): ResourceView[];
  /** The resource a `${type.name.attr}` reference string points at, if it is in this stack. */
  resolveReference(value: unknown): ResourceView | undefined;
}

export interface Rule {
  /** Stable id, e.g. `MIG-S3-1`. Never reuse or renumber: suppressions refer to it. */
  readonly id: string;
  /** What it asserts, in a few words. */
  readonly title: string;
  readonly severity: Severity;
  /** Why it matters. */
  readonly rationale: string;
  /** How to fix a finding. */
  readonly fix: string;
  /** The standard control it follows, e.g. `AWS FSBP S3.4; cdk-nag AwsSolutions-S1`. */
  readonly standard: string;
  /** Resource types it looks at (empty: every resource). */
  readonly resourceTypes: readonly string[];
  /** Only in production-tier stacks. @default false */
  readonly productionOnly?: boolean;
  check(resource: ResourceView, stack: StackView, context: GuardrailContext): RuleResult;
}

export interface Suppression {
  /** Rule id being suppressed. */
  readonly id: string;
  /** Why this resource may break the rule. Mandatory. */
  readonly reason: string;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly stack: string;
  readonly path: string;
  readonly address: string;
  readonly message: string;
}

export interface SuppressedFinding extends Finding {
  readonly reason: string;
}

export interface GuardrailReport {
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
}
