/**
 * The architecture as lint enforces it, proven with the workspace's own ESLint config on probe
 * sources placed (in memory) inside real projects: a broken boundary is a lint error.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

// The config is an ES module, which Jest's CommonJS sandbox cannot load: lint in a child process.
const LINT = `
import { ESLint } from 'eslint';
const probes = JSON.parse(await new Promise((resolve) => { let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => resolve(s)); }));
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const { file, source } of probes) {
  const [result] = await eslint.lintText(source, { filePath: file });
  out.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
}
console.log(JSON.stringify(out));
`;

function problems(file: string, source: string): Promise<string[]> {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', LINT], {
    cwd: root,
    input: JSON.stringify([{ file: join(root, file), source }]),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`eslint failed (${result.status}): ${result.stderr}`);
  return Promise.resolve((JSON.parse(result.stdout) as string[][])[0] ?? []);
}

describe('tool boundaries', () => {
  it('lets the runner import the deploy driver and the verifier through their doors', async () => {
    const found = await problems(
      'tools/migrate/src/probe.ts',
      "import { runDriver } from '@estate/deploy';\nexport const used = [runDriver, () => import('@estate/verify-data')];\n",
    );
    expect(found).toEqual([]);
  });

  it('rejects an import between tools that have no real dependency', async () => {
    const found = await problems('tools/integration/src/probe.ts', "import { verifyDatabases } from '@estate/verify-data';\nexport const used = verifyDatabases;\n");
    expect(found).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: A project tagged with "scope:integration" can only depend on/)]);
  });

  it('rejects a deep import into another tool', async () => {
    const found = await problems('tools/migrate/src/probe.ts', "import { runDriver } from '../../deploy/src/driver';\nexport const used = runDriver;\n");
    expect(found).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: Projects cannot be imported by a relative or absolute path/)]);
  });

  it('keeps the real-engine harnesses out of product code but allows them in tests', async () => {
    const source = "import { startPostgres } from '@estate/testing';\nexport const used = startPostgres;\n";
    expect(await problems('tools/verify-data/src/probe.ts', source)).toEqual([
      expect.stringMatching(/^no-restricted-imports: '@estate\/testing' import is restricted/),
    ]);
    expect(await problems('tools/verify-data/src/probe.spec.ts', source)).toEqual([]);
  });

  it('rejects a tool imported from a lib or an app', async () => {
    const source = "import { runDriver } from '@estate/deploy';\nexport const used = runDriver;\n";
    // The deploy driver runs the apps, so such an import is also a cycle; either way lint refuses it.
    expect(await problems('libs/platform/src/lib/probe.ts', source)).toContainEqual(
      expect.stringMatching(/^@nx\/enforce-module-boundaries: (A project tagged with "type:platform" can only depend on|Circular dependency between "platform" and "deploy")/),
    );
    expect(await problems('apps/dev/src/probe.ts', source)).toContainEqual(
      expect.stringMatching(/^@nx\/enforce-module-boundaries: (A project tagged with "type:app" can only depend on|Circular dependency between "dev" and "deploy")/),
    );
  });
});
