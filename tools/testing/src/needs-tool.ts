/** The parts of Jest's API a tool-gated suite uses (the globals by default). */
export interface SuiteApi {
  readonly describe: (name: string, body: () => void) => void;
  readonly skip: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => void) => void;
}

const JEST: SuiteApi = {
  describe: (name, body) => describe(name, body),
  skip: (name, body) => describe.skip(name, body),
  it: (name, body) => it(name, body),
};

/**
 * Tests that need a command-line tool (openssl, initdb, java) run when it is there. Without it
 * they are skipped on a developer machine, with the tool in the suite name so the skip is
 * visible; in CI (`CI` set) the suite fails instead, because `.ci/run` installs every tool a test
 * needs and a silent skip there would hide tests that never ran.
 */
export function describeWithTool(tool: string, available: boolean, env: NodeJS.ProcessEnv = process.env, api: SuiteApi = JEST): (name: string, body: () => void) => void {
  return (name, body) => {
    if (available) return api.describe(name, body);
    if (env['CI']) {
      return api.describe(name, () => {
        api.it(`needs ${tool}, which .ci/run installs`, () => {
          throw new Error(`${tool} is not available in CI: install it in .ci/run and the workflows rather than skipping "${name}"`);
        });
      });
    }
    return api.skip(`${name} (skipped: needs ${tool})`, body);
  };
}
