// Writes each project's test counts to tmp/test-results/<project>.json so CI can print
// one closing "tests: N passed, N failed" line for the whole run (cached runs restore it).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig, options) {
    this.project = (options && options.project) || 'unknown';
  }

  onRunComplete(_contexts, results) {
    const dir = join(__dirname, '..', '..', '..', 'tmp', 'test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${this.project}.json`),
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests,
        suites: results.numTotalTestSuites,
      }),
    );
  }
}

module.exports = SummaryReporter;
