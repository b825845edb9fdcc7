import { PolicyStatement, type Condition } from './policy-document';

/**
 * The permissions a role needs on one family of resources, split into what a
 * read-only `terraform plan` needs (`read`) and what `apply` adds (`write`).
 *
 * Resources are ARNs (or ARN patterns). `'*'` is accepted only together with
 * `unscoped`, which says why AWS offers no resource-level permission for those
 * actions; that reason is the documentation reviewers read, and a test keeps
 * every `'*'` honest.
 */
export interface PermissionSet {
  /** Statement id (letters and digits), e.g. `Ec2Network`. */
  readonly sid: string;
  /** Actions a read-only plan needs (Describe/Get/List). @default - none */
  readonly read?: readonly string[];
  /** Actions apply adds on top of `read`. @default - none */
  readonly write?: readonly string[];
  /** ARNs the actions are limited to. */
  readonly resources: readonly string[];
  /** Conditions that apply to every action of the set. @default - none */
  readonly conditions?: readonly Condition[];
  /** Why `resources` is `*`: the actions support no resource-level permission. Required exactly when resources contain `*`. */
  readonly unscoped?: string;
}

const SID = /^[A-Za-z0-9]+$/;

/** Checks a set: a real sid, actions present, no `*`/`service:*` action, `*` resource only with a reason. */
export function validatePermissionSet(set: PermissionSet): void {
  const where = `PermissionSet ${set.sid}`;
  if (!SID.test(set.sid)) throw new Error(`${where}: sid must be letters and digits`);
  const actions = [...(set.read ?? []), ...(set.write ?? [])];
  if (actions.length === 0) throw new Error(`${where}: no actions; give read and/or write actions`);
  for (const action of actions) {
    if (action === '*' || /^[a-z0-9-]+:\*$/.test(action)) {
      throw new Error(`${where}: action '${action}' grants a whole service; list the actions the stacks call`);
    }
  }
  if (set.resources.length === 0) throw new Error(`${where}: no resources; give ARNs (or '*' with an 'unscoped' reason)`);
  const wildcard = set.resources.includes('*');
  if (wildcard && set.resources.length > 1) {
    throw new Error(`${where}: '*' next to other resources makes them meaningless; split the set`);
  }
  if (wildcard && !set.unscoped?.trim()) {
    throw new Error(`${where}: resource '*' needs an 'unscoped' reason naming why these actions have no resource-level permission`);
  }
  if (!wildcard && set.unscoped) {
    throw new Error(`${where}: 'unscoped' is only for resource '*'; these resources are scoped`);
  }
}

/** The statements for `sets`: `read` only (plan roles) or `read` + `write` (deploy roles). Sets without actions for the mode are skipped. */
export function permissionStatements(sets: readonly PermissionSet[], mode: 'read' | 'write'): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const set of sets) {
    validatePermissionSet(set);
    const actions = mode === 'read' ? [...(set.read ?? [])] : [...(set.read ?? []), ...(set.write ?? [])];
    if (actions.length === 0) continue;
    statements.push(
      new PolicyStatement({ sid: mode === 'read' ? `Read${set.sid}` : set.sid, actions, resources: set.resources, conditions: set.conditions }),
    );
  }
  return statements;
}
