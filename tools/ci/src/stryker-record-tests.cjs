// Jest setup file for mutation testing (stryker.config.mjs): during Stryker's initial run (no
// active mutant) it records the full name of every test each spec file runs, one JSON file per
// spec file in STRYKER_TEST_FILES_DIR. stryker-test-sequencer.cjs reads them so that a mutant
// run loads only the spec files holding the tests that cover the mutant.
const { createHash } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.STRYKER_TEST_FILES_DIR;
if (dir && !process.env.__STRYKER_ACTIVE_MUTANT__) {
  const names = new Set();
  beforeEach(() => {
    names.add(expect.getState().currentTestName);
  });
  afterAll(() => {
    const path = expect.getState().testPath;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${createHash('sha1').update(path).digest('hex')}.json`);
    writeFileSync(file, JSON.stringify({ path, names: [...names] }));
  });
}
