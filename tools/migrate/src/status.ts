import type { LedgerEvent, LockState, StepRecord } from './ledger';

const duration = (from: string, to?: string): string => {
  if (!from || !to) return '';
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
};

/** The lock line(s): who holds it and how a successor would take over, or what is wrong with it. */
function lockLines(environment: string, lock: LockState): string[] {
  if (lock.kind === 'free') return [`${environment}: not locked`];
  if (lock.kind === 'malformed') {
    return [
      `${environment}: lock item is MALFORMED (${lock.problems.join('; ')}); no runner will take it over`,
      `  item: ${Object.entries(lock.item).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      `  if no run is active: unlock --environment ${environment} --force --reason "<why>"`,
    ];
  }
  const { lease } = lock;
  return [
    `${environment}: locked by ${lease.operator} (${lease.owner}) since ${lease.acquiredAt}, last renewed ${lease.renewedAt} (the holder's clock)`,
    `  lease ${Math.round(lease.leaseMs / 1000)} s, version ${lease.version}: another runner takes over only after watching it unchanged for ${Math.round(lease.leaseMs / 1000)} s`,
  ];
}

/** The ledger of one environment as an aligned text table, with the lock on top and the audit trail below. */
export function formatStatus(environment: string, records: readonly StepRecord[], lock: LockState, events: readonly LedgerEvent[] = []): string {
  const lines = lockLines(environment, lock);
  const trail = events.map(
    (e) => `${e.at} ${e.kind} by ${e.operator}: ${e.reason}${e.previousLock['owner'] ? ` (was held by ${e.previousLock['owner'].replace(/^S /, '')})` : ''}`,
  );
  if (records.length === 0) {
    lines.push('no steps recorded');
    if (trail.length > 0) lines.push('', 'events:', ...trail.map((line) => `  ${line}`));
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
  if (trail.length > 0) lines.push('', 'events:', ...trail.map((line) => `  ${line}`));
  return lines.join('\n');
}
