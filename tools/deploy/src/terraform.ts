import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** How one terraform command ended; output is kept whole (and in the log file). */
export interface TerraformRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TerraformRunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every stdout and stderr line goes here as well (the stack's log for this phase). */
  readonly logFile: string;
  /** Called for each stdout line (e.g. `apply -json` events). */
  readonly onLine?: (line: string) => void;
}

/**
 * Runs terraform processes for the driver. Each runs in its own process group, so Ctrl-C in
 * the terminal reaches the driver only: the driver stops starting stacks and lets running
 * ones finish; {@link interruptAll} (a second Ctrl-C) passes the interrupt on, which
 * terraform handles by stopping gracefully and releasing its lock.
 */
export class TerraformRunner {
  private readonly running = new Set<ChildProcess>();

  constructor(public readonly binary: string) {}

  run(args: readonly string[], options: TerraformRunOptions): Promise<TerraformRun> {
    mkdirSync(dirname(options.logFile), { recursive: true });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    log.write(`$ ${this.binary} ${args.join(' ')}\n`);
    return new Promise((resolve) => {
      const child = spawn(this.binary, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      this.running.add(child);
      let stdout = '';
      let stderr = '';
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        stdout += text;
        log.write(text);
        if (options.onLine) {
          pending += text;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) options.onLine(line);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        log.write(chunk);
      });
      const finish = (exitCode: number) => {
        this.running.delete(child);
        if (pending && options.onLine) options.onLine(pending);
        log.end(() => resolve({ exitCode, stdout, stderr }));
      };
      child.on('error', (error) => {
        stderr += `${error.message}\n`;
        finish(127);
      });
      child.on('close', (code, signal) => finish(code ?? (signal ? 130 : 1)));
    });
  }

  /** Sends SIGINT to every running terraform (graceful stop, lock released). */
  interruptAll(): void {
    for (const child of this.running) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  }

  get runningCount(): number {
    return this.running.size;
  }
}

/** ANSI colour codes (terraform runs with -no-color; this is for output that has them anyway). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * Terraform's own explanation of a failure without its boilerplate: the `Error:` blocks of
 * stderr (or the last lines when there are none), for messages that fit a summary.
 */
export function terraformError(run: TerraformRun): string {
  const text = `${run.stderr}\n${run.stdout}`.replace(ANSI, '');
  const blocks = text.split(/\n(?=(?:│ )?Error: )/).filter((b) => /^(?:│ )?Error: /.test(b.trimStart()));
  const chosen = blocks.length > 0 ? blocks.map((b) => b.trim().split('\n').slice(0, 8).join('\n')) : text.trim().split('\n').slice(-8);
  return (Array.isArray(chosen) ? chosen.join('\n') : chosen).replace(/^│ ?/gm, '').trim();
}

/** Messages of `apply -json` error diagnostics, for the failure summary. */
export function diagnosticsOf(stdout: string): string[] {
  const found: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const event = JSON.parse(line) as { type?: string; '@level'?: string; diagnostic?: { summary?: string; detail?: string } };
      if (event.type === 'diagnostic' && event['@level'] === 'error' && event.diagnostic) {
        found.push([event.diagnostic.summary, event.diagnostic.detail].filter(Boolean).join(': '));
      }
    } catch {
      // not an event line
    }
  }
  return found;
}
