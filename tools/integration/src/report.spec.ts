import { exitCodeFor, formatTable } from './report';
import { fail, pass } from './types';

describe('formatTable', () => {
  it('aligns the columns and ends with the counts', () => {
    const text = formatTable([pass('rds', 'dev-ledger', 'available'), fail('ecs-service', 'dev-api', 'running 0 of desired 1')]);
    expect(text.split('\n')).toEqual([
      'CHECK        TARGET      RESULT  DETAIL',
      'rds          dev-ledger  PASS    available',
      'ecs-service  dev-api     FAIL    running 0 of desired 1',
      '',
      '1 passed, 1 failed',
    ]);
  });
});

describe('exitCodeFor', () => {
  it('is 0 only when every row passed', () => {
    expect(exitCodeFor([pass('a', 'b', 'c')])).toBe(0);
    expect(exitCodeFor([pass('a', 'b', 'c'), fail('d', 'e', 'f')])).toBe(1);
  });

  it('is 1 when nothing was checked', () => {
    expect(exitCodeFor([])).toBe(1);
  });
});
