import type { Decision } from './check';
import type { PermissionReport } from './run';

export interface RoleSummary {
  readonly account: string;
  readonly role: string;
  /** Requests simulated (one per call and ARN it is authorised against). */
  readonly checked: number;
  readonly allowed: number;
  readonly denied: number;
  /** Distinct IAM actions among them. */
  readonly actions: number;
}

const accountOf = (roleArn: string) => roleArn.split(':')[4] ?? '';
const roleName = (roleArn: string) => roleArn.split('/').pop() ?? roleArn;

/** Per account and role: how many requests were simulated, allowed and denied. */
export function summarise(decisions: readonly Decision[], accountNames: Readonly<Record<string, string>>): RoleSummary[] {
  const byRole = new Map<string, Decision[]>();
  for (const d of decisions) byRole.set(d.request.roleArn, [...(byRole.get(d.request.roleArn) ?? []), d]);
  return [...byRole.entries()]
    .map(([arn, ds]) => ({
      account: accountNames[accountOf(arn)] ?? accountOf(arn),
      role: roleName(arn),
      checked: ds.length,
      allowed: ds.filter((d) => d.allowed).length,
      denied: ds.filter((d) => !d.allowed).length,
      actions: new Set(ds.map((d) => d.request.action)).size,
    }))
    .sort((a, b) => `${a.account} ${a.role}`.localeCompare(`${b.account} ${b.role}`));
}

/** The human report: the table per account, every denial with its deciding policy, what was not simulated and why, drift. */
export function formatReport(report: PermissionReport, accountNames: Readonly<Record<string, string>>): string {
  const rows = summarise(report.decisions, accountNames);
  const denied = report.decisions.filter((d) => !d.allowed);
  const lines: string[] = [];
  const total = report.decisions.length;
  lines.push(`permissions ${report.app}: ${total} requests simulated with @cloud-copilot/iam-simulate, ${total - denied.length} allowed, ${denied.length} denied`);
  const width = Math.max(4, ...rows.map((r) => r.role.length));
  lines.push(`  ${'account'.padEnd(8)} ${'role'.padEnd(width)} ${'checked'.padStart(7)} ${'allowed'.padStart(7)} ${'denied'.padStart(6)} ${'actions'.padStart(7)}`);
  for (const r of rows) lines.push(`  ${r.account.padEnd(8)} ${r.role.padEnd(width)} ${String(r.checked).padStart(7)} ${String(r.allowed).padStart(7)} ${String(r.denied).padStart(6)} ${String(r.actions).padStart(7)}`);
  const seen = new Set<string>();
  for (const d of denied) {
    const line = `  DENIED ${roleName(d.request.roleArn)} ${d.request.action} on ${d.request.resource} (${d.request.why}): ${d.reason}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  for (const p of report.problems) lines.push(`  TABLE GAP ${p}`);
  for (const n of report.notSimulated) lines.push(`  not simulated: ${n}`);
  for (const a of report.assumptions) lines.push(`  assumed: ${a}`);
  for (const [role, actions] of report.drift) {
    if (actions.length) lines.push(`  drift: ${roleName(role)} is granted ${actions.length} exact action(s) no resource or command needs: ${actions.join(', ')}`);
  }
  return lines.join('\n');
}
