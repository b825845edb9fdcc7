import { formatDuration, Progress } from './progress';

describe('Progress', () => {
  it('logs one line per phase change outside a terminal and ends with a table of status and duration', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = new Progress([{ stack: 'dev-network', planned: 2 }, { stack: 'dev-app', planned: 1 }], { tty: false, color: false, write: () => undefined, log: (l) => lines.push(l), now: () => now });
    progress.phase('dev-network', 'applying');
    progress.event('dev-network', '{"type":"apply_complete"}');
    progress.event('dev-network', '{"type":"apply_start"}');
    progress.event('dev-network', '{"type":"apply_complete"}');
    now = 65_000;
    progress.phase('dev-network', 'done');
    progress.phase('dev-app', 'not started', 'dev-network failed');
    expect(lines).toEqual(['dev-network: applying', 'dev-network: done', 'dev-app: not started (dev-network failed)']);
    expect(progress.table().split('\n')).toEqual([
      '  stack        status          resources  duration',
      '  dev-network  done                  2/2     1m05s',
      '  dev-app      not started                          dev-network failed',
    ]);
  });

  it('redraws in place on a terminal', () => {
    const out: string[] = [];
    const progress = new Progress([{ stack: 'a', planned: 1 }], { tty: true, color: false, write: (t) => out.push(t), log: () => undefined, now: () => 0 });
    progress.start();
    progress.phase('a', 'applying');
    progress.stop();
    expect(out.join('')).toContain('a  applying');
    progress.start();
    progress.stop();
    expect(out[out.length - 1].startsWith(`${String.fromCharCode(27)}[1F`)).toBe(true);
  });

  it('formats durations', () => {
    expect(formatDuration(4_400)).toBe('4s');
    expect(formatDuration(125_000)).toBe('2m05s');
  });
});
