import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectsWithTests, readResults, summarise, type ProjectResult } from './test-summary';

const root = join(__dirname, '..', '..', '..');

/** Runs the real Jest on `specs` (file name -> source) with only the summary reporter; returns what it wrote. */
function reportOf(specs: Record<string, string>): ProjectResult {
  const dir = mkdtempSync(join(tmpdir(), 'summary-reporter-'));
  const out = join(dir, 'results');
  for (const [file, source] of Object.entries(specs)) writeFileSync(join(dir, file), source);
  const config = { rootDir: dir, testMatch: ['<rootDir>/*.spec.js'], reporters: [[join(__dirname, 'summary-reporter.cjs'), { project: 'probe', dir: out }]] };
  spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(readFileSync(join(out, 'probe.json'), 'utf8')) as ProjectResult;
}

describe('summary reporter', () => {
  it('counts a suite that fails to load, and names skipped tests', () => {
    const result = reportOf({
      'ok.spec.js': "it('adds', () => expect(1 + 1).toBe(2));\n",
      'broken.spec.js': "require('./not-there');\nit('never runs', () => {});\n",
      'skipped.spec.js': "describe('real servers', () => { it.skip('serves TLS', () => {}); it('answers', () => {}); });\n",
    });
    expect(result).toMatchObject({ passed: 2, failed: 0, skipped: 1, suites: 3, suitesNotRun: 1 });
    expect(result.notRun).toEqual([expect.stringMatching(/broken\.spec\.js$/)]);
    expect(result.skippedTests).toEqual([expect.stringMatching(/skipped\.spec\.js: real servers > serves TLS$/)]);
  });
});

describe('closing line', () => {
  const clean: ProjectResult = { passed: 10, failed: 0, skipped: 0, suites: 2, suitesNotRun: 0 };

  it('reads clean when every project passed and nothing was skipped', () => {
    const summary = summarise(new Map([['dev', clean], ['ops', clean]]), ['dev', 'ops'], true);
    expect(summary).toEqual({ lines: ['tests: 20 passed, 0 failed, 0 skipped; suites: 4 ran, 0 failed to run (2 projects)'], exitCode: 0 });
  });

  it('fails on a suite that failed to run, even with no failed test', () => {
    const broken: ProjectResult = { passed: 0, failed: 0, skipped: 0, suites: 1, suitesNotRun: 1, notRun: ['tools/migrate/src/engine.spec.ts'] };
    const summary = summarise(new Map([['dev', clean], ['migrate', broken]]), ['dev', 'migrate'], false);
    expect(summary.exitCode).toBe(1);
    expect(summary.lines).toEqual([
      '  failed to run: migrate: tools/migrate/src/engine.spec.ts',
      'tests: 10 passed, 0 failed, 0 skipped; suites: 3 ran, 1 failed to run (2 projects)',
      'not clean: 1 suites failed to run',
    ]);
  });

  it('fails on a project that has tests but reported nothing', () => {
    const summary = summarise(new Map([['dev', clean]]), ['dev', 'verify-data'], false);
    expect(summary.exitCode).toBe(1);
    expect(summary.lines).toContain('  no test results from verify-data (its jest run did not finish)');
    expect(summary.lines.at(-1)).toBe('not clean: 1 projects reported nothing');
  });

  it('fails on failed tests and on a run where nothing passed', () => {
    expect(summarise(new Map([['dev', { ...clean, failed: 1 }]]), ['dev'], false).lines.at(-1)).toBe('not clean: 1 failed');
    expect(summarise(new Map([['dev', { passed: 0, failed: 0, skipped: 0 }]]), ['dev'], false).lines.at(-1)).toBe('not clean: no test passed');
  });

  it('lists skipped tests; fails on them in CI only', () => {
    const skipping: ProjectResult = { ...clean, skipped: 6, skippedTests: ['tools/integration/src/checks/load-balancer.spec.ts: real servers (skipped: needs openssl) > serves TLS'] };
    const local = summarise(new Map([['integration', skipping]]), ['integration'], false);
    expect(local).toEqual({
      lines: [
        '  skipped: integration: tools/integration/src/checks/load-balancer.spec.ts: real servers (skipped: needs openssl) > serves TLS',
        'tests: 10 passed, 0 failed, 6 skipped; suites: 2 ran, 0 failed to run (1 projects)',
      ],
      exitCode: 0,
    });
    const ci = summarise(new Map([['integration', skipping]]), ['integration'], true);
    expect(ci.exitCode).toBe(1);
    expect(ci.lines.at(-1)).toBe('not clean: 6 skipped in CI');
  });

  it('expects results from every project with a jest config, by its Nx name', () => {
    const projects = projectsWithTests(root);
    expect(projects).toEqual(expect.arrayContaining(['backend-bootstrap', 'dev', 'config', 'guardrails', 'ci', 'migrate', 'verify-data', 'testing']));
    expect(projects).not.toContain('synth');
  });

  it('reads every project file of the results directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-results-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dev.json'), JSON.stringify(clean));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    expect([...readResults(dir)]).toEqual([['dev', clean]]);
    expect(readResults(join(dir, 'absent')).size).toBe(0);
  });
});
