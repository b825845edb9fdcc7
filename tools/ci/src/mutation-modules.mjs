// The modules mutation testing covers: the code that protects data and money. Each is run on
// its own with its project's tests (stryker.config.mjs). `typeCheck` turns on Stryker's
// TypeScript checker for the module (measured per module: docs/mutation-testing.md).
export const MODULES = {
  // Organisation config validation: bad input must fail before anything reaches AWS.
  config: {
    project: 'libs/config',
    mutate: ['libs/config/src/lib/**/*.ts', '!libs/config/src/lib/**/*.spec.ts', '!libs/config/src/lib/test-fixtures.ts'],
    typeCheck: false,
  },
  // Guardrail rules, the pack and the engine that applies them at synth time.
  guardrails: {
    project: 'libs/guardrails',
    mutate: ['libs/guardrails/src/lib/**/*.ts', '!libs/guardrails/src/lib/**/*.spec.ts', '!libs/guardrails/src/lib/rules/test-support.ts', '!libs/guardrails/src/lib/doc.ts'],
    typeCheck: false,
  },
  // Migration runner: ledger and lease, engine, steps and the AWS adapters.
  migrate: {
    project: 'tools/migrate',
    mutate: ['tools/migrate/src/ledger.ts', 'tools/migrate/src/engine.ts', 'tools/migrate/src/steps.ts', 'tools/migrate/src/aws-ports.ts'],
    typeCheck: false,
  },
  // Deploy driver's guards: prod confirmation, account pinning, preflight.
  deploy: {
    project: 'tools/deploy',
    mutate: ['tools/deploy/src/driver.ts', 'tools/deploy/src/preflight.ts'],
    typeCheck: false,
  },
  // Data-integrity verifier: range hashing and comparison, schema checks, connections (TLS).
  'verify-data': {
    project: 'tools/verify-data',
    mutate: ['tools/verify-data/src/engine.ts', 'tools/verify-data/src/schema.ts', 'tools/verify-data/src/connection.ts'],
    typeCheck: false,
  },
};
