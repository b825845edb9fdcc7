// The modules mutation testing covers: the code that protects data and money. Each is run on
// its own with its project's tests (stryker.config.mjs), or only the spec files in `tests`
// (Jest testMatch, relative to the project). `typeCheck` turns on Stryker's TypeScript checker
// for the module (measured: docs/mutation-testing.md). `services: ['dynamodb']` starts one
// DynamoDB Local for the whole run, which the module's specs share (tools/testing).
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
    mutate: ['tools/migrate/src/ledger.ts', 'tools/migrate/src/lease.ts', 'tools/migrate/src/engine.ts', 'tools/migrate/src/steps.ts', 'tools/migrate/src/aws-ports.ts'],
    // Not the rehearsal (src/rehearsal): it runs the whole migration against real servers for
    // over a minute, and a mutant it covers would cost that much each time it survives. The
    // rehearsal is the end-to-end proof; the module's own specs are what must kill the mutants.
    tests: ['<rootDir>/src/*.spec.ts'],
    services: ['dynamodb'],
    typeCheck: false,
  },
  // Deploy driver's guards: the account pinning it reads, the confirmations, the flag checks
  // and preflight before anything runs. driver.ts is mostly orchestration and output; its guards
  // are named by line range (Stryker's `file:start-end`), to be moved with the code. Only the
  // guards' own specs run: the driver's end-to-end specs synthesize every app and run real
  // terraform (3 minutes per run here), which would make each mutant cost minutes. The
  // prod-account gate after planning (driver.ts, realRun) is proven by driver.terraform.spec.ts
  // and is outside this module for that reason.
  deploy: {
    project: 'tools/deploy',
    mutate: [
      'tools/deploy/src/driver.ts:144-180', // awsAccountsOf, confirmationProblems, missingVariables
      'tools/deploy/src/driver.ts:209-229', // runDriver: flags and the app, before anything runs
      'tools/deploy/src/driver.ts:237-244', // runDriver: confirmations and terraform, before synth
      'tools/deploy/src/preflight.ts',
    ],
    tests: ['<rootDir>/src/driver-guards.spec.ts', '<rootDir>/src/preflight.spec.ts', '<rootDir>/src/preflight-guards.spec.ts'],
    typeCheck: false,
  },
  // Data-integrity verifier: range hashing and comparison, schema checks, connections (TLS).
  'verify-data': {
    project: 'tools/verify-data',
    mutate: ['tools/verify-data/src/engine.ts', 'tools/verify-data/src/schema.ts', 'tools/verify-data/src/connection.ts'],
    typeCheck: false,
  },
};

/** Where a module's run writes its reports, incremental file and sandbox: STRYKER_REPORT_DIR or tmp/mutation/<module>. */
export function reportDirOf(name, env = process.env) {
  return env.STRYKER_REPORT_DIR || `tmp/mutation/${name}`;
}
