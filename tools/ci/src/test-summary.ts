/**
 * Prints one closing line for the whole test run, summed over every project's
 * tmp/test-results/<project>.json (written by tools/ci/src/summary-reporter.cjs):
 *   tests: 412 passed, 0 failed, 3 skipped
 * Exits non-zero when any test failed or no test ran at all.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, '..', '..', '..', 'tmp', 'test-results');
const totals = { passed: 0, failed: 0, skipped: 0, projects: 0 };
if (existsSync(dir)) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const result = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { passed: number; failed: number; skipped: number };
    totals.passed += result.passed;
    totals.failed += result.failed;
    totals.skipped += result.skipped;
    totals.projects += 1;
  }
}
console.log(`(${totals.projects} projects)`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (totals.failed > 0 || totals.passed === 0) process.exitCode = 1;
