// Jest test environment for mutation testing (stryker.config.mjs): Node's environment that, while
// a mutant is active, skips the rest of a spec file's tests once one has failed. A mutant is
// killed by its first failing test; Jest has no in-file bail, and in the specs that drive real
// databases the tests after it would cost seconds each without changing the verdict. Without an
// active mutant (Stryker's initial run, and every run outside Stryker) it is Node's environment.
const { TestEnvironment } = require('jest-environment-node');

module.exports = class BailOnFirstFailureEnvironment extends TestEnvironment {
  #failed = false;

  async handleTestEvent(event) {
    if (!process.env.__STRYKER_ACTIVE_MUTANT__) return;
    if (event.name === 'test_done' && event.test.errors.length > 0) this.#failed = true;
    else if (event.name === 'test_start' && this.#failed) event.test.mode = 'skip';
  }
};
