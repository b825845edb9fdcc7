/**
 * What a saved plan will do, from `terraform show -json <plan>`, and the one summary across
 * every stack a command touches: as text for people, Markdown for a pull-request comment,
 * JSON for machines.
 */

/** The part of `terraform show -json` the summary reads (format_version 1.x). */
export interface PlanJson {
  readonly format_version?: string;
  readonly resource_changes?: readonly { address: string; type: string; change: { actions: readonly string[] } }[];
  readonly resource_drift?: readonly { address: string; type: string; change: { actions: readonly string[] } }[];
  readonly output_changes?: Readonly<Record<string, { actions: readonly string[] }>>;
  readonly errored?: boolean;
}

/** Resource types that hold data or keys: changing, replacing or destroying one is highlighted. */
export const STATEFUL_TYPES: readonly string[] = [
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_rds_cluster_instance',
  'aws_s3_bucket',
  'aws_kms_key',
  'aws_dynamodb_table',
  'aws_efs_file_system',
  'aws_ecr_repository',
  'aws_secretsmanager_secret',
  'aws_elasticache_replication_group',
  'aws_backup_vault',
  'aws_dms_replication_instance',
  'aws_cloudwatch_log_group',
];

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  /** `create`, `update`, `delete`, `replace` (delete and create, either order) or `read`. */
  readonly action: 'create' | 'update' | 'delete' | 'replace' | 'read';
  readonly stateful: boolean;
}

export type StackPlanStatus =
  /** Nothing to do. */
  | 'no-changes'
  | 'changes'
  /** Reads outputs of a stack that changes first: planned (again) once that stack has applied. */
  | 'planned-after'
  | 'error';

export interface StackPlan {
  readonly app: string;
  readonly stack: string;
  readonly status: StackPlanStatus;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  /** Every change but no-ops, in plan order. */
  readonly changes: readonly ResourceChange[];
  /** Outputs whose value changes (a stack reading them must be planned after this one applies). */
  readonly outputChanges: readonly string[];
  /** The stack's provider account is the prod account. */
  readonly prod: boolean;
  /** For `planned-after`: the upstream stacks it waits for. */
  readonly after?: readonly string[];
  /**
   * For `planned-after`: the provisional plan against the upstream's current outputs, when one
   * could be computed; never applied, shown for review and compared with the re-plan.
   */
  readonly provisional?: StackPlan;
  /** For `error`: terraform's message. */
  readonly error?: string;
  /** `drift` only: resources changed outside Terraform. */
  readonly drift?: readonly ResourceChange[];
}

function actionOf(actions: readonly string[]): ResourceChange['action'] | undefined {
  const set = [...actions].sort().join(',');
  if (set === 'create') return 'create';
  if (set === 'update') return 'update';
  if (set === 'delete') return 'delete';
  if (set === 'create,delete') return 'replace';
  if (set === 'read') return 'read';
  return undefined; // no-op, forget
}

function changesOf(entries: PlanJson['resource_changes']): ResourceChange[] {
  const out: ResourceChange[] = [];
  for (const entry of entries ?? []) {
    const action = actionOf(entry.change.actions);
    if (action) out.push({ address: entry.address, type: entry.type, action, stateful: STATEFUL_TYPES.includes(entry.type) });
  }
  return out;
}

/** Summarizes one stack's saved plan (`terraform show -json tfplan`). */
export function summarizePlan(json: PlanJson, meta: { app: string; stack: string; prod: boolean }, refreshOnly = false): StackPlan {
  if (!json.format_version?.startsWith('1.')) {
    throw new Error(`${meta.stack}: terraform show -json printed plan format ${json.format_version ?? '(none)'}; the driver reads format 1.x`);
  }
  const changes = changesOf(json.resource_changes).filter((c) => c.action !== 'read');
  const count = (action: ResourceChange['action']) => changes.filter((c) => c.action === action).length;
  const outputChanges = Object.entries(json.output_changes ?? {})
    .filter(([, c]) => !c.actions.every((a) => a === 'no-op'))
    .map(([name]) => name)
    .sort();
  const drift = refreshOnly ? changesOf(json.resource_drift) : undefined;
  return {
    ...meta,
    status: changes.length > 0 || outputChanges.length > 0 || (drift?.length ?? 0) > 0 ? 'changes' : 'no-changes',
    add: count('create'),
    change: count('update'),
    destroy: count('delete'),
    replace: count('replace'),
    changes,
    outputChanges,
    ...(drift ? { drift } : {}),
  };
}

/** Same resource changes (address and action): a re-plan that may be applied without asking again. */
export function sameChanges(a: StackPlan, b: StackPlan): boolean {
  const key = (p: StackPlan) => p.changes.map((c) => `${c.action} ${c.address}`).sort().join('\n');
  return key(a) === key(b);
}

export interface PlanSummary {
  readonly action: string;
  /** The app the command was run for, and every app it touches, upstream first. */
  readonly app: string;
  readonly apps: readonly string[];
  readonly stacks: readonly StackPlan[];
}

export interface Totals {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  readonly withChanges: number;
  readonly plannedAfter: number;
  readonly errors: number;
}

export function totals(summary: PlanSummary): Totals {
  const sum = (k: 'add' | 'change' | 'destroy' | 'replace') => summary.stacks.reduce((n, s) => n + s[k], 0);
  return {
    add: sum('add'),
    change: sum('change'),
    destroy: sum('destroy'),
    replace: sum('replace'),
    withChanges: summary.stacks.filter((s) => s.status === 'changes').length,
    plannedAfter: summary.stacks.filter((s) => s.status === 'planned-after').length,
    errors: summary.stacks.filter((s) => s.status === 'error').length,
  };
}

/** `-detailed-exitcode` semantics for the whole summary: 0 no changes, 2 changes, 1 error. */
export function planExitCode(summary: PlanSummary): 0 | 1 | 2 {
  const t = totals(summary);
  if (t.errors > 0) return 1;
  return t.withChanges > 0 || t.plannedAfter > 0 ? 2 : 0;
}

function counts(s: Pick<StackPlan, 'add' | 'change' | 'destroy' | 'replace'>): string {
  return `+${s.add} ~${s.change} -${s.destroy} ±${s.replace}`;
}

function statusText(s: StackPlan): string {
  switch (s.status) {
    case 'no-changes':
      return 'no changes';
    case 'changes':
      return s.drift ? `drift: ${s.drift.length} resource(s), ${s.outputChanges.length} output(s)` : `${counts(s)}${s.add + s.change + s.destroy + s.replace === 0 ? ' (outputs only)' : ''}`;
    case 'planned-after':
      return `planned after ${(s.after ?? []).join(', ')}${s.provisional ? ` (provisionally ${counts(s.provisional)})` : ''}`;
    case 'error':
      return `error: ${(s.error ?? '').split('\n')[0]}`;
  }
}

/** Destroys, replacements and stateful changes, each by address: what a reviewer must see. */
function attention(summary: PlanSummary): { stack: string; prod: boolean; change: ResourceChange }[] {
  const out: { stack: string; prod: boolean; change: ResourceChange }[] = [];
  for (const s of summary.stacks) {
    const changes = s.status === 'planned-after' ? (s.provisional?.changes ?? []) : s.changes;
    for (const change of changes) {
      if (change.action === 'delete' || change.action === 'replace' || (change.stateful && change.action !== 'create')) out.push({ stack: s.stack, prod: s.prod, change });
    }
  }
  return out;
}

export interface TextStyle {
  readonly color: boolean;
}

const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** The summary for a terminal or a log: one line per stack, then what needs attention. */
export function renderText(summary: PlanSummary, style: TextStyle = { color: false }): string {
  const t = totals(summary);
  const width = Math.max(5, ...summary.stacks.map((s) => s.stack.length));
  const appWidth = Math.max(3, ...summary.stacks.map((s) => s.app.length));
  const lines = [
    `${summary.action} ${summary.app}: ${summary.stacks.length} stacks in ${summary.apps.length} app(s) (${summary.apps.join(' → ')})`,
    '',
    `  ${'stack'.padEnd(width)}  ${'app'.padEnd(appWidth)}  plan (+add ~change -destroy ±replace)`,
  ];
  for (const s of summary.stacks) {
    const mark = s.prod ? paint(style.color, '1;31', ' PROD') : '';
    const text = statusText(s);
    const coloured = s.status === 'error' ? paint(style.color, '31', text) : s.status === 'no-changes' ? paint(style.color, '2', text) : text;
    lines.push(`  ${s.stack.padEnd(width)}  ${s.app.padEnd(appWidth)}  ${coloured}${mark}`);
  }
  const flagged = attention(summary);
  if (flagged.length > 0) {
    lines.push('', 'Destroys, replacements and changes to stateful resources:');
    for (const f of flagged) {
      const tags = [f.change.stateful ? 'stateful' : '', f.prod ? 'PROD' : ''].filter(Boolean).join(', ');
      lines.push(`  ${paint(style.color, '1;33', f.change.action.padEnd(7))} ${f.stack}: ${f.change.address}${tags ? `  [${tags}]` : ''}`);
    }
  }
  for (const s of summary.stacks.filter((x) => x.drift && x.status === 'changes')) {
    lines.push('', `Drift in ${s.stack}:`);
    for (const d of s.drift ?? []) lines.push(`  ${d.action.padEnd(7)} ${d.address}${d.stateful ? '  [stateful]' : ''}`);
    for (const o of s.outputChanges) lines.push(`  output  ${o}`);
  }
  lines.push(
    '',
    `Total: ${t.add} to add, ${t.change} to change, ${t.destroy} to destroy, ${t.replace} to replace; ` +
      `${t.withChanges} stack(s) with changes, ${t.plannedAfter} planned after their upstream, ${t.errors} error(s).`,
  );
  return lines.join('\n');
}

/** GitHub refuses comments longer than 65,536 characters; parts stay below this. */
export const COMMENT_LIMIT = 65_000;
/** The marker a workflow finds its own comment by. */
export const COMMENT_MARKER = '<!-- estate-plan -->';

/**
 * The summary as Markdown for a pull-request comment, split at line boundaries into parts
 * below {@link COMMENT_LIMIT} characters, each starting with the marker and its part number.
 */
export function renderMarkdown(summary: PlanSummary, limit = COMMENT_LIMIT): string[] {
  const t = totals(summary);
  const header = [
    `### \`${summary.action}\` ${summary.app}: ${t.add} to add, ${t.change} to change, ${t.destroy} to destroy, ${t.replace} to replace`,
    '',
    `${summary.stacks.length} stacks in ${summary.apps.map((a) => `\`${a}\``).join(' → ')}; ${t.withChanges} with changes, ${t.plannedAfter} planned after their upstream, ${t.errors} error(s).`,
    '',
  ];
  const body = ['| stack | app | add | change | destroy | replace | status |', '| --- | --- | ---: | ---: | ---: | ---: | --- |'];
  for (const s of summary.stacks) {
    const status = s.status === 'changes' ? (s.prod ? '**changes (prod)**' : 'changes') : statusText(s).replace(/\|/g, '\\|');
    body.push(`| \`${s.stack}\`${s.prod ? ' 🔴' : ''} | ${s.app} | ${s.add} | ${s.change} | ${s.destroy} | ${s.replace} | ${status} |`);
  }
  const flagged = attention(summary);
  if (flagged.length > 0) {
    body.push('', '#### Destroys, replacements and stateful changes', '');
    for (const f of flagged) {
      const tags = [f.change.stateful ? 'stateful' : '', f.prod ? '**prod**' : ''].filter(Boolean).join(', ');
      body.push(`- **${f.change.action}** \`${f.change.address}\` in \`${f.stack}\`${tags ? ` (${tags})` : ''}`);
    }
  }
  for (const s of summary.stacks.filter((x) => x.drift && x.status === 'changes')) {
    body.push('', `#### Drift in \`${s.stack}\``, '');
    for (const d of s.drift ?? []) body.push(`- ${d.action} \`${d.address}\`${d.stateful ? ' (stateful)' : ''}`);
    for (const o of s.outputChanges) body.push(`- output \`${o}\``);
  }
  const parts: string[][] = [];
  let current = [...header];
  let size = current.join('\n').length;
  const room = limit - 200; // marker, part line, continued table header
  for (const line of body) {
    if (size + line.length + 1 > room && current.length > 0) {
      parts.push(current);
      current = line.startsWith('|') && !line.startsWith('| ---') && !line.startsWith('| stack') ? [body[0], body[1]] : [];
      size = current.join('\n').length;
    }
    current.push(line.length > room ? `${line.slice(0, room - 20)} … (truncated)` : line);
    size += line.length + 1;
  }
  parts.push(current);
  return parts.map((lines, i) => `${COMMENT_MARKER}\n${parts.length > 1 ? `_part ${i + 1} of ${parts.length}_\n\n` : ''}${lines.join('\n')}\n`);
}

/** The summary for `--json`: stable field names, one object. */
export function renderJson(summary: PlanSummary): string {
  return `${JSON.stringify({ ...summary, totals: totals(summary), exitCode: planExitCode(summary) }, null, 2)}\n`;
}
