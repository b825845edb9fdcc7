import nx from '@nx/eslint-plugin';

/**
 * Architecture, as lint enforces it:
 *  - apps (type:app) import libs, never other apps;
 *  - tagging (scope:tagging) is a leaf: it imports no other lib;
 *  - config (scope:config) imports only tagging; guardrails only config + tagging;
 *  - platform (the base stack) imports config, tagging, guardrails;
 *  - construct libs (iam, network, data, compute) import config, tagging and the libs
 *    below them, never platform; the environment stacks lib (type:stacks) composes them;
 *  - tools (type:tool, one project per capability under tools/) import libs, and each other only
 *    where the dependency is real: migrate uses deploy and verify-data, plan-doc renders migrate's
 *    steps, integration reuses deploy's preflight; nothing outside tools imports a tool;
 *  - @estate/testing (the real-engine harnesses) is imported by tests, benchmarks and the rehearsal only.
 *  - @cdktf/provider-aws is imported by deep path only (the root costs seconds and ~500 MB).
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules', '**/dist', '**/cdktf.out', '**/cdktf.out.partial-*', '**/cfn-outputs', '**/.state', '**/coverage', '**/.nx', '**/tmp', '**/.bench'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform', 'type:tool'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform'] },
            { sourceTag: 'scope:deploy', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform', 'scope:testing'] },
            { sourceTag: 'scope:verify-data', onlyDependOnLibsWithTags: ['type:construct', 'type:platform', 'scope:testing'] },
            {
              sourceTag: 'scope:migrate',
              onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform', 'scope:deploy', 'scope:verify-data', 'scope:testing'],
            },
            { sourceTag: 'scope:plan-doc', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform', 'scope:deploy', 'scope:migrate'] },
            { sourceTag: 'scope:integration', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform', 'scope:deploy', 'scope:testing'] },
            { sourceTag: 'scope:preview', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform'] },
            { sourceTag: 'scope:permissions', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform'] },
            { sourceTag: 'scope:synth', onlyDependOnLibsWithTags: ['type:construct', 'type:stacks', 'type:platform', 'scope:testing'] },
            { sourceTag: 'scope:ci', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:stacks', onlyDependOnLibsWithTags: ['type:construct', 'type:platform'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:construct', 'type:platform'] },
            { sourceTag: 'type:construct', onlyDependOnLibsWithTags: ['type:construct', 'type:platform'] },
            { sourceTag: 'scope:tagging', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:config', onlyDependOnLibsWithTags: ['scope:tagging'] },
            { sourceTag: 'scope:guardrails', onlyDependOnLibsWithTags: ['scope:config', 'scope:tagging'] },
            {
              sourceTag: 'scope:platform',
              onlyDependOnLibsWithTags: ['scope:config', 'scope:tagging', 'scope:guardrails'],
            },
            { sourceTag: 'scope:iam', onlyDependOnLibsWithTags: ['scope:config', 'scope:tagging'] },
            {
              sourceTag: 'scope:network',
              onlyDependOnLibsWithTags: ['scope:config', 'scope:tagging', 'scope:iam'],
            },
            {
              sourceTag: 'scope:data',
              onlyDependOnLibsWithTags: ['scope:config', 'scope:tagging', 'scope:iam', 'scope:network'],
            },
            {
              sourceTag: 'scope:compute',
              onlyDependOnLibsWithTags: ['scope:config', 'scope:tagging', 'scope:iam', 'scope:network', 'scope:data'],
            },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@cdktf/provider-aws',
              message: "Import provider classes by deep path, e.g. '@cdktf/provider-aws/lib/vpc': the package root costs seconds and ~500 MB per process.",
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The real-engine harnesses start servers and processes: tests, benchmarks and the cutover rehearsal only.
    files: ['tools/**/*.ts'],
    ignores: ['tools/**/*.spec.ts', 'tools/**/bench.ts', 'tools/**/rehearse.ts', 'tools/**/test-fixtures.ts', 'tools/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@cdktf/provider-aws',
              message: "Import provider classes by deep path, e.g. '@cdktf/provider-aws/lib/vpc': the package root costs seconds and ~500 MB per process.",
            },
            { name: '@estate/testing', message: 'The real-engine harnesses are for tests, benchmarks and the rehearsal only (*.spec.ts, bench.ts, rehearse.ts).' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
