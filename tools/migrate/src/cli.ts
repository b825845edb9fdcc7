/**
 * The migration runner's command line: `nx run migrate:migrate -- <command> --environment <env> …`.
 * `runCli` does the work and returns the exit code; everything that reaches AWS comes in through
 * `CliDependencies.connect`, so --help, bad flags and refusals provably touch nothing.
 * See `help` below and docs/runbook.md.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadOrganisation, type EnvironmentContext, type Organisation } from '@estate/config';
import { awsPorts, createClients } from './aws-ports';
import { describeSteps, MigrationInterruptedError, rollbackMigration, runMigration, StepFailedError, type MigrationStep } from './engine';
import { LeaseHeldError, LeaseLostError, Ledger, MalformedLockError } from './ledger';
import { formatStatus } from './status';
import { buildMigrationSteps, inertPorts, type MigrationPorts, type StepOptions } from './steps';

const workspaceRoot = join(__dirname, '..', '..', '..');

/** Exit codes, as `--help` and docs/runbook.md document them. */
export const EXIT = {
  /** Done: the run or rollback finished, or help, status, a dry run or an unlock. */
  ok: 0,
  /** A step or its undo failed (the ledger records it), or an error from AWS or the ledger. */
  failed: 1,
  /** Bad command line or input, refused before anything was touched. */
  usage: 2,
  /** Another runner holds the lease and is alive, or the lock item is malformed. Nothing was run. */
  locked: 3,
  /** This run lost its lease part-way (taken over, or not renewed in time); it stopped recording. */
  leaseLost: 4,
  /** Stopped by Ctrl-C (SIGINT) at a safe point; the lease is released, --resume continues. */
  interrupted: 130,
  /** Stopped by SIGTERM at a safe point, as for Ctrl-C. */
  terminated: 143,
} as const;

/** The runner's ledger table: the name libs/data MigrationLedger gives it in the ops account. */
export function ledgerTableName(organisation: Organisation): string {
  return organisation.account('ops').naming.resource('dynamodb-table', 'migration-ledger');
}

type CommandName = 'run' | 'rollback' | 'status' | 'unlock';

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder in the usage line. */
  readonly value?: string;
  readonly help: string;
  /** Whole numbers only, within [min, max], in `unit`. */
  readonly range?: { readonly min: number; readonly max: number; readonly unit: string };
}

const OPTIONS = {
  environment: { type: 'string', short: 'e', value: '<dev|staging|prod>', help: 'the environment (required; `--env` works too when not run through Nx)' },
  env: { type: 'string', value: '<name>', help: 'same as --environment' },
  resume: { type: 'boolean', help: 'continue after the last completed step (a ledger with history is refused without it)' },
  'dry-run': { type: 'boolean', help: 'print every step with its commands and its undo; touches nothing, needs no credentials' },
  'confirm-prod': { type: 'boolean', help: 'required to change prod (checked before anything reaches AWS)' },
  'lease-minutes': { type: 'string', value: '<n>', help: 'lease duration; a successor waits this long before taking over from a dead run (default 5)', range: { min: 1, max: 60, unit: 'minutes' } },
  'shift-wait-seconds': { type: 'string', value: '<n>', help: 'alarm watch after each traffic shift (default 300, prod 900)', range: { min: 1, max: 86_400, unit: 'seconds' } },
  'poll-seconds': { type: 'string', value: '<n>', help: 'how often alarms, tasks and CDC latency are polled (default 30)', range: { min: 1, max: 3600, unit: 'seconds' } },
  'ledger-table': { type: 'string', value: '<name>', help: 'the ledger table (default: the ops account\'s, as libs/data names it: ops-migration-ledger)' },
  force: { type: 'boolean', help: 'required: remove the lock whatever it holds' },
  reason: { type: 'string', value: '<text>', help: 'required: why, recorded in the ledger with your identity' },
  help: { type: 'boolean', short: 'h', help: 'this help; exits 0 and touches nothing' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;

const COMMANDS: Record<CommandName, { readonly synopsis: string; readonly summary: string; readonly options: readonly OptionName[] }> = {
  run: {
    synopsis: 'migrate [run] --environment <env> [--resume] [--dry-run] [--confirm-prod] [--lease-minutes <n>] [--shift-wait-seconds <n>] [--poll-seconds <n>] [--ledger-table <name>]',
    summary: 'run the migration, or continue it with --resume; stops at the first failed step',
    options: ['environment', 'env', 'resume', 'dry-run', 'confirm-prod', 'lease-minutes', 'shift-wait-seconds', 'poll-seconds', 'ledger-table', 'help'],
  },
  rollback: {
    synopsis: 'migrate rollback --environment <env> [--dry-run] [--confirm-prod] [--lease-minutes <n>] [--shift-wait-seconds <n>] [--poll-seconds <n>] [--ledger-table <name>]',
    summary: 'undo the recorded steps, latest first (refused after finalize)',
    options: ['environment', 'env', 'dry-run', 'confirm-prod', 'lease-minutes', 'shift-wait-seconds', 'poll-seconds', 'ledger-table', 'help'],
  },
  status: {
    synopsis: 'migrate status --environment <env> [--ledger-table <name>]',
    summary: 'print the ledger as a table: the lock, every step, forced unlocks and takeovers (read-only)',
    options: ['environment', 'env', 'ledger-table', 'help'],
  },
  unlock: {
    synopsis: 'migrate unlock --environment <env> --force --reason <text> [--confirm-prod] [--ledger-table <name>]',
    summary: 'remove the lock item (a dead run\'s lease, or a malformed item), recording who and why; only when no run is active',
    options: ['environment', 'env', 'force', 'reason', 'confirm-prod', 'ledger-table', 'help'],
  },
};

const isCommand = (value: string): value is CommandName => Object.prototype.hasOwnProperty.call(COMMANDS, value);

const EXIT_HELP = [
  'Exit codes:',
  `  ${EXIT.ok}    done (run or rollback finished; help, status, dry run, unlock)`,
  `  ${EXIT.failed}    a step or its undo failed (recorded in the ledger), or AWS / the ledger returned an error`,
  `  ${EXIT.usage}    bad command line or input (unknown flag, bad number, preview, prod without --confirm-prod); nothing touched`,
  `  ${EXIT.locked}    another runner holds the lease and is alive, or the lock item is malformed; nothing run`,
  `  ${EXIT.leaseLost}    this run lost its lease part-way and stopped recording; check \`status\`, then --resume`,
  `  ${EXIT.interrupted}  stopped by Ctrl-C (SIGINT) at a safe point; lease released; --resume (or rollback) continues`,
  `  ${EXIT.terminated}  stopped by SIGTERM at a safe point, as for Ctrl-C`,
];

/** The usage line of `command`. */
export const usageLine = (command?: CommandName): string =>
  command ? `usage: ${COMMANDS[command].synopsis}` : 'usage: migrate [run|rollback|status|unlock|help] --environment <env> [options]';

/** Full help: every command, or one command with all its options; and the exit codes. */
export function helpText(command?: CommandName): string {
  const describe = (name: OptionName) => {
    const spec: OptionSpec = OPTIONS[name];
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    const range = spec.range ? ` [${spec.range.min}-${spec.range.max} ${spec.range.unit}]` : '';
    return `  ${flag.padEnd(38)} ${spec.help}${range}`;
  };
  if (command) {
    return [usageLine(command), '', `${COMMANDS[command].summary}.`, '', 'Options:', ...COMMANDS[command].options.map(describe), '', ...EXIT_HELP].join('\n');
  }
  return [
    usageLine(),
    '',
    'The migration runner: moves one environment from the legacy account, step by step, recording every step in the',
    'ledger so that a run can be resumed, rolled back and never repeats a step. One runner per environment holds a lease.',
    '',
    'Commands:',
    ...(Object.keys(COMMANDS) as CommandName[]).map((name) => `  ${name.padEnd(9)} ${COMMANDS[name].summary}`),
    `  ${'help'.padEnd(9)} this help; \`help <command>\` or \`<command> --help\` for its options`,
    '',
    'Options (see `help <command>` for which apply):',
    ...(Object.keys(OPTIONS) as OptionName[]).map(describe),
    '',
    'Previews (ENVIRONMENT_SUFFIX set) never migrate: the runner refuses them.',
    'Ctrl-C stops at the next safe point (between steps, or at the running step\'s next wait), releases the lease and',
    'prints how to resume; a second Ctrl-C stops at once, leaving the step running for the next --resume.',
    '',
    ...EXIT_HELP,
    '',
    'Through Nx: npx nx run migrate:migrate -- <command> --environment <env> [options] (Nx turns every non-zero exit',
    'into 1; for the codes above run npx tsx --tsconfig tools/migrate/tsconfig.json tools/migrate/src/cli.ts). See docs/runbook.md.',
  ].join('\n');
}

/** A command line that cannot be run: the message names the flag and the value. */
export class UsageError extends Error {
  constructor(
    message: string,
    public readonly command?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedCommandLine {
  readonly command: CommandName;
  readonly environment: string;
  readonly resume: boolean;
  readonly dryRun: boolean;
  readonly confirmProd: boolean;
  readonly force: boolean;
  readonly reason?: string;
  readonly leaseMinutes?: number;
  readonly shiftWaitSeconds?: number;
  readonly pollSeconds?: number;
  readonly ledgerTable?: string;
}

/** `--help`, `-h` or `help [command]`: which help to print; undefined when help was not asked for. */
export function helpRequest(argv: readonly string[]): { command?: CommandName } | undefined {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  const positionals = args.filter((a) => !a.startsWith('-'));
  if (positionals[0] === 'help') {
    const topic = positionals[1];
    if (topic !== undefined && !isCommand(topic)) throw new UsageError(`help: '${topic}' is not a command; expected one of ${Object.keys(COMMANDS).join(', ')}`);
    return { command: topic };
  }
  if (args.includes('--help') || args.includes('-h')) {
    const first = positionals[0];
    return { command: first !== undefined && isCommand(first) ? first : undefined };
  }
  return undefined;
}

function parseWholeNumber(name: OptionName, raw: string | undefined, command: CommandName): number | undefined {
  if (raw === undefined) return undefined;
  const spec: OptionSpec = OPTIONS[name];
  const range = spec.range as NonNullable<OptionSpec['range']>;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} '${raw}': expected a whole number of ${range.unit} from ${range.min} to ${range.max}`, command);
  }
  return value;
}

/** Parses and checks a command line (no help: see `helpRequest`). @throws UsageError naming what is wrong. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; tokens: true }>>;
  // The command whose usage line an error shows: the first word, or `run` when the line starts with an option.
  const first: CommandName | undefined = argv[0] === undefined || argv[0].startsWith('-') ? 'run' : isCommand(argv[0]) ? argv[0] : undefined;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option '${unknown[1]}'`, first);
    const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
    if (missing) throw new UsageError(`option '${missing[1]}' needs a value`, first);
    const ambiguous = /^Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous) throw new UsageError(`option '${ambiguous[1]}' needs a value (write one that starts with '-' as ${ambiguous[1]}=<value>)`, first);
    const extra = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
    if (extra) throw new UsageError(`option '${extra[1]}' is a switch and takes no value`, first);
    throw new UsageError(message.split('\n')[0], first);
  }
  const terminator = parsed.tokens.find((token) => token.kind === 'option-terminator');
  const afterTerminator = parsed.tokens.find((token) => token.kind === 'positional' && terminator !== undefined && token.index > terminator.index);
  if (afterTerminator?.kind === 'positional') throw new UsageError(`unexpected argument '${afterTerminator.value}'`, first);
  const [commandWord, ...extra] = parsed.positionals;
  const command: CommandName = commandWord === undefined ? 'run' : isCommand(commandWord) ? commandWord : (() => {
    throw new UsageError(`'${commandWord}' is not a command; expected one of ${Object.keys(COMMANDS).join(', ')}, help`);
  })();
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`, command);
  const allowed = new Set<string>(COMMANDS[command].options);
  for (const token of parsed.tokens) {
    if (token.kind === 'option' && !allowed.has(token.name)) throw new UsageError(`--${token.name} is not an option of ${command}`, command);
  }
  const values = parsed.values;
  if (values.environment !== undefined && values.env !== undefined && values.environment !== values.env) {
    throw new UsageError(`--environment '${values.environment}' and --env '${values.env}' disagree`, command);
  }
  const environment = values.environment ?? values.env;
  if (environment === undefined || environment.trim() === '') throw new UsageError('--environment is required', command);
  const result: ParsedCommandLine = {
    command,
    environment,
    resume: values.resume ?? false,
    dryRun: values['dry-run'] ?? false,
    confirmProd: values['confirm-prod'] ?? false,
    force: values.force ?? false,
    reason: values.reason,
    leaseMinutes: parseWholeNumber('lease-minutes', values['lease-minutes'], command),
    shiftWaitSeconds: parseWholeNumber('shift-wait-seconds', values['shift-wait-seconds'], command),
    pollSeconds: parseWholeNumber('poll-seconds', values['poll-seconds'], command),
    ledgerTable: values['ledger-table'],
  };
  if (result.ledgerTable !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(result.ledgerTable)) {
    throw new UsageError(`--ledger-table '${result.ledgerTable}': expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`, command);
  }
  if (command === 'unlock') {
    if (!result.force) throw new UsageError('unlock needs --force: it removes the lock whatever it holds, so make sure no run is active', command);
    if (result.reason === undefined || result.reason.trim() === '') throw new UsageError('unlock needs --reason <text>: it is recorded in the ledger with your identity', command);
  }
  return result;
}

/** What `connect` needs to reach AWS for one command. */
export interface ConnectRequest {
  readonly organisation: Organisation;
  readonly environment: EnvironmentContext;
  readonly tableName: string;
  readonly stepOptions: StepOptions;
  readonly confirmProd: boolean;
}

/** The AWS side of a command, built only once the command line and the environment passed every check. */
export interface Connection {
  readonly ledger: Ledger;
  /** The caller's identity (IAM ARN). */
  readonly operator: () => Promise<string>;
  /** The plan, wired to the real AWS ports. */
  readonly steps: () => readonly MigrationStep[];
  /** Ends what the ports opened (database tunnels and the access task). @default - nothing */
  readonly close?: () => Promise<void>;
}

/** Where SIGINT and SIGTERM come from (`process`). */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface CliDependencies {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly signals: SignalSource;
  /** Ends the process at once (a second Ctrl-C). */
  readonly exit: (code: number) => void;
  readonly connect: (request: ConnectRequest) => Connection;
}

/** The real thing: DynamoDB in the ops account with the operator's credentials, STS, and the AWS ports. */
export function connectToAws(request: ConnectRequest): Connection {
  const { organisation, environment } = request;
  let ports: MigrationPorts | undefined;
  return {
    close: async () => ports?.close?.(),
    ledger: new Ledger({ client: new DynamoDBClient({ region: organisation.region }), tableName: request.tableName, environment: environment.naming.qualifier }),
    operator: async () => (await new STSClient({ region: organisation.region }).send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown',
    steps: () => {
      ports = awsPorts(organisation, environment, createClients(organisation, environment), { workspaceRoot, confirmProd: request.confirmProd });
      return buildMigrationSteps(organisation, environment, ports, request.stepOptions);
    },
  };
}

const PREVIEW_REFUSAL = (suffix: string) =>
  `ENVIRONMENT_SUFFIX is '${suffix}': this is a preview copy, and previews never migrate (docs/decisions.md, 12): they are ` +
  `built empty and have no ledger. Unset ENVIRONMENT_SUFFIX to migrate the environment itself.`;

/** Runs one command line; returns the exit code (see EXIT). */
export async function runCli(argv: readonly string[], deps: CliDependencies): Promise<number> {
  const { stdout, stderr } = deps;
  let line: ParsedCommandLine;
  try {
    const help = helpRequest(argv);
    if (help) {
      stdout(helpText(help.command));
      return EXIT.ok;
    }
    line = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`error: ${error.message}\n${usageLine(error.command)}\nRun \`migrate help${error.command ? ` ${error.command}` : ''}\` for every option.`);
    return EXIT.usage;
  }
  const refuse = (message: string) => {
    stderr(`error: ${message}\n${usageLine(line.command)}`);
    return EXIT.usage;
  };
  const suffix = deps.env['ENVIRONMENT_SUFFIX']?.trim();
  if (suffix) return refuse(PREVIEW_REFUSAL(suffix));

  let organisation: Organisation;
  let environment: EnvironmentContext;
  try {
    organisation = loadOrganisation({ env: deps.env });
    environment = organisation.environment(line.environment);
  } catch (error) {
    return refuse((error as Error).message);
  }
  const changes = line.command !== 'status' && !line.dryRun;
  if (environment.name === 'prod' && changes && !line.confirmProd) {
    return refuse(`${line.command} of prod changes the prod migration (account ${environment.accountId}): add --confirm-prod`);
  }
  const stepOptions: StepOptions = { shiftWaitSeconds: line.shiftWaitSeconds, pollSeconds: line.pollSeconds };
  const qualifier = environment.naming.qualifier;

  if (line.dryRun) {
    const steps = buildMigrationSteps(organisation, environment, inertPorts(), stepOptions);
    stdout(`# ${line.command === 'rollback' ? 'Rollback' : 'Migration'} of ${qualifier} (dry run: nothing is touched)`);
    stdout(describeSteps(line.command === 'rollback' ? [...steps].reverse() : steps).join('\n'));
    return EXIT.ok;
  }

  const connection = deps.connect({ organisation, environment, tableName: line.ledgerTable ?? ledgerTableName(organisation), stepOptions, confirmProd: line.confirmProd });
  const { ledger } = connection;
  const resumeCommand = `npx nx run migrate:migrate -- --environment ${line.environment} --resume${environment.name === 'prod' ? ' --confirm-prod' : ''}`;
  try {
    if (line.command === 'status') {
      stdout(formatStatus(qualifier, await ledger.steps(), await ledger.readLock(), await ledger.events()));
      return EXIT.ok;
    }
    const operator = await connection.operator();
    if (line.command === 'unlock') {
      const removed = await ledger.forceUnlock(operator, line.reason ?? '');
      if (!removed) {
        stdout(`${qualifier}: not locked; nothing removed, nothing recorded`);
      } else {
        stdout(`${qualifier}: removed the lock (${Object.entries(removed).map(([k, v]) => `${k}=${v}`).join(', ')}); recorded by ${operator}: ${line.reason?.trim()}`);
        stdout(`A step the old holder left running starts again as a new attempt with --resume.`);
      }
      return EXIT.ok;
    }
    const owner = `${operator.split('/').pop()}@${hostname()}#${process.pid}-${randomUUID().slice(0, 8)}`;
    // A second Ctrl-C exits at once: release the lease and stop the access task first.
    const releaseNow = () => ledger.releaseLease(owner).finally(() => connection.close?.().catch(() => undefined));
    return await runWithSignals(deps, releaseNow, async (signal) => {
      const engine = {
        ledger,
        steps: connection.steps(),
        owner,
        operator,
        resume: line.resume,
        leaseMs: (line.leaseMinutes ?? 5) * 60_000,
        signal,
        log: stdout,
        onLeaseWait: stderr,
      };
      if (line.command === 'rollback') {
        const result = await rollbackMigration(engine);
        stdout(`rolled back ${qualifier}: undid ${result.undone.join(', ') || 'nothing'}; ${result.noOp.length} step(s) had nothing to undo`);
      } else {
        const result = await runMigration(engine);
        stdout(`migration of ${qualifier} complete: ran ${result.ran.length} step(s), ${result.skipped.length} already done`);
      }
      return EXIT.ok;
    });
  } catch (error) {
    if (error instanceof MigrationInterruptedError) {
      stderr(
        `\n${error.message}.\n${error.stoppedAt === undefined ? '' : error.leaseReleased ? 'The lease is released.\n' : 'The lease could not be released; a successor takes it over after one silent lease.\n'}` +
          `Resume with: ${line.command === 'rollback' ? resumeCommand.replace('-- --environment', '-- rollback --environment').replace(' --resume', '') : resumeCommand}`,
      );
      return error.reason === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
    }
    if (error instanceof LeaseHeldError || error instanceof MalformedLockError) {
      stderr(`\n${error.message}`);
      return EXIT.locked;
    }
    if (error instanceof LeaseLostError) {
      stderr(`\n${error.message}.\nAnother runner may be running ${qualifier}: look at \`status\` before running again with --resume.`);
      return EXIT.leaseLost;
    }
    if (error instanceof StepFailedError) {
      stderr(`\n${error.message}\nThe ledger records it as failed. Fix the cause and run again with --resume, or undo with \`rollback\` (docs/runbook.md).`);
      return EXIT.failed;
    }
    stderr(`\n${(error as Error).message ?? String(error)}`);
    return EXIT.failed;
  } finally {
    await connection.close?.().catch((error: unknown) => stderr(`could not end the database tunnels: ${(error as Error).message}`));
  }
}

/**
 * Runs `body` with SIGINT and SIGTERM turned into a stop request at the next safe point. A second
 * signal stops at once: releases the lease (the step stays `running`, so --resume starts it again) and exits.
 */
async function runWithSignals(deps: CliDependencies, releaseNow: () => Promise<unknown>, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const handler = (name: 'SIGINT' | 'SIGTERM') => () => {
    if (!controller.signal.aborted) {
      deps.stderr(`\n${name}: stopping at the next safe point (when the running step finishes or reaches its next wait); send it again to stop at once.`);
      controller.abort(name);
      return;
    }
    deps.stderr(`\n${name} again: stopping now. The running step stays 'running'; --resume starts it again as a new attempt.`);
    void releaseNow()
      .catch(() => undefined)
      .then(() => deps.exit(name === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted));
  };
  const onInt = handler('SIGINT');
  const onTerm = handler('SIGTERM');
  deps.signals.on('SIGINT', onInt);
  deps.signals.on('SIGTERM', onTerm);
  try {
    return await body(controller.signal);
  } finally {
    deps.signals.off('SIGINT', onInt);
    deps.signals.off('SIGTERM', onTerm);
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    env: process.env,
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
    signals: process,
    exit: (code) => process.exit(code),
    connect: connectToAws,
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`\n${(error as Error).message ?? String(error)}`);
      process.exitCode = EXIT.failed;
    },
  );
}
