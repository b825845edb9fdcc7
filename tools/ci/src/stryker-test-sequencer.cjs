// Jest test sequencer for mutation testing (stryker.config.mjs). Stryker runs each mutant with
// a test name pattern naming only the tests that cover it, but Jest still loads every spec file
// to find them: in a project whose specs synthesize stacks or start database servers, loading
// is most of a mutant's cost. This sequencer keeps the spec files in which at least one test
// recorded during Stryker's initial run (stryker-record-tests.cjs) matches the pattern, the
// same match Jest applies; the tests that run are exactly the ones Jest would run. A spec file
// with no record is kept.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** spec file path → test full names, read once per process after the initial run wrote them. */
let recorded;
function recordedTests(dir) {
  if (recorded) return recorded;
  const map = new Map();
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const { path, names } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      map.set(path, names);
    }
  }
  if (map.size > 0) recorded = map;
  return map;
}

module.exports = class CoveringSpecFilesSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig.testNamePattern;
  }

  async sort(tests) {
    const sorted = await super.sort(tests);
    const dir = process.env.STRYKER_TEST_FILES_DIR;
    if (!this.pattern || !dir || !process.env.__STRYKER_ACTIVE_MUTANT__) return sorted;
    const map = recordedTests(dir);
    // Jest matches the pattern against each test's full name, case-insensitively.
    const pattern = new RegExp(this.pattern, 'i');
    return sorted.filter((test) => {
      const names = map.get(test.path);
      return names === undefined || names.some((n) => pattern.test(n));
    });
  }
};
