// Shared Jest settings for every project. Tests are transpiled by SWC (no type
// checking: that is the separate `typecheck` target) and path aliases from
// tsconfig.base.json are resolved by Nx's resolver.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  resolver: '@nx/jest/plugins/resolver',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageReporters: ['text-summary'],
  // The default reporter, plus per-project counts for the single closing line CI prints.
  reporters: ['default', [require.resolve('./tools/ci/src/summary-reporter.cjs'), { project: process.env['NX_TASK_TARGET_PROJECT'] || require('node:path').basename(process.cwd()) }]],
  // Construct trees and provider classes are large; keep workers few on 2-core CI.
  maxWorkers: 2,
};
