// Writes each project's test counts to tmp/test-results/<project>.json so CI can print
// one closing line for the whole run (cached runs restore it): tests passed, failed and
// skipped (with the names of the skipped ones), and suites that failed to run at all (a
// spec that does not load counts no test, so counting tests alone would read clean).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..', '..', '..');

class SummaryReporter {
  constructor(globalConfig, options) {
    this.project = (options && options.project) || 'unknown';
    this.dir = (options && options.dir) || join(ROOT, 'tmp', 'test-results');
  }

  onRunComplete(_contexts, results) {
    const skippedTests = [];
    const suitesNotRun = [];
    for (const suite of results.testResults) {
      const file = relative(ROOT, suite.testFilePath);
      if (suite.testExecError || suite.failureMessage && suite.testResults.length === 0) suitesNotRun.push(file);
      for (const test of suite.testResults) {
        if (test.status === 'pending' || test.status === 'todo' || test.status === 'skipped') skippedTests.push(`${file}: ${[...test.ancestorTitles, test.title].join(' > ')}`);
      }
    }
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(
      join(this.dir, `${this.project}.json`),
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
        suites: results.numTotalTestSuites,
        suitesNotRun: suitesNotRun.length,
        notRun: suitesNotRun,
        skippedTests,
      }),
    );
  }
}

module.exports = SummaryReporter;
