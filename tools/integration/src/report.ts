import type { CheckRow } from './types';

/** A fixed-width pass/fail table with a summary line. */
export function formatTable(rows: readonly CheckRow[]): string {
  const header = { check: 'CHECK', target: 'TARGET', status: 'RESULT', detail: 'DETAIL' };
  const lines = [header, ...rows.map((r) => ({ ...r, status: r.status === 'pass' ? 'PASS' : 'FAIL' }))];
  const width = (key: 'check' | 'target' | 'status') => Math.max(...lines.map((l) => l[key].length));
  const [wc, wt, ws] = [width('check'), width('target'), width('status')];
  const text = lines.map((l) => `${l.check.padEnd(wc)}  ${l.target.padEnd(wt)}  ${l.status.padEnd(ws)}  ${l.detail}`.trimEnd());
  const failed = rows.filter((r) => r.status === 'fail').length;
  text.push('', `${rows.length - failed} passed, ${failed} failed`);
  return text.join('\n');
}

/** 0 only when there was something to check and all of it passed. */
export function exitCodeFor(rows: readonly CheckRow[]): number {
  return rows.length > 0 && rows.every((r) => r.status === 'pass') ? 0 : 1;
}
