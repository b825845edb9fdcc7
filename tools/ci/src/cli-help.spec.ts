/**
 * The command-line tools this team owns: `--help` exits 0 and changes nothing; an unknown
 * flag is an error with a usage line. (The verifier and migration CLIs carry their own tests.)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLIS: { name: string; argv: string[]; unknownExit: number }[] = [
  { name: 'deploy driver', argv: [tsx, '--tsconfig', 'tools/deploy/tsconfig.json', 'tools/deploy/src/cli.ts'], unknownExit: 1 },
  { name: 'synth', argv: ['tools/synth/src/synth.cjs'], unknownExit: 2 },
  { name: 'check-organisation', argv: [tsx, '--tsconfig', 'tools/synth/tsconfig.json', 'tools/synth/src/check-organisation.ts'], unknownExit: 2 },
  { name: 'integration', argv: [tsx, '--tsconfig', 'tools/integration/tsconfig.json', 'tools/integration/src/cli.ts'], unknownExit: 2 },
  { name: 'migration-plan', argv: [tsx, '--tsconfig', 'tools/plan-doc/tsconfig.json', 'tools/plan-doc/src/generate.ts'], unknownExit: 2 },
  { name: 'mutate', argv: ['tools/ci/src/mutate.mjs'], unknownExit: 2 },
];

const run = (argv: string[], extra: string[]) => spawnSync(process.execPath, [...argv, ...extra], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** Modification times of the files a CLI could write: docs, app outputs. */
function snapshot(): Map<string, number> {
  const times = new Map<string, number>();
  for (const dir of ['docs', ...['backend-bootstrap', 'ops', 'dev', 'staging', 'prod'].map((a) => join('apps', a))]) {
    for (const entry of readdirSync(join(root, dir))) times.set(join(dir, entry), statSync(join(root, dir, entry)).mtimeMs);
  }
  return times;
}

describe.each(CLIS)('$name', ({ argv, unknownExit }) => {
  it('--help prints a usage line, exits 0 and writes nothing', () => {
    const before = snapshot();
    const result = run(argv, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/usage: /);
    expect(snapshot()).toEqual(before);
  }, 30_000);

  it('rejects an unknown flag with the usage line', () => {
    const result = run(argv, ['dev', '--no-such-flag']);
    expect(result.status).toBe(unknownExit);
    expect(result.stderr).toMatch(/unknown (option|argument).*--no-such-flag[\s\S]*usage: /);
  }, 30_000);
});

describe('mutate: modules and their parts', () => {
  const mutate = (args: string[]) => run(['tools/ci/src/mutate.mjs'], args);

  it('lists the parts in --help', () => {
    expect(mutate(['--help']).stdout).toContain('Parts: migrate: ledger, engine, steps, aws-ports; verify-data: engine, schema, connection.');
  });

  it.each([
    [['migrate:nope'], "'migrate:nope' is not a part of migrate: expected one of ledger, engine, steps, aws-ports"],
    [['config:all'], 'config:all: module config has no parts'],
    [['guardrails', 'verify'], "unknown module 'verify'"],
  ])('refuses %j before running anything', (args, message) => {
    const result = mutate(args);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stdout).toBe('');
  });
});
