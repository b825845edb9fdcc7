/**
 * Per-stack progress while stacks apply in parallel: on a TTY a block of lines redrawn in
 * place (phase, resources done of planned from `apply -json` events, elapsed); elsewhere one
 * log line per phase change, so CI logs stay readable. Then the final table.
 */
export type StackPhase = 'waiting' | 'init' | 'planning' | 're-planning' | 'applying' | 'outputs' | 'done' | 'unchanged' | 'failed' | 'not started' | 'needs approval';

interface Row {
  stack: string;
  phase: StackPhase;
  done: number;
  planned: number;
  startedAt?: number;
  finishedAt?: number;
  note?: string;
}

export interface ProgressOptions {
  readonly tty: boolean;
  readonly color: boolean;
  readonly write: (text: string) => void;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class Progress {
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(stacks: readonly { stack: string; planned: number }[], private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    for (const s of stacks) this.rows.set(s.stack, { stack: s.stack, phase: 'waiting', done: 0, planned: s.planned });
  }

  start(): void {
    if (this.options.tty && !this.timer) this.timer = setInterval(() => this.draw(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.tty) this.draw();
  }

  /**
   * Other output (a re-plan to review, a prompt) is about to be printed: stop redrawing and
   * start the block afresh below it on {@link start}.
   */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.drawn = 0;
  }

  phase(stack: string, phase: StackPhase, note?: string): void {
    const row = this.rows.get(stack);
    if (!row) return;
    if (row.startedAt === undefined && phase !== 'waiting' && phase !== 'not started') row.startedAt = this.now();
    if (['done', 'unchanged', 'failed', 'not started', 'needs approval'].includes(phase)) row.finishedAt = this.now();
    row.phase = phase;
    row.note = note;
    if (!this.options.tty) this.options.log(`${stack}: ${phase}${note ? ` (${note})` : ''}`);
  }

  planned(stack: string, planned: number): void {
    const row = this.rows.get(stack);
    if (row) row.planned = planned;
  }

  /** One `apply -json` event line: counts completed resource operations. */
  event(stack: string, line: string): void {
    const row = this.rows.get(stack);
    if (!row || !line.startsWith('{')) return;
    try {
      const event = JSON.parse(line) as { type?: string };
      if (event.type === 'apply_complete') row.done += 1;
    } catch {
      // not JSON
    }
  }

  private elapsed(row: Row): string {
    if (row.startedAt === undefined) return '';
    return formatDuration((row.finishedAt ?? this.now()) - row.startedAt);
  }

  private line(row: Row): string {
    const width = Math.max(...[...this.rows.keys()].map((k) => k.length));
    const count = row.phase === 'applying' || row.phase === 'done' ? `${row.done}/${row.planned}` : '';
    return `  ${row.stack.padEnd(width)}  ${row.phase.padEnd(14)} ${count.padStart(7)}  ${this.elapsed(row).padStart(6)}${row.note ? `  ${row.note}` : ''}`;
  }

  private draw(): void {
    const lines = [...this.rows.values()].map((r) => this.line(r));
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.options.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawn = lines.length;
  }

  /** The final table: status and duration per stack. */
  table(): string {
    const width = Math.max(5, ...[...this.rows.keys()].map((k) => k.length));
    const out = [`  ${'stack'.padEnd(width)}  ${'status'.padEnd(14)}  ${'resources'.padStart(9)}  ${'duration'.padStart(8)}`];
    for (const row of this.rows.values()) {
      const resources = row.phase === 'done' || row.phase === 'failed' ? `${row.done}/${row.planned}` : '';
      out.push(`  ${row.stack.padEnd(width)}  ${row.phase.padEnd(14)}  ${resources.padStart(9)}  ${this.elapsed(row).padStart(8)}${row.note ? `  ${row.note}` : ''}`);
    }
    return out.join('\n');
  }
}
