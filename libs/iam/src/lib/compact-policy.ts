import { Token } from 'cdktf';
import { condition as makeCondition } from './principals';
import { PolicyStatement, type Condition } from './policy-document';

/**
 * `service:Verb*` for an action (`ec2:CreateVpc` → `ec2:Create*`); actions that already
 * hold a wildcard stay as they are.
 */
export function verbPattern(action: string): string {
  const [service, name] = action.split(':');
  if (!name || name.includes('*')) return action;
  const verb = /^([A-Z][a-z]+|[a-z]+)/.exec(name)?.[1] ?? name;
  return `${service}:${verb}*`;
}

const READ_VERBS = new Set(['Describe', 'List', 'Get']);

/** Read verbs (Describe/List/Get) become patterns; anything else stays exact (used for actions on `*`). */
function readPattern(action: string): string {
  const pattern = verbPattern(action);
  const verb = pattern.split(':')[1]?.replace('*', '');
  return READ_VERBS.has(verb) && !SENSITIVE_ACTIONS.some((s) => globMatches(pattern, s)) ? pattern : action;
}

/**
 * The account-level form of an ARN for `accountId`'s boundary: any ARN in that account
 * and a region becomes `arn:aws:*:<region>:<account>:*`; other accounts' ARNs become
 * `arn:aws:<service>:<region>:<account>:*` (the service stays pinned across accounts);
 * IAM ARNs, ARNs without an account (S3, Route 53) and tokens stay exact.
 */
export function accountLevelArn(resource: string, accountId: string): string {
  if (resource === '*' || Token.isUnresolved(resource)) return resource;
  const parts = resource.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[4] === '' || parts[2] === 'iam') return resource;
  if (parts[4] === accountId && parts[3] !== '') return `arn:aws:*:${parts[3]}:${accountId}:*`;
  return `${parts.slice(0, 5).join(':')}:*`;
}

const unique = (values: Iterable<string>) => [...new Set(values)].sort();

/** Whether IAM pattern `pattern` (`*` and `?` wildcards) matches `value`. */
export function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(value);
}

/** `resources` without those another (different) entry already matches. */
function withoutCovered(resources: Iterable<string>): string[] {
  const all = unique(resources);
  return all.filter((r) => Token.isUnresolved(r) || !all.some((other) => other !== r && !Token.isUnresolved(other) && globMatches(other, r)));
}
const serviceOf = (action: string) => action.split(':')[0];

/**
 * Actions that read protected data. The boundary keeps them exactly as granted (resources
 * and conditions), and never lets a verb pattern cover them (`secretsmanager:Get*` from
 * GetResourcePolicy would allow GetSecretValue on every secret of the account).
 */
export const SENSITIVE_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom', 'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters'] as const;
const isSensitive = (action: string) => (SENSITIVE_ACTIONS as readonly string[]).includes(action);
const POSITIVE_OPERATORS = new Set(['StringEquals', 'StringLike', 'ArnEquals', 'ArnLike', 'ForAnyValue:StringEquals', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals', 'ForAllValues:StringLike']);
type Grant = { actions: Set<string>; resources: readonly string[]; conditions: readonly Condition[] };

/**
 * Whether grant `a` already allows everything `b` does: its actions and resources cover
 * b's, and each of a's conditions is in b with b's values among a's (positive operators
 * only, where fewer values are narrower). Keeps the exact grants of a boundary short.
 */
function subsumes(a: Grant, b: Grant): boolean {
  if (![...b.actions].every((x) => a.actions.has(x))) return false;
  if (!b.resources.every((r) => a.resources.some((p) => p === r || (!Token.isUnresolved(p) && !Token.isUnresolved(r) && globMatches(p, r))))) return false;
  return a.conditions.every((ca) => {
    if (!POSITIVE_OPERATORS.has(ca.test)) return false;
    const cb = b.conditions.find((c) => c.test === ca.test && c.variable === ca.variable);
    return cb !== undefined && cb.values.every((v) => ca.values.includes(v));
  });
}

/** The verb pattern of `action`, unless it would cover a sensitive action: then the action itself. */
function safePattern(action: string): string {
  const pattern = verbPattern(action);
  return SENSITIVE_ACTIONS.some((s) => globMatches(pattern, s)) ? action : pattern;
}
const BOUNDARY_CONDITION = 'iam:PermissionsBoundary';

/**
 * A compact superset of `statements` (Allow only) for a permissions boundary, whose
 * 6,144-character limit the exact role policies exceed. What stays exact is what
 * guards against escalation:
 *
 * - IAM and STS actions keep their exact resources (roles and policies under the prefix,
 *   the one legacy role), and statements conditioned on `iam:PermissionsBoundary` keep
 *   that condition, so a role carrying the boundary can only create roles that carry it;
 * - actions on `*` (no resource-level permission) stay exact, except read verbs;
 * - actions that read protected data ({@link SENSITIVE_ACTIONS}: kms:Decrypt,
 *   secretsmanager:GetSecretValue, ...) keep their exact resources and conditions, and no
 *   verb pattern is allowed to cover them.
 *
 * Everything else becomes verb patterns (`ec2:Create*`) on account-level resources
 * (`arn:aws:*:<region>:<account>:*` for the account itself, service-pinned ARNs for
 * other accounts, exact S3 and Route 53 ARNs), with its conditions dropped: the exact
 * scoping lives in the role's own policies, the boundary is the cap.
 */
export function compactAllows(statements: readonly PolicyStatement[], accountId: string): PolicyStatement[] {
  const unscoped = new Map<string, { actions: Set<string>; conditions?: readonly Condition[] }>();
  const bounded = { actions: new Set<string>(), resources: new Set<string>(), conditions: [] as Condition[] };
  const iam = { actions: new Set<string>(), resources: new Set<string>() };
  const sts = { actions: new Set<string>(), resources: new Set<string>() };
  const rest = { actions: new Set<string>(), resources: new Set<string>() };
  const sensitive = new Map<string, { actions: Set<string>; resources: readonly string[]; conditions: readonly Condition[] }>();
  for (const statement of statements) {
    if (statement.effect !== 'Allow') throw new Error('compactAllows: only Allow statements can be compacted');
    const { actions, resources = [], conditions = [] } = statement.props;
    if (resources.includes('*')) {
      const key = JSON.stringify(conditions);
      const entry = unscoped.get(key) ?? { actions: new Set<string>(), conditions };
      actions.forEach((a) => entry.actions.add(readPattern(a)));
      unscoped.set(key, entry);
      continue;
    }
    const boundaryCondition = conditions.find((c) => c.variable === BOUNDARY_CONDITION);
    for (const action of actions.filter(isSensitive)) {
      const key = JSON.stringify([resources, conditions]);
      const entry = sensitive.get(key) ?? { actions: new Set<string>(), resources, conditions };
      entry.actions.add(action);
      sensitive.set(key, entry);
    }
    for (const action of actions.filter((a) => !isSensitive(a))) {
      const service = serviceOf(action);
      const target = boundaryCondition ? bounded : service === 'iam' ? iam : service === 'sts' ? sts : rest;
      target.actions.add(service === 'sts' ? action : safePattern(action));
      resources.forEach((r) => target.resources.add(target === rest ? accountLevelArn(r, accountId) : r));
    }
    if (boundaryCondition) {
      const values = unique([...(bounded.conditions[0]?.values ?? []), ...boundaryCondition.values]);
      bounded.conditions = [makeCondition(boundaryCondition.test, BOUNDARY_CONDITION, ...values)];
    }
  }
  const out: PolicyStatement[] = [];
  let i = 0;
  for (const entry of unscoped.values()) {
    out.push(new PolicyStatement({ sid: `Unscoped${++i}`, actions: unique(entry.actions), resources: ['*'], conditions: entry.conditions }));
  }
  const add = (sid: string, group: { actions: Set<string>; resources: Set<string> }, conditions?: readonly Condition[]) => {
    if (group.actions.size) out.push(new PolicyStatement({ sid, actions: unique(group.actions), resources: withoutCovered(group.resources), conditions }));
  };
  add('Services', rest);
  let j = 0;
  const entries = [...sensitive.values()];
  for (const entry of entries.filter((e) => !entries.some((other) => other !== e && subsumes(other, e)))) {
    out.push(new PolicyStatement({ sid: `ReadProtected${++j}`, actions: unique(entry.actions), resources: [...entry.resources], conditions: entry.conditions.length ? entry.conditions : undefined }));
  }
  add('Iam', iam);
  add('IamBounded', bounded, bounded.conditions);
  add('Sts', sts);
  return out;
}
