import type { LeaseRecord, StepRecord } from './ledger';

const duration = (from: string, to?: string): string => {
  if (!from || !to) return '';
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
};

/** The ledger of one environment as an aligned text table, with the lease on top. */
export function formatStatus(environment: string, records: readonly StepRecord[], lease: LeaseRecord | undefined, nowMs: number): string {
  const lines: string[] = [];
  if (!lease) lines.push(`${environment}: not locked`);
  else {
    const live = lease.expiresAt * 1000 > nowMs;
    lines.push(`${environment}: ${live ? 'locked' : 'lease expired'} by ${lease.operator} (${lease.owner}), ${live ? 'until' : 'at'} ${new Date(lease.expiresAt * 1000).toISOString()}`);
  }
  if (records.length === 0) {
    lines.push('no steps recorded');
    return lines.join('\n');
  }
  const header = ['#', 'step', 'phase', 'status', 'try', 'started', 'took', 'operator', 'outputs / error'];
  const rows = records.map((r) => [
    String(r.position),
    r.stepId,
    r.phase,
    r.status,
    String(r.attempt),
    r.startedAt.replace(/\.\d+Z$/, 'Z'),
    duration(r.startedAt, r.finishedAt),
    r.operator.split('/').pop() ?? r.operator,
    r.error ?? (r.rollbackNote ? `undone: ${r.rollbackNote}` : Object.entries(r.outputs).map(([k, v]) => `${k}=${v}`).join(' ')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (i === header.length - 1 ? 0 : row[i].length))));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  lines.push(format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format));
  return lines.join('\n');
}
