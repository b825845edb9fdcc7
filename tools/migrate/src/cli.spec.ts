import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { TerraformStack, Testing } from 'cdktf';
import { loadOrganisation } from '@estate/config';
import { MigrationLedger } from '@estate/data';
import { createLedgerTable, localDynamoForSpec } from '@estate/testing';
import { EXIT, helpText, ledgerTableName, runCli, usageLine, type CliDependencies, type ConnectRequest } from './cli';
import type { MigrationStep } from './engine';
import { Ledger } from './ledger';

const WORKSPACE = join(__dirname, '..', '..', '..');
const OPERATOR = 'arn:aws:iam::222222222222:role/alice';
const START = Date.parse('2026-03-01T10:00:00Z');
const USAGE_RUN =
  'usage: migrate [run] --environment <env> [--resume] [--dry-run] [--confirm-prod] [--lease-minutes <n>] [--shift-wait-seconds <n>] [--poll-seconds <n>] [--ledger-table <name>]';

const dynamo = localDynamoForSpec();
let tableCounter = 0;


/** A CLI wired to DynamoDB Local (virtual time) and test steps; `connects` counts every attempt to reach AWS. */
function harness(
  options: { env?: NodeJS.ProcessEnv; steps?: MigrationStep[]; table?: string; onSleep?: (ms: number) => Promise<void>; signals?: EventEmitter; time?: { now: number } } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const signals = options.signals ?? new EventEmitter();
  const exits: number[] = [];
  const requests: ConnectRequest[] = [];
  const time = options.time ?? { now: START };
  const table = options.table ?? 'unused';
  const ledger = new Ledger({
    client: dynamo.client,
    tableName: table,
    environment: 'dev',
    clock: () => time.now,
    monotonic: () => time.now,
    sleep: async (ms) => {
      time.now += ms;
      await options.onSleep?.(ms);
    },
  });
  const deps: CliDependencies = {
    env: options.env ?? {},
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    signals,
    exit: (code) => void exits.push(code),
    connect: (request) => {
      requests.push(request);
      return { ledger, operator: async () => OPERATOR, steps: () => options.steps ?? [] };
    },
  };
  return { deps, out, err, signals, exits, requests, time, ledger, run: (...argv: string[]) => runCli(argv, deps) };
}

async function freshTable(): Promise<string> {
  const name = `ledger-cli-${++tableCounter}`;
  await createLedgerTable(dynamo.client, name);
  return name;
}

describe('migrate CLI: command line', () => {
  const badLines: [string[], string, string][] = [
    [['--dryrun', '--environment', 'dev'], "unknown option '--dryrun'", USAGE_RUN],
    [['--environment', 'dev', '-x'], "unknown option '-x'", USAGE_RUN],
    [['rollback', '--environment', 'dev', '--resum'], "unknown option '--resum'", usageLine('rollback')],
    [['--environment', 'dev', '--lease-minutes', '0'], "--lease-minutes '0': expected a whole number of minutes from 1 to 60", USAGE_RUN],
    [['--environment', 'dev', '--lease-minutes', '61'], "--lease-minutes '61': expected a whole number of minutes from 1 to 60", USAGE_RUN],
    [['--environment', 'dev', '--lease-minutes', 'five'], "--lease-minutes 'five': expected a whole number of minutes from 1 to 60", USAGE_RUN],
    [['--environment', 'dev', '--lease-minutes', '1.5'], "--lease-minutes '1.5': expected a whole number of minutes from 1 to 60", USAGE_RUN],
    [['--environment', 'dev', '--lease-minutes='], "--lease-minutes '': expected a whole number of minutes from 1 to 60", USAGE_RUN],
    [['--environment', 'dev', '--lease-minutes=-1'], "--lease-minutes '-1': expected a whole number of minutes from 1 to 60", USAGE_RUN],
    [['--environment', 'dev', '--lease-minutes', '-1'], "option '--lease-minutes' needs a value (write one that starts with '-' as --lease-minutes=<value>)", USAGE_RUN],
    [['--environment', 'dev', '--poll-seconds', '0'], "--poll-seconds '0': expected a whole number of seconds from 1 to 3600", USAGE_RUN],
    [['--environment', 'dev', '--poll-seconds', '3601'], "--poll-seconds '3601': expected a whole number of seconds from 1 to 3600", USAGE_RUN],
    [['--environment', 'dev', '--poll-seconds', '1e3'], "--poll-seconds '1e3': expected a whole number of seconds from 1 to 3600", USAGE_RUN],
    [['--environment', 'dev', '--shift-wait-seconds', '0'], "--shift-wait-seconds '0': expected a whole number of seconds from 1 to 86400", USAGE_RUN],
    [['--environment', 'dev', '--shift-wait-seconds', '86401'], "--shift-wait-seconds '86401': expected a whole number of seconds from 1 to 86400", USAGE_RUN],
    [['--environment', 'dev', '--shift-wait-seconds', '0x10'], "--shift-wait-seconds '0x10': expected a whole number of seconds from 1 to 86400", USAGE_RUN],
    [['--environment'], "option '--environment' needs a value", USAGE_RUN],
    [[], '--environment is required', USAGE_RUN],
    [['status'], '--environment is required', usageLine('status')],
    [['--environment', 'dev', '--resume=yes'], "option '--resume' is a switch and takes no value", USAGE_RUN],
    [['--environment', 'dev', '--env', 'staging'], "--environment 'dev' and --env 'staging' disagree", USAGE_RUN],
    [['status', '--environment', 'dev', '--resume'], '--resume is not an option of status', usageLine('status')],
    [['status', '--environment', 'dev', '--dry-run'], '--dry-run is not an option of status', usageLine('status')],
    [['rollback', '--environment', 'dev', '--resume'], '--resume is not an option of rollback', usageLine('rollback')],
    [['--environment', 'dev', '--force'], '--force is not an option of run', USAGE_RUN],
    [['frobnicate', '--environment', 'dev'], "'frobnicate' is not a command; expected one of run, rollback, status, unlock, help", usageLine()],
    [['run', 'now', '--environment', 'dev'], "unexpected argument 'now'", USAGE_RUN],
    [['--environment', 'dev', '--', 'extra'], "unexpected argument 'extra'", USAGE_RUN],
    [['--environment', 'dev', '--ledger-table', 'no spaces'], "--ledger-table 'no spaces': expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)", USAGE_RUN],
    [['unlock', '--environment', 'dev', '--reason', 'stuck'], 'unlock needs --force: it removes the lock whatever it holds, so make sure no run is active', usageLine('unlock')],
    [['unlock', '--environment', 'dev', '--force'], 'unlock needs --reason <text>: it is recorded in the ledger with your identity', usageLine('unlock')],
    [['unlock', '--environment', 'dev', '--force', '--reason', '  '], 'unlock needs --reason <text>: it is recorded in the ledger with your identity', usageLine('unlock')],
    [['help', 'nonsense'], "help: 'nonsense' is not a command; expected one of run, rollback, status, unlock", usageLine()],
  ];

  it.each(badLines)('rejects %j with exit 2, the problem and the usage line, before reaching AWS', async (argv, problem, usage) => {
    const cli = harness();
    expect(await cli.run(...argv)).toBe(EXIT.usage);
    expect(cli.err).toHaveLength(1);
    const [first, second, third] = cli.err[0].split('\n');
    expect(first).toBe(`error: ${problem}`);
    expect(second).toBe(usage);
    expect(third).toMatch(/^Run `migrate help( \w+)?` for every option\.$/);
    expect(cli.out).toEqual([]);
    expect(cli.requests).toEqual([]);
  });

  const helpLines: [string[], string][] = [
    [['--help'], usageLine()],
    [['-h'], usageLine()],
    [['help'], usageLine()],
    [['--dryrun', '--help'], usageLine()],
    [['help', 'rollback'], usageLine('rollback')],
    [['rollback', '--help'], usageLine('rollback')],
    [['unlock', '-h'], usageLine('unlock')],
    [['status', '--environment', 'prod', '--help'], usageLine('status')],
    [['run', '--help'], USAGE_RUN],
  ];

  it.each(helpLines)('prints help for %j with exit 0, touching nothing', async (argv, usage) => {
    const cli = harness({ env: { ENVIRONMENT_SUFFIX: 'pr42' } });
    expect(await cli.run(...argv)).toBe(EXIT.ok);
    expect(cli.out).toHaveLength(1);
    expect(cli.out[0].split('\n')[0]).toBe(usage);
    expect(cli.out[0]).toContain('Exit codes:');
    expect(cli.err).toEqual([]);
    expect(cli.requests).toEqual([]);
  });

  it('documents every command, option and exit code in the full help', () => {
    const help = helpText();
    for (const command of ['run', 'rollback', 'status', 'unlock', 'help']) expect(help).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    for (const option of ['environment', 'env', 'resume', 'dry-run', 'confirm-prod', 'lease-minutes', 'shift-wait-seconds', 'poll-seconds', 'ledger-table', 'force', 'reason', 'help']) {
      expect(help).toContain(`--${option}`);
    }
    expect(help).toContain('--lease-minutes <n>');
    expect(help).toContain('[1-60 minutes]');
    for (const code of Object.values(EXIT)) expect(help).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    expect(Object.entries(EXIT)).toEqual([
      ['ok', 0],
      ['failed', 1],
      ['usage', 2],
      ['locked', 3],
      ['leaseLost', 4],
      ['interrupted', 130],
      ['terminated', 143],
    ]);
    expect(helpText('unlock')).toContain('--reason <text>');
    expect(helpText('unlock')).not.toMatch(/^ +--resume /m);
    expect(helpText('status')).not.toMatch(/^ +--lease-minutes /m);
    expect(helpText('run')).toMatch(/^ +--resume +continue after the last completed step/m);
  });

  it.each([
    [['--environment', 'dev']],
    [['--environment', 'dev', '--dry-run']],
    [['status', '--environment', 'dev']],
    [['rollback', '--environment', 'dev']],
    [['unlock', '--environment', 'dev', '--force', '--reason', 'x']],
  ])('refuses previews (ENVIRONMENT_SUFFIX set) for %j: previews never migrate', async (argv) => {
    const cli = harness({ env: { ENVIRONMENT_SUFFIX: 'pr42' } });
    expect(await cli.run(...argv)).toBe(EXIT.usage);
    expect(cli.err[0].split('\n')[0]).toBe(
      "error: ENVIRONMENT_SUFFIX is 'pr42': this is a preview copy, and previews never migrate (docs/decisions.md, 12): they are built empty " +
        'and have no ledger. Unset ENVIRONMENT_SUFFIX to migrate the environment itself.',
    );
    expect(cli.out).toEqual([]);
    expect(cli.requests).toEqual([]);
  });

  it('refuses a whitespace-only ENVIRONMENT_SUFFIX by name, as the organisation model does', async () => {
    const cli = harness({ env: { ENVIRONMENT_SUFFIX: '  ' } });
    expect(await cli.run('--environment', 'dev', '--dry-run')).toBe(EXIT.usage);
    expect(cli.err[0]).toContain("ENVIRONMENT_SUFFIX: '  ' is only whitespace; leave it unset or empty for no preview copy");
    expect(cli.out).toEqual([]);
  });

  it.each([
    [['--environment', 'prod'], 'run'],
    [['rollback', '--environment', 'prod'], 'rollback'],
    [['unlock', '--environment', 'prod', '--force', '--reason', 'dead run'], 'unlock'],
  ])('refuses %j without --confirm-prod before reaching AWS', async (argv, command) => {
    const cli = harness();
    expect(await cli.run(...argv)).toBe(EXIT.usage);
    expect(cli.err[0].split('\n')[0]).toBe(`error: ${command} of prod changes the prod migration (account 555555555555): add --confirm-prod`);
    expect(cli.requests).toEqual([]);
  });

  it('needs no confirmation for a dry run of prod, and reaches nothing for it', async () => {
    const cli = harness();
    expect(await cli.run('--environment', 'prod', '--dry-run')).toBe(EXIT.ok);
    expect(cli.out[0]).toBe('# Migration of prod (dry run: nothing is touched)');
    expect(cli.out[1]).toMatch(/^\n## preflight\n1\. /);
    expect(cli.requests).toEqual([]);
    const rollback = harness();
    expect(await rollback.run('rollback', '--environment', 'dev', '--dry-run')).toBe(EXIT.ok);
    expect(rollback.out[0]).toBe('# Rollback of dev (dry run: nothing is touched)');
  });

  it('rejects an unknown environment with the known ones', async () => {
    const cli = harness();
    expect(await cli.run('--environment', 'qa')).toBe(EXIT.usage);
    expect(cli.err[0]).toContain("'qa' is not a known environment; expected one of dev, staging, prod");
    expect(cli.requests).toEqual([]);
  });

  it('uses the ledger table the MigrationLedger construct creates in ops, unless --ledger-table names another', async () => {
    const organisation = loadOrganisation({ env: {} });
    const stack = new TerraformStack(Testing.app(), 'ops');
    const construct = new MigrationLedger(stack, 'ledger', { naming: organisation.account('ops').naming, accountId: organisation.accountId('ops'), region: organisation.region });
    expect(ledgerTableName(organisation)).toBe(construct.tableName);
    const table = await freshTable();
    const cli = harness({ table });
    expect(await cli.run('status', '--environment', 'dev')).toBe(EXIT.ok);
    expect(cli.requests[0].tableName).toBe(construct.tableName);
    expect(await cli.run('status', '--environment', 'dev', '--ledger-table', 'other-ledger')).toBe(EXIT.ok);
    expect(cli.requests[1].tableName).toBe('other-ledger');
  });

  it('passes the step options it parsed', async () => {
    const cli = harness({ table: await freshTable() });
    expect(await cli.run('--environment', 'staging', '--poll-seconds', '15', '--shift-wait-seconds', '600', '--lease-minutes', '2')).toBe(EXIT.ok);
    expect(cli.requests[0].stepOptions).toEqual({ pollSeconds: 15, shiftWaitSeconds: 600 });
    expect(cli.requests[0].confirmProd).toBe(false);
  });
});

describe('migrate CLI on DynamoDB Local', () => {
  const counting = (ids: string[], counts: Map<string, number>, body?: (id: string, context: Parameters<MigrationStep['run']>[0]) => Promise<void>): MigrationStep[] =>
    ids.map((id) => ({
      id,
      phase: 'data',
      title: `step ${id}`,
      commands: [],
      run: async (context) => {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        await body?.(id, context);
        return undefined;
      },
    }));

  it('stops on Ctrl-C at the running step\'s wait, releases the lease, says how to resume, and --resume finishes', async () => {
    const counts = new Map<string, number>();
    const signals = new EventEmitter();
    const steps = counting(['preflight', 'snapshot', 'deploy'], counts, async (id, context) => {
      if (id === 'snapshot' && context.attempt === 1) {
        signals.emit('SIGINT');
        await context.sleep(60_000);
      }
    });
    const cli = harness({ table: await freshTable(), steps, signals });
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.interrupted);
    const stderr = cli.err.join('\n');
    expect(stderr).toContain('SIGINT: stopping at the next safe point (when the running step finishes or reaches its next wait); send it again to stop at once.');
    expect(stderr).toContain(
      'dev: stopped at a safe point (SIGINT) after 1 step(s) of this run; step 2 (snapshot) was interrupted at a wait and is recorded interrupted.\n' +
        'The lease is released.\nResume with: npx nx run migrate:migrate -- --environment dev --resume',
    );
    expect(await cli.ledger.readLock()).toEqual({ kind: 'free' });
    expect((await cli.ledger.steps()).map((r) => [r.stepId, r.status])).toEqual([
      ['preflight', 'completed'],
      ['snapshot', 'interrupted'],
    ]);
    expect(cli.signals.listenerCount('SIGINT')).toBe(0);
    expect(cli.signals.listenerCount('SIGTERM')).toBe(0);

    expect(await cli.run('--environment', 'dev', '--resume')).toBe(EXIT.ok);
    expect(cli.out.at(-1)).toBe('migration of dev complete: ran 2 step(s), 1 already done');
    expect(Object.fromEntries(counts)).toEqual({ preflight: 1, snapshot: 2, deploy: 1 });
    expect((await cli.ledger.steps()).map((r) => [r.stepId, r.status, r.attempt])).toEqual([
      ['preflight', 'completed', 1],
      ['snapshot', 'completed', 2],
      ['deploy', 'completed', 1],
    ]);
  });

  it('exits 143 on SIGTERM, and tells a rollback to run rollback again', async () => {
    const signals = new EventEmitter();
    const steps: MigrationStep[] = [
      {
        id: 'cdc-start',
        phase: 'cdc',
        title: 'start',
        commands: [],
        run: async () => undefined,
        rollback: {
          title: 'stop',
          commands: [],
          run: async (context) => {
            signals.emit('SIGTERM');
            await context.sleep(1000);
          },
        },
      },
    ];
    const cli = harness({ table: await freshTable(), steps, signals });
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.ok);
    expect(await cli.run('rollback', '--environment', 'dev')).toBe(EXIT.terminated);
    expect(cli.err.join('\n')).toContain('Resume with: npx nx run migrate:migrate -- rollback --environment dev');
    expect(cli.err.join('\n')).not.toContain('rollback --environment dev --resume');
  });

  it('on a second Ctrl-C releases the lease and exits at once, leaving the step running for --resume', async () => {
    const signals = new EventEmitter();
    let finish: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => (finish = resolve));
    const steps = counting(['deploy'], new Map(), async () => {
      signals.emit('SIGINT');
      signals.emit('SIGINT');
      await exited; // a step that ignores the stop request
    });
    const cli = harness({ table: await freshTable(), steps, signals });
    const running = cli.run('--environment', 'dev');
    for (let i = 0; i < 200 && cli.exits.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cli.exits).toEqual([EXIT.interrupted]);
    expect(cli.err.join('\n')).toContain("SIGINT again: stopping now. The running step stays 'running'; --resume starts it again as a new attempt.");
    expect(await cli.ledger.readLock()).toEqual({ kind: 'free' });
    expect((await cli.ledger.steps())[0].status).toBe('running');
    finish();
    // Had the process not exited, the run would now find its lease gone and record nothing.
    expect(await running).toBe(EXIT.leaseLost);
    expect((await cli.ledger.steps())[0].status).toBe('running');
  });

  it('exits 3 naming the holder when another runner holds the lease and renews it while this one watches', async () => {
    const table = await freshTable();
    const holder = new Ledger({ client: dynamo.client, tableName: table, environment: 'dev', clock: () => START, monotonic: () => 0 });
    await holder.acquireLease('runner-a', 'arn:aws:iam::222222222222:role/bob', 300_000);
    const counts = new Map<string, number>();
    const cli = harness({ table, steps: counting(['preflight'], counts), onSleep: async () => void (await holder.renewLease('runner-a', 300_000)) });
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.locked);
    expect(cli.err[0]).toBe(
      'dev is locked by arn:aws:iam::222222222222:role/bob (runner-a); its lease has been unchanged for 0 s of 300 s: taking over if it stays silent, giving up if it renews',
    );
    expect(cli.err.at(-1)).toMatch(/^\ndev is locked by arn:aws:iam::222222222222:role\/bob \(runner-a\), lease 300 s, .*it is alive/);
    expect(counts.size).toBe(0);
    expect((await cli.ledger.readLease())?.owner).toBe('runner-a');
  });

  it('exits 130 on Ctrl-C while it watches another runner\'s lease, running nothing', async () => {
    const table = await freshTable();
    const holder = new Ledger({ client: dynamo.client, tableName: table, environment: 'dev', clock: () => START, monotonic: () => 0 });
    await holder.acquireLease('runner-a', 'bob', 300_000);
    const signals = new EventEmitter();
    const counts = new Map<string, number>();
    const cli = harness({ table, steps: counting(['preflight'], counts), signals, onSleep: async () => void signals.emit('SIGINT') });
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.interrupted);
    expect(cli.err.at(-1)).toBe(
      "\ndev: stopped at a safe point (SIGINT) after 0 step(s) of this run while waiting for another runner's lease; nothing ran and this runner held no lease.\n" +
        'Resume with: npx nx run migrate:migrate -- --environment dev --resume',
    );
    expect(counts.size).toBe(0);
    expect((await holder.readLease())?.owner).toBe('runner-a');
  });

  it('exits 3 on a malformed lock; unlock --force --reason removes it and records who and why; status shows it', async () => {
    const table = await freshTable();
    await dynamo.client.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'ENV#dev' }, sk: { S: 'LOCK' }, owner: { S: 'runner-a' }, expiresAt: { S: 'later' } } }),
    );
    const cli = harness({ table, steps: counting(['preflight'], new Map()) });
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.locked);
    expect(cli.err.at(-1)).toContain('dev: the lock item (sk = LOCK) is malformed: version is missing; expiresAt is S later, expected a number (N); leaseMs is missing');

    expect(await cli.run('status', '--environment', 'dev')).toBe(EXIT.ok);
    expect(cli.out.at(-1)).toBe(
      [
        'dev: lock item is MALFORMED (version is missing; expiresAt is S later, expected a number (N); leaseMs is missing); no runner will take it over',
        '  item: expiresAt=S later, owner=S runner-a',
        '  if no run is active: unlock --environment dev --force --reason "<why>"',
        'no steps recorded',
      ].join('\n'),
    );

    expect(await cli.run('unlock', '--environment', 'dev', '--force', '--reason', 'lock from the March drill')).toBe(EXIT.ok);
    expect(cli.out.at(-2)).toBe(`dev: removed the lock (expiresAt=S later, owner=S runner-a); recorded by ${OPERATOR}: lock from the March drill`);
    expect(await cli.ledger.events()).toEqual([
      { kind: 'unlock', at: new Date(START).toISOString(), operator: OPERATOR, reason: 'lock from the March drill', previousLock: { expiresAt: 'S later', owner: 'S runner-a' } },
    ]);
    expect(await cli.run('unlock', '--environment', 'dev', '--force', '--reason', 'again')).toBe(EXIT.ok);
    expect(cli.out.at(-1)).toBe('dev: not locked; nothing removed, nothing recorded');

    expect(await cli.run('status', '--environment', 'dev')).toBe(EXIT.ok);
    expect(cli.out.at(-1)).toBe(
      ['dev: not locked', 'no steps recorded', '', 'events:', `  ${new Date(START).toISOString()} unlock by ${OPERATOR}: lock from the March drill (was held by runner-a)`].join('\n'),
    );
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.ok);
  });

  it('exits 1 with the step and the way on when a step fails', async () => {
    const steps = counting(['preflight'], new Map(), async () => {
      throw new Error('2 problems: share key not usable');
    });
    const cli = harness({ table: await freshTable(), steps });
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.failed);
    expect(cli.err.at(-1)).toBe(
      '\nstep preflight failed: 2 problems: share key not usable\nThe ledger records it as failed. Fix the cause and run again with --resume, or undo with `rollback` (docs/runbook.md).',
    );
  });

  it('exits 4 when the run loses its lease part-way', async () => {
    const time = { now: START };
    const steps = counting(['deploy'], new Map(), async (_id, context) => {
      time.now += 300_000; // stalled for the whole default lease
      await context.sleep(1);
    });
    const cli = harness({ table: await freshTable(), steps, time });
    expect(await cli.run('--environment', 'dev')).toBe(EXIT.leaseLost);
    expect(cli.err.at(-1)).toMatch(/lost the lease on dev \(not renewed within its 300 s lease\).*\nAnother runner may be running dev: look at `status` before running again with --resume\.$/s);
  });

  it('shows a held lock, steps and how a successor would take over in status', async () => {
    const table = await freshTable();
    const counts = new Map<string, number>();
    const cli = harness({ table, steps: counting(['preflight'], counts) });
    expect(await cli.run('--environment', 'dev', '--lease-minutes', '2')).toBe(EXIT.ok);
    const holder = new Ledger({ client: dynamo.client, tableName: table, environment: 'dev', clock: () => START, newVersion: () => 'v-7' });
    await holder.acquireLease('runner-z', 'zed', 120_000);
    expect(await cli.run('status', '--environment', 'dev')).toBe(EXIT.ok);
    const lines = cli.out.at(-1)?.split('\n') ?? [];
    expect(lines.slice(0, 2)).toEqual([
      `dev: locked by zed (runner-z) since ${new Date(START).toISOString()}, last renewed ${new Date(START).toISOString()} (the holder's clock)`,
      '  lease 120 s, version v-7: another runner takes over only after watching it unchanged for 120 s',
    ]);
    expect(lines[4]).toMatch(/^1 {2}preflight {2}data {3}completed {2}1 +2026-03-01T10:00:00Z {2}0s +alice$/);
  });
});

describe('migrate CLI as a process', () => {
  const tsx = join(WORKSPACE, 'node_modules', '.bin', 'tsx');
  const cli = join(WORKSPACE, 'tools', 'migrate', 'src', 'cli.ts');
  const spawnCli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        tsx,
        ['--tsconfig', join(WORKSPACE, 'tools', 'migrate', 'tsconfig.json'), cli, ...args],
        // No AWS credentials or config: anything reaching AWS would fail.
        { cwd: WORKSPACE, env: { PATH: process.env['PATH'], HOME: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true', ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
  let results: Awaited<ReturnType<typeof spawnCli>>[];

  beforeAll(async () => {
    results = await Promise.all([
      spawnCli(['--help']),
      spawnCli(['--dryrun', '--environment', 'dev']),
      spawnCli(['--environment', 'dev', '--dry-run'], { ENVIRONMENT_SUFFIX: 'pr42' }),
    ]);
  }, 120_000);

  it('--help exits 0 with the full usage, without credentials', () => {
    expect(results[0]).toMatchObject({ code: 0, stderr: '' });
    expect(results[0].stdout.startsWith(`${usageLine()}\n`)).toBe(true);
    expect(results[0].stdout).toContain('Exit codes:');
  });

  it('--dryrun (a typo) exits 2 with the usage line and runs nothing', () => {
    expect(results[1]).toMatchObject({ code: 2, stdout: '' });
    expect(results[1].stderr).toBe(`error: unknown option '--dryrun'\n${USAGE_RUN}\nRun \`migrate help run\` for every option.\n`);
  });

  it('a preview exits 2 without planning anything', () => {
    expect(results[2]).toMatchObject({ code: 2, stdout: '' });
    expect(results[2].stderr).toMatch(/^error: ENVIRONMENT_SUFFIX is 'pr42': this is a preview copy, and previews never migrate/);
  });
});
