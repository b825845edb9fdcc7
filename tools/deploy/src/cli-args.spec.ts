import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { HELP, parseCli, USAGE } from './cli-args';

const workspaceRoot = join(__dirname, '..', '..', '..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(workspaceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '--tsconfig', 'tools/deploy/tsconfig.json', 'tools/deploy/src/cli.ts', ...args], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('parseCli', () => {
  it('reads flags the way Nx forwards them (--flag and --flag=true)', () => {
    expect(parseCli(['deploy', 'dev', '--dry-run']).driver).toMatchObject({ action: 'deploy', app: 'dev', dryRun: true, withUpstream: true });
    expect(parseCli(['deploy', 'dev', '--dry-run=true', '--only']).driver).toMatchObject({ dryRun: true, withUpstream: false });
    expect(parseCli(['deploy', 'dev', '--dry-run=false']).driver.dryRun).toBe(false);
  });

  it('rejects a value given to a flag instead of treating it as a real run', () => {
    expect(() => parseCli(['deploy', 'dev', '--dry-run=yes'])).toThrow("--dry-run is a flag and takes no value (Nx may pass =true or =false); got 'yes'");
  });

  it('rejects unknown options with the usage line', () => {
    expect(() => parseCli(['deploy', 'dev', '--dryrun'])).toThrow(`unknown option --dryrun\n${USAGE}`);
    expect(() => parseCli(['deploy', 'dev', '-x'])).toThrow('unknown option -x');
  });

  it('parses and range-checks values', () => {
    expect(parseCli(['deploy', 'dev', '--parallelism', '8', '--image-tag=abc123', '--stack', 'network', '--stack=data']).driver).toMatchObject({
      parallelism: 8,
      imageTag: 'abc123',
      stacks: ['network', 'data'],
    });
    expect(() => parseCli(['deploy', 'dev', '--parallelism', '0'])).toThrow("--parallelism must be a whole number from 1 to 32, got '0'");
    expect(() => parseCli(['deploy', 'dev', '--parallelism=two'])).toThrow("--parallelism must be a whole number from 1 to 32, got 'two'");
    expect(() => parseCli(['deploy', 'dev', '--lock-timeout', 'soon'])).toThrow("--lock-timeout must be a duration such as 30s or 5m, got 'soon'");
    expect(() => parseCli(['deploy', 'dev', '--image-tag'])).toThrow('--image-tag needs a value');
  });

  it('keeps the plan role to plan and drift, and --approve to commands that change things', () => {
    expect(parseCli(['plan', 'dev', '--plan-role']).driver.planRole).toBe(true);
    expect(() => parseCli(['deploy', 'dev', '--plan-role'])).toThrow('--plan-role is for plan and drift; deploy needs the deploy role');
    expect(() => parseCli(['plan', 'dev', '--approve'])).toThrow('--approve is for deploy and destroy; plan changes nothing');
  });

  it('needs an action and an app', () => {
    expect(() => parseCli([])).toThrow("expected an action (plan, deploy, destroy, drift), got ''");
    expect(() => parseCli(['deploy'])).toThrow('deploy: expected an app');
  });

  it('answers --help whatever else is on the line', () => {
    expect(parseCli(['deploy', 'dev', '--help', '--bogus=1']).help).toBe(true);
  });
});

describe('cli', () => {
  it('--help prints the help and exits 0', () => {
    const run = cli('--help');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(HELP);
  }, 30_000);

  it('an unknown flag exits 1 with the usage line, running nothing', () => {
    const run = cli('deploy', 'dev', '--dry-run=yes');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(USAGE);
    expect(run.stdout).toBe('');
  }, 30_000);

  it('deploy outside a terminal without --approve refuses before anything runs', () => {
    const run = cli('deploy', 'dev');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('deploy outside a terminal needs --approve (review the plan first: npx nx run dev:plan); nothing was run');
    expect(run.stdout).not.toContain('synthesizing');
  }, 30_000);
});
