/**
 * Prints one closing line for the whole test run, summed over every project's
 * tmp/test-results/<project>.json (written by tools/ci/src/summary-reporter.cjs):
 *   tests: 612 passed, 0 failed, 0 skipped; suites: 130 ran, 0 failed to run (22 projects)
 * Exits non-zero when a test failed, a suite failed to run, a project with tests reported
 * nothing, no test ran at all, or (in CI) any test was skipped: `.ci/run` installs every
 * tool a test needs, so a skip there is a test that silently never ran.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProjectResult {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly suites?: number;
  readonly suitesNotRun?: number;
  readonly notRun?: readonly string[];
  readonly skippedTests?: readonly string[];
}

export interface Summary {
  readonly lines: string[];
  readonly exitCode: 0 | 1;
}

/** Sums the projects' results; `expected` are the projects that have tests, `ci` is whether this is CI. */
export function summarise(results: ReadonlyMap<string, ProjectResult>, expected: readonly string[], ci: boolean): Summary {
  const totals = { passed: 0, failed: 0, skipped: 0, suites: 0, notRun: 0 };
  const details: string[] = [];
  for (const [project, result] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    totals.passed += result.passed;
    totals.failed += result.failed;
    totals.skipped += result.skipped;
    totals.suites += result.suites ?? 0;
    totals.notRun += result.suitesNotRun ?? 0;
    for (const file of result.notRun ?? []) details.push(`  failed to run: ${project}: ${file}`);
    for (const test of result.skippedTests ?? []) details.push(`  skipped: ${project}: ${test}`);
  }
  const missing = expected.filter((project) => !results.has(project)).sort();
  for (const project of missing) details.push(`  no test results from ${project} (its jest run did not finish)`);
  const problems: string[] = [];
  if (totals.failed > 0) problems.push(`${totals.failed} failed`);
  if (totals.notRun > 0) problems.push(`${totals.notRun} suites failed to run`);
  if (missing.length > 0) problems.push(`${missing.length} projects reported nothing`);
  if (totals.passed === 0) problems.push('no test passed');
  if (ci && totals.skipped > 0) problems.push(`${totals.skipped} skipped in CI`);
  const lines = [
    ...details,
    `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped; suites: ${totals.suites} ran, ${totals.notRun} failed to run (${results.size} projects)`,
  ];
  if (problems.length > 0) lines.push(`not clean: ${problems.join(', ')}`);
  return { lines, exitCode: problems.length > 0 ? 1 : 0 };
}

/** Projects that have a jest config, by their Nx name. */
export function projectsWithTests(root: string): string[] {
  const names: string[] = [];
  for (const group of ['apps', 'libs', 'tools']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base)) {
      if (!existsSync(join(base, dir, 'jest.config.cjs'))) continue;
      const projectJson = join(base, dir, 'project.json');
      names.push(existsSync(projectJson) ? (JSON.parse(readFileSync(projectJson, 'utf8')) as { name: string }).name : dir);
    }
  }
  return names;
}

export function readResults(dir: string): Map<string, ProjectResult> {
  const results = new Map<string, ProjectResult>();
  if (!existsSync(dir)) return results;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    results.set(file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProjectResult);
  }
  return results;
}

if (require.main === module) {
  const root = join(__dirname, '..', '..', '..');
  const { lines, exitCode } = summarise(readResults(join(root, 'tmp', 'test-results')), projectsWithTests(root), Boolean(process.env['CI']));
  for (const line of lines) console.log(line);
  process.exitCode = exitCode;
}
