import { describeWithTool, type SuiteApi } from './needs-tool';

/** A Jest stand-in that records what was declared and runs describe bodies, like Jest's collection phase. */
function recorder() {
  const declared: string[] = [];
  const tests: { name: string; body: () => void }[] = [];
  const api: SuiteApi = {
    describe: (name, body) => {
      declared.push(`describe ${name}`);
      body();
    },
    skip: (name) => declared.push(`skip ${name}`),
    it: (name, body) => {
      declared.push(`it ${name}`);
      tests.push({ name, body });
    },
  };
  return { api, declared, tests };
}

describe('describeWithTool', () => {
  const body = (api: SuiteApi) => () => api.it('serves TLS', () => undefined);

  it('runs the suite when the tool is available, in CI or not', () => {
    for (const env of [{}, { CI: 'true' }]) {
      const { api, declared } = recorder();
      describeWithTool('openssl', true, env, api)('real servers', body(api));
      expect(declared).toEqual(['describe real servers', 'it serves TLS']);
    }
  });

  it('skips visibly, naming the tool, on a machine without it', () => {
    const { api, declared } = recorder();
    describeWithTool('openssl', false, {}, api)('real servers', body(api));
    expect(declared).toEqual(['skip real servers (skipped: needs openssl)']);
  });

  it('fails in CI instead of skipping, naming the tool and where it is installed', () => {
    const { api, declared, tests } = recorder();
    describeWithTool('openssl', false, { CI: 'true' }, api)('real servers', body(api));
    expect(declared).toEqual(['describe real servers', 'it needs openssl, which .ci/run installs']);
    expect(tests).toHaveLength(1);
    expect(() => tests[0].body()).toThrow(/^openssl is not available in CI: install it in \.ci\/run and the workflows rather than skipping "real servers"$/);
  });
});
