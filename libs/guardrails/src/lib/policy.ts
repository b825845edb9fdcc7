import { isExpression } from './inspect';
import type { GuardrailContext, ResourceView } from './types';

/**
 * IAM policy documents as the guardrails see them. Policies arrive as JSON
 * strings (rendered by `@estate/iam` PolicyDocument), with references left as
 * `${...}` inside string values, which JSON.parse reads fine.
 *
 * A policy that is not JSON at synth time (`${jsonencode(...)}`,
 * `${data.aws_iam_policy_document.x.json}`, a variable) cannot be judged. Passing
 * it silently would let it skip every IAM rule, and failing every IAM rule on it
 * would bury the real cause, so exactly one rule (MIG-IAM-1) reports it and the
 * others treat it as not applicable.
 */

/** What a policy governs, which changes what is normal inside it. */
export type PolicyKind =
  /** Attached to a role/user/group: what the identity may do. */
  | 'identity'
  /** A role's assume_role_policy: who may become the role. */
  | 'trust'
  /** On a bucket, repository, topic, queue or secret: who may use the resource. */
  | 'resource'
  /** A KMS key policy: `Resource: "*"` means "this key". */
  | 'key';

export interface AttachedPolicy {
  /** Where the policy sits on the resource, e.g. `assume_role_policy`, `inline_policy 'read'`. */
  readonly where: string;
  readonly kind: PolicyKind;
  readonly text: unknown;
}

export interface Principals {
  /** `"*"` or `{"AWS": "*"}`: anyone. */
  readonly wildcard: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
}

export interface Statement {
  /** `statement 'Sid'` or `statement #2` (1-based), for messages. */
  readonly label: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources: readonly string[];
  readonly notResources?: readonly string[];
  readonly principals?: Principals;
  readonly hasNotPrincipal: boolean;
  /** Condition operator → context key → values. */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export type ParsedPolicy =
  | { readonly readable: true; readonly statements: readonly Statement[] }
  | { readonly readable: false; readonly reason: string };

const IDENTITY_POLICY_TYPES = ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];
const RESOURCE_POLICY_TYPES = [
  'aws_s3_bucket_policy',
  'aws_ecr_repository_policy',
  'aws_sns_topic_policy',
  'aws_sqs_queue_policy',
  'aws_secretsmanager_secret_policy',
];
const KEY_POLICY_TYPES = ['aws_kms_key', 'aws_kms_key_policy'];

/** Every resource type that carries a policy document. */
export const POLICY_RESOURCE_TYPES: readonly string[] = ['aws_iam_role', ...IDENTITY_POLICY_TYPES, ...RESOURCE_POLICY_TYPES, ...KEY_POLICY_TYPES];

/** The policy documents a resource carries (absent ones are skipped). */
export function policiesOf(resource: ResourceView): AttachedPolicy[] {
  const c = resource.config;
  const present = (text: unknown) => text !== undefined && text !== null && text !== '';
  const found: AttachedPolicy[] = [];
  if (resource.type === 'aws_iam_role') {
    if (present(c['assume_role_policy'])) found.push({ where: 'assume_role_policy', kind: 'trust', text: c['assume_role_policy'] });
    const inline = Array.isArray(c['inline_policy']) ? (c['inline_policy'] as Record<string, unknown>[]) : [];
    inline.forEach((p, i) => {
      if (present(p?.['policy'])) found.push({ where: `inline_policy ${p['name'] ? `'${String(p['name'])}'` : `#${i + 1}`}`, kind: 'identity', text: p['policy'] });
    });
  } else if (IDENTITY_POLICY_TYPES.includes(resource.type) && present(c['policy'])) {
    found.push({ where: 'policy', kind: 'identity', text: c['policy'] });
  } else if (RESOURCE_POLICY_TYPES.includes(resource.type) && present(c['policy'])) {
    found.push({ where: 'policy', kind: 'resource', text: c['policy'] });
  } else if (KEY_POLICY_TYPES.includes(resource.type) && present(c['policy'])) {
    found.push({ where: 'key policy', kind: 'key', text: c['policy'] });
  }
  return found;
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function principals(value: unknown): Principals | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return { wildcard: true, aws: [], service: [], federated: [] };
  const map = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const aws = strings(map['AWS']);
  return {
    wildcard: aws.includes('*'),
    aws: aws.filter((a) => a !== '*'),
    service: strings(map['Service']),
    federated: strings(map['Federated']),
  };
}

/** Reads a policy document; says why when it cannot. */
export function parsePolicy(text: unknown): ParsedPolicy {
  if (typeof text !== 'string') return { readable: false, reason: `is a ${typeof text}, not a JSON string` };
  const trimmed = text.trim();
  if (trimmed.startsWith('${') && isExpression(trimmed)) {
    const shown = trimmed.length > 60 ? `${trimmed.slice(0, 57)}...` : trimmed;
    return { readable: false, reason: `is the Terraform expression '${shown}', which is only known at apply time` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch (error) {
    return { readable: false, reason: `is not valid JSON (${(error as Error).message})` };
  }
  const raw = (doc as Record<string, unknown> | null)?.['Statement'];
  const list = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : [];
  if (list.length === 0) return { readable: false, reason: 'has no Statement' };
  const statements: Statement[] = [];
  for (const [i, s] of list.entries()) {
    if (typeof s !== 'object' || s === null) return { readable: false, reason: `has a statement #${i + 1} that is not an object` };
    const st = s as Record<string, unknown>;
    const condition = (typeof st['Condition'] === 'object' && st['Condition'] !== null ? st['Condition'] : {}) as Record<string, unknown>;
    const conditions: Record<string, Record<string, string[]>> = {};
    for (const [operator, byKey] of Object.entries(condition)) {
      conditions[operator] = {};
      for (const [key, values] of Object.entries((byKey ?? {}) as Record<string, unknown>)) conditions[operator][key] = strings(values);
    }
    statements.push({
      label: typeof st['Sid'] === 'string' && st['Sid'] ? `statement '${st['Sid']}'` : `statement #${i + 1}`,
      effect: String(st['Effect'] ?? ''),
      actions: strings(st['Action']),
      notActions: st['NotAction'] !== undefined ? strings(st['NotAction']) : undefined,
      resources: strings(st['Resource']),
      notResources: st['NotResource'] !== undefined ? strings(st['NotResource']) : undefined,
      principals: principals(st['Principal']),
      hasNotPrincipal: st['NotPrincipal'] !== undefined,
      conditions,
    });
  }
  return { readable: true, statements };
}

/** The readable policies of a resource with their statements (unreadable ones are MIG-IAM-1's business). */
export function readablePolicies(resource: ResourceView): { policy: AttachedPolicy; statements: readonly Statement[] }[] {
  return policiesOf(resource).flatMap((policy) => {
    const parsed = parsePolicy(policy.text);
    return parsed.readable ? [{ policy, statements: parsed.statements }] : [];
  });
}

/** IAM wildcard match (`*` any run, `?` one character), case-insensitive like IAM action names. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/**
 * An action pattern that matches every action of every service: `*`, `**`, `*:*`, `*:**`
 * (IAM's `*` also matches the `:` between service and action).
 */
export function grantsEveryAction(pattern: string): boolean {
  return /^\*+(:\*+)?$/.test(pattern);
}

/**
 * An action pattern that matches every action of at least one service: `s3:*`, `s3:**`,
 * `*s3:*`, `s3:?*` (the action part only wildcards, at least one `*`), or a pattern without
 * the `:` that ends in `*` (`s3*` matches `s3:` and everything after it).
 */
export function grantsWholeService(pattern: string): boolean {
  const colon = pattern.indexOf(':');
  if (colon === -1) return pattern.endsWith('*');
  return /^[*?]*\*[*?]*$/.test(pattern.slice(colon + 1));
}

/** Context keys a statement's conditions test, lower-cased (condition keys are case-insensitive). */
export function conditionKeys(statement: Statement): string[] {
  return Object.values(statement.conditions).flatMap((byKey) => Object.keys(byKey).map((k) => k.toLowerCase()));
}

/** Values a statement's conditions give `key` (any operator). */
export function conditionValues(statement: Statement, key: string): string[] {
  return Object.values(statement.conditions).flatMap((byKey) =>
    Object.entries(byKey)
      .filter(([k]) => k.toLowerCase() === key.toLowerCase())
      .flatMap(([, v]) => v),
  );
}

export interface AwsPrincipalInfo {
  /** The 12-digit account, when written literally. */
  readonly account?: string;
  /** `arn:...:root` or a bare account id: the whole account. */
  readonly isAccountRoot: boolean;
  /**
   * Whether the principal is in the stack's own account: true for references to
   * `data.aws_caller_identity` or a literal matching `context.accountId`; false for a
   * literal other account; undefined when it cannot be told (a reference to another
   * resource, or a literal while the context does not say which account this is).
   */
  readonly sameAccount?: boolean;
}

const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;

export function awsPrincipalInfo(principal: string, context: GuardrailContext): AwsPrincipalInfo {
  const isAccountRoot = /^\d{12}$/.test(principal) || /:root$/.test(principal);
  const literal = /^\d{12}$/.test(principal) ? principal : ACCOUNT_IN_ARN.exec(principal)?.[1];
  if (literal) {
    return { account: literal, isAccountRoot, sameAccount: context.accountId ? literal === context.accountId : undefined };
  }
  if (/\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}/.test(principal)) return { isAccountRoot, sameAccount: true };
  return { isAccountRoot, sameAccount: undefined };
}
