// Mutation testing (Stryker) over the code that protects data and money. One module per run,
// chosen by STRYKER_MODULE; `node tools/ci/src/mutate.mjs [module...]` runs them one after the
// other and prints the score of each (docs/mutation-testing.md).
//
// How the tests run inside Stryker's sandbox: the jest runner loads the module's own
// jest.config.cjs, so the SWC transform and Nx's path-alias resolver come from jest.preset.js
// exactly as in `nx run <project>:test` (the resolver finds tsconfig.base.json through the
// sandbox's nx.json). Stryker instruments the TypeScript sources before SWC transpiles them.
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { MODULES, reportDirOf, runsOf } from './tools/ci/src/mutation-modules.mjs';

const name = process.env.STRYKER_MODULE ?? '';
const module = MODULES[name];
if (!module) {
  throw new Error(`STRYKER_MODULE '${name}' is not a mutation module: expected one of ${Object.keys(MODULES).join(', ')}`);
}
// A module with parts runs one part at a time (STRYKER_PART, set by mutate.mjs).
const partName = process.env.STRYKER_PART || undefined;
const runs = runsOf(name, process.env, partName);
if (runs.length !== 1) {
  throw new Error(`module ${name} runs in parts: set STRYKER_PART to one of ${runs.map((r) => r.part).join(', ')} (node tools/ci/src/mutate.mjs does), or narrow it with STRYKER_MUTATE`);
}
const [run] = runs;
// STRYKER_REPORT_DIR gives a run its own reports, incremental file and sandbox (e.g. a run
// narrowed with STRYKER_MUTATE beside a full one).
const out = reportDirOf(name, process.env, run.part);

// Each mutant loads only the spec files that hold its covering tests: the initial run records
// which tests every spec file runs (stryker-record-tests.cjs), the sequencer keeps the spec files
// whose tests match Stryker's test name pattern (stryker-test-sequencer.cjs). The runner
// processes inherit the directory through the environment.
process.env.STRYKER_TEST_FILES_DIR = resolve(out, 'tests');
rmSync(process.env.STRYKER_TEST_FILES_DIR, { recursive: true, force: true });
const projectJest = createRequire(import.meta.url)(`./${module.project}/jest.config.cjs`);
const fromProject = (file) => `<rootDir>/${relative(module.project, file)}`;
const tests = process.env.STRYKER_TESTS ? process.env.STRYKER_TESTS.split(',') : run.tests;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: `${module.project}/jest.config.cjs`,
    enableFindRelatedTests: false,
    config: {
      // STRYKER_TESTS narrows the spec files (Jest testMatch, comma-separated, relative to the project).
      ...(tests ? { testMatch: tests } : {}),
      setupFilesAfterEnv: [...(projectJest.setupFilesAfterEnv ?? []), fromProject('tools/ci/src/stryker-record-tests.cjs')],
      testSequencer: fromProject('tools/ci/src/stryker-test-sequencer.cjs'),
      // A mutant's first failing test ends its spec file (Stryker resolves the environment by
      // path, without <rootDir>).
      testEnvironment: resolve('tools/ci/src/stryker-bail-environment.cjs'),
    },
  },
  // STRYKER_MUTATE narrows a run to some files or line ranges (`file.ts:10-40`), comma-separated.
  mutate: process.env.STRYKER_MUTATE ? process.env.STRYKER_MUTATE.split(',') : run.mutate,
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: rule ids, messages, lookup tables) need a fresh
  // module load and the whole suite per mutant: on 2 cores ~5 s each, 80 % of the run time for
  // 20 % of the mutants. They are reported as ignored unless STRYKER_IGNORE_STATIC=false
  // (the weekly workflow's `static` input); docs/mutation-testing.md has the figures.
  ignoreStatic: process.env.STRYKER_IGNORE_STATIC !== 'false',
  // Mutants that do not type-check are dropped before any test runs (where measured to pay off).
  checkers: (process.env.STRYKER_TYPECHECK ? process.env.STRYKER_TYPECHECK === 'true' : module.typeCheck) ? ['typescript'] : [],
  tsconfigFile: `${module.project}/tsconfig.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // 2 shared cores: never more than two test processes.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  timeoutMS: 10_000,
  // Re-runs only mutants whose code or covering tests changed since the last run of this module.
  incremental: process.env.STRYKER_INCREMENTAL !== 'false',
  incrementalFile: `${out}/incremental.json`,
  tempDirName: `${out}/.stryker-tmp`,
  cleanTempDir: 'always',
  ignorePatterns: ['tmp', '.nx', 'dist', 'coverage', '.bench', '.state', '**/cdktf.out', '**/cdktf.out.partial-*', '**/cfn-outputs', '**/.terraform'],
  reporters: ['clear-text', 'json', 'html', process.stdout.isTTY ? 'progress' : 'dots'],
  jsonReporter: { fileName: `${out}/mutation.json` },
  htmlReporter: { fileName: `${out}/index.html` },
  clearTextReporter: { allowColor: process.stdout.isTTY && !process.env.NO_COLOR, logTests: false },
  // The goal per module; the run fails below it.
  thresholds: { high: 90, low: 80, break: 80 },
  logLevel: 'info',
  fileLogLevel: 'off',
};
