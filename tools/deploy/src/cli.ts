/**
 * `nx run <app>:plan|deploy|destroy|drift [-- options]` lands here; `--help` lists everything.
 * One process plans every stack the command touches, asks once, and applies in waves, so the
 * flags typed apply to every stack (Nx runs no other app's deploy task).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { OrganisationConfigError } from '@estate/config';
import { HELP, parseCli, UsageError } from './cli-args';
import { DriverError, runDriver } from './driver';
import { renderJson, renderMarkdown } from './plan-summary';
import { PreflightError } from './preflight';

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    console.log(HELP);
    return 0;
  }
  const { driver } = cli;
  const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
  const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const log = cli.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const changes = driver.action === 'deploy' || driver.action === 'destroy';
  if (changes && !driver.dryRun && !driver.approve && !tty) {
    throw new PreflightError([`${driver.action} outside a terminal needs --approve (review the plan first: npx nx run ${driver.app}:plan); nothing was run`]);
  }
  const controller = new AbortController();
  const hard = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts === 1) {
      controller.abort();
      log('\ninterrupt: no new stacks start; running ones finish cleanly (Ctrl-C again to interrupt terraform)');
    } else {
      log('\ninterrupt again: passing it on to terraform, which stops gracefully and releases its locks');
      hard.abort();
    }
  });
  const confirm = changes && !driver.approve && tty
    ? async (question: string) => {
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        try {
          return (await rl.question(`\n${question}`)).trim() === 'yes';
        } finally {
          rl.close();
        }
      }
    : undefined;
  try {
    const result = await runDriver({ ...driver, workspaceRoot: join(__dirname, '..', '..', '..'), confirm, signal: controller.signal, interrupt: hard.signal, color, tty, log });
    if (result.summary && cli.json) process.stdout.write(renderJson(result.summary));
    if (result.summary && cli.markdown) writeMarkdown(cli.markdown, renderMarkdown(result.summary), log);
    return result.exitCode;
  } catch (error) {
    if (error instanceof DriverError && error.result.summary) {
      if (cli.json) process.stdout.write(renderJson(error.result.summary));
      if (cli.markdown) writeMarkdown(cli.markdown, renderMarkdown(error.result.summary), log);
    }
    throw error;
  }
}

function writeMarkdown(file: string, parts: readonly string[], log: (line: string) => void): void {
  parts.forEach((part, i) => writeFileSync(i === 0 ? file : `${file}.${i + 1}`, part));
  log(`summary: ${file}${parts.length > 1 ? ` (+${parts.length - 1} more part(s): ${file}.2 ...)` : ''}`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof PreflightError || error instanceof OrganisationConfigError || error instanceof UsageError || error instanceof DriverError;
    console.error(`\n${known ? '' : 'deploy driver crashed: '}${(error as Error).message}`);
    process.exitCode = 1;
  },
);
