/**
 * Runs units of work whose dependencies are done, up to `parallelism` at once (Terragrunt's
 * runner pool). A failure stops new units from starting (running ones finish); so does
 * `shouldStop` (Ctrl-C). Units never started are reported with why.
 */
export interface WaveNode {
  readonly name: string;
  readonly dependencies: readonly string[];
}

export type WaveOutcome<T> =
  | { readonly state: 'done'; readonly value: T; readonly startedAt: number; readonly finishedAt: number }
  | { readonly state: 'failed'; readonly error: Error; readonly startedAt: number; readonly finishedAt: number }
  /** Not started: a dependency failed or was not run, the run was stopped, or the pool was stopped. */
  | { readonly state: 'not-started'; readonly reason: string };

export interface WaveOptions<T> {
  readonly parallelism: number;
  readonly work: (name: string) => Promise<T>;
  /** Checked before each start: true stops starting new units (e.g. after Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** A unit's value may ask to stop starting new units (e.g. a re-plan that needs approval). */
  readonly stopsRun?: (value: T) => string | undefined;
  readonly now?: () => number;
}

export async function runWaves<T>(nodes: readonly WaveNode[], options: WaveOptions<T>): Promise<Map<string, WaveOutcome<T>>> {
  if (!Number.isInteger(options.parallelism) || options.parallelism < 1) throw new Error(`parallelism must be a whole number >= 1, got ${options.parallelism}`);
  const now = options.now ?? Date.now;
  const names = new Set(nodes.map((n) => n.name));
  for (const node of nodes) {
    for (const dep of node.dependencies) if (!names.has(dep)) throw new Error(`${node.name} depends on ${dep}, which is not in this run`);
  }
  const outcomes = new Map<string, WaveOutcome<T>>();
  const running = new Map<string, Promise<void>>();
  let stopReason: string | undefined;
  const pending = [...nodes];

  const startable = () =>
    pending.filter((n) => n.dependencies.every((d) => outcomes.get(d)?.state === 'done'));
  const blocked = (n: WaveNode) => n.dependencies.find((d) => { const o = outcomes.get(d); return o !== undefined && o.state !== 'done'; });

  for (;;) {
    // Units whose dependency failed or was not started never start.
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of [...pending]) {
        const dep = blocked(n);
        if (dep) {
          const o = outcomes.get(dep) as WaveOutcome<T>;
          outcomes.set(n.name, { state: 'not-started', reason: o.state === 'failed' ? `${dep} failed` : `${dep} did not run` });
          pending.splice(pending.indexOf(n), 1);
          changed = true;
        }
      }
    }
    if (!stopReason && options.shouldStop?.()) stopReason = 'stopped (interrupt)';
    if (!stopReason) {
      for (const n of startable()) {
        if (running.size >= options.parallelism) break;
        pending.splice(pending.indexOf(n), 1);
        const startedAt = now();
        const task = options
          .work(n.name)
          .then(
            (value) => {
              outcomes.set(n.name, { state: 'done', value, startedAt, finishedAt: now() });
              const stop = options.stopsRun?.(value);
              if (stop && !stopReason) stopReason = stop;
            },
            (error: unknown) => {
              outcomes.set(n.name, { state: 'failed', error: error instanceof Error ? error : new Error(String(error)), startedAt, finishedAt: now() });
              if (!stopReason) stopReason = `${n.name} failed`;
            },
          )
          .finally(() => running.delete(n.name));
        running.set(n.name, task);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  for (const n of pending) outcomes.set(n.name, { state: 'not-started', reason: stopReason ?? 'not reached' });
  return outcomes;
}
