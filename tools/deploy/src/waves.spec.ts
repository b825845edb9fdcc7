import { runWaves } from './waves';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runWaves', () => {
  it('starts a unit only after its dependencies, at most `parallelism` at once', async () => {
    const events: string[] = [];
    let running = 0;
    let peak = 0;
    const outcomes = await runWaves(
      [
        { name: 'a', dependencies: [] },
        { name: 'b', dependencies: ['a'] },
        { name: 'c', dependencies: ['a'] },
        { name: 'd', dependencies: ['a'] },
        { name: 'e', dependencies: ['b', 'c', 'd'] },
      ],
      {
        parallelism: 2,
        work: async (name) => {
          running += 1;
          peak = Math.max(peak, running);
          events.push(`start ${name}`);
          await sleep(20);
          events.push(`end ${name}`);
          running -= 1;
          return name;
        },
      },
    );
    expect(peak).toBe(2);
    expect(events.indexOf('end a')).toBeLessThan(events.indexOf('start b'));
    expect(events.indexOf('start e')).toBeGreaterThan(Math.max(events.indexOf('end b'), events.indexOf('end c'), events.indexOf('end d')));
    expect([...outcomes.values()].every((o) => o.state === 'done')).toBe(true);
  });

  it('after a failure starts nothing new, lets running units finish and says why the rest did not start', async () => {
    const outcomes = await runWaves(
      [
        { name: 'a', dependencies: [] },
        { name: 'slow', dependencies: [] },
        { name: 'b', dependencies: ['a'] },
        { name: 'later', dependencies: ['slow'] },
      ],
      {
        parallelism: 2,
        work: async (name) => {
          if (name === 'a') throw new Error('a broke');
          await sleep(30);
          return name;
        },
      },
    );
    expect(outcomes.get('a')).toMatchObject({ state: 'failed', error: new Error('a broke') });
    expect(outcomes.get('slow')).toMatchObject({ state: 'done' });
    expect(outcomes.get('b')).toEqual({ state: 'not-started', reason: 'a failed' });
    expect(outcomes.get('later')).toEqual({ state: 'not-started', reason: 'a failed' });
  });

  it('stops starting units once asked to (Ctrl-C)', async () => {
    let stop = false;
    const outcomes = await runWaves(
      [
        { name: 'a', dependencies: [] },
        { name: 'b', dependencies: ['a'] },
      ],
      { parallelism: 1, shouldStop: () => stop, work: async (name) => ((stop = true), name) },
    );
    expect(outcomes.get('a')).toMatchObject({ state: 'done' });
    expect(outcomes.get('b')).toEqual({ state: 'not-started', reason: 'stopped (interrupt)' });
  });

  it('rejects a dependency outside the run and a bad parallelism', async () => {
    await expect(runWaves([{ name: 'a', dependencies: ['x'] }], { parallelism: 1, work: async () => 1 })).rejects.toThrow('a depends on x, which is not in this run');
    await expect(runWaves([], { parallelism: 0, work: async () => 1 })).rejects.toThrow('parallelism must be a whole number >= 1, got 0');
  });
});
