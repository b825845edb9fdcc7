import { rehearsalLine, runRehearsal } from './rehearse';

// Real PostgreSQL servers, DynamoDB Local and a live write load: a small load keeps it short.
jest.setTimeout(600_000);

const LINE = /^rehearsal: (\d+) writes acknowledged, (\d+) lost, (\d+) duplicated, invariant (ok|BROKEN), freeze (\d+) ms, rollback (\d+|n\/a) lost$/;

describe('the cutover rehearsal', () => {
  it('migrates under write load and rolls back after the switch, losing and duplicating nothing', async () => {
    const lines: string[] = [];
    const result = await runRehearsal({ rows: 2000, ratePerSecond: 30, accounts: 40, afterSwitchSeconds: 1, log: (line) => lines.push(line) });
    const match = LINE.exec(result.line);
    expect(match).not.toBeNull();
    const [, acknowledged, lost, duplicated, invariant, freeze, rollbackLost] = match!;
    expect({ lost, duplicated, invariant, rollbackLost }).toEqual({ lost: '0', duplicated: '0', invariant: 'ok', rollbackLost: '0' });
    expect(Number(acknowledged)).toBeGreaterThan(50);
    expect(Number(freeze)).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
    // Writes landed on both databases in the cutover run, and the rollback run ended on legacy with the new side's writes.
    expect(lines.some((l) => /^cutover: \d+ acknowledged \(\d+ on legacy, [1-9]\d* on the new database\)/.test(l))).toBe(true);
    expect(lines.some((l) => /^rollback: \d+ acknowledged \(\d+ on legacy, [1-9]\d* on the new database\).*checked on the legacy database: 0 lost, 0 duplicated$/.test(l))).toBe(true);
    expect(result.cutover.ledger.every((r) => r.status === 'completed')).toBe(true);
    expect(result.rollback!.ledger.every((r) => r.status === 'rolled-back')).toBe(true);
  });

  it('ends in the same state when the runner is killed between freeze and switch and resumed', async () => {
    const result = await runRehearsal({ rows: 1000, ratePerSecond: 20, accounts: 20, afterSwitchSeconds: 1, fault: 'kill-after-freeze', skipRollback: true, log: () => undefined });
    expect(result.cutover.check).toMatchObject({ lost: 0, duplicated: 0, invariant: true });
    expect(result.cutover.ledger.map((r) => r.status)).toEqual(result.cutover.ledger.map(() => 'completed'));
    expect(result.cutover.ledger.map((r) => r.stepId)).toContain('finalize');
    expect(result.line).toMatch(/, 0 lost, 0 duplicated, invariant ok, freeze \d+ ms, rollback n\/a lost$/);
  });

  it('reports a broken run as broken', () => {
    const figures = (lost: number, invariant: boolean) => ({
      check: { acknowledged: 10, lost, duplicated: 0, invariant, problems: [] },
      freezeMs: 120,
      verifyRows: 0,
      verifyMs: 0,
      failedWrites: 0,
      seconds: 1,
      ledger: [],
    });
    expect(rehearsalLine(figures(0, true), figures(0, true))).toBe('rehearsal: 10 writes acknowledged, 0 lost, 0 duplicated, invariant ok, freeze 120 ms, rollback 0 lost');
    expect(rehearsalLine(figures(3, true), figures(2, false))).toBe('rehearsal: 10 writes acknowledged, 3 lost, 0 duplicated, invariant BROKEN, freeze 120 ms, rollback 2 lost');
  });
});
