// The modules mutation testing covers: the code that protects data and money. Each is run on
// its own with its project's tests (stryker.config.mjs), or only the spec files in `tests`
// (Jest testMatch, relative to the project). `typeCheck` turns on Stryker's TypeScript checker
// for the module (measured: docs/mutation-testing.md). `services` (`dynamodb`, `postgres`)
// start one DynamoDB Local or PostgreSQL server for the whole run, which the module's specs
// share (tools/testing/src/serve.ts; each spec keeps its own tables or databases).
//
// A module with `parts` runs one Stryker per part: each part's mutants run only the spec files
// that target its code. The module's score adds up the parts' counts; it is a lower bound of
// what all the project's specs would score (a mutant a targeted spec kills, the whole suite
// kills too), reached in minutes instead of the hours a mutant costs when every spec that
// drives real servers runs for it.
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
    // Every test of the engine, the CLI and the steps goes through the ledger: with all specs a
    // surviving ledger mutant ran ~150 tests (0.2 mutants/s). Each part runs the specs written
    // for its code.
    parts: {
      ledger: { mutate: ['tools/migrate/src/ledger.ts'], tests: ['<rootDir>/src/ledger.spec.ts', '<rootDir>/src/ledger-edges.spec.ts'] },
      engine: { mutate: ['tools/migrate/src/engine.ts', 'tools/migrate/src/lease.ts'], tests: ['<rootDir>/src/engine.spec.ts', '<rootDir>/src/engine-edges.spec.ts'] },
      // The in-memory step specs; steps.spec.ts (the same steps on real PostgreSQL servers, 20 s) is left out.
      steps: {
        mutate: ['tools/migrate/src/steps.ts'],
        tests: ['<rootDir>/src/steps-guards.spec.ts', '<rootDir>/src/steps-switch.spec.ts', '<rootDir>/src/steps-plan.spec.ts', '<rootDir>/src/steps-settings.spec.ts'],
      },
      'aws-ports': { mutate: ['tools/migrate/src/aws-ports.ts'], tests: ['<rootDir>/src/aws-ports*.spec.ts'] },
    },
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
    // With every spec a mutant ran at 6 a minute (each spec file starts its own PostgreSQL).
    // The specs share one server (those that ask for settings it lacks, TLS, start their own).
    services: ['postgres'],
    parts: {
      engine: { mutate: ['tools/verify-data/src/engine.ts'], tests: ['<rootDir>/src/engine.spec.ts', '<rootDir>/src/engine-edges.spec.ts'] },
      // The engine's specs prove the catalog query (describeTables) and the hash of every
      // directly hashed type (hashTerm) on the shared server.
      schema: {
        mutate: ['tools/verify-data/src/schema.ts'],
        tests: ['<rootDir>/src/schema.spec.ts', '<rootDir>/src/schema-edges.spec.ts', '<rootDir>/src/engine-edges.spec.ts', '<rootDir>/src/engine.spec.ts'],
      },
      connection: { mutate: ['tools/verify-data/src/connection.ts'], tests: ['<rootDir>/src/connection.spec.ts', '<rootDir>/src/connection-edges.spec.ts', '<rootDir>/src/tls.spec.ts'] },
    },
    typeCheck: false,
  },
};

/**
 * The Stryker runs of a module: one per part, or one for the whole module (also when
 * STRYKER_MUTATE narrows it by hand). `only` picks one part by name.
 * @returns `{ part, mutate, tests }` for each run; `part` is undefined for a whole-module run.
 */
export function runsOf(name, env = process.env, only = undefined) {
  const module = MODULES[name];
  if (!module) throw new Error(`'${name}' is not a mutation module: expected one of ${Object.keys(MODULES).join(', ')}`);
  if (!module.parts || env.STRYKER_MUTATE) {
    if (only !== undefined) throw new Error(`${name}:${only}: ${module.parts ? 'STRYKER_MUTATE narrows the run by hand, so no part applies' : `module ${name} has no parts`}`);
    return [{ part: undefined, mutate: module.mutate, tests: module.tests }];
  }
  const names = Object.keys(module.parts);
  if (only !== undefined && !names.includes(only)) throw new Error(`'${name}:${only}' is not a part of ${name}: expected one of ${names.join(', ')}`);
  return names.filter((part) => only === undefined || part === only).map((part) => ({ part, ...module.parts[part] }));
}

/** Where a run writes its reports, incremental file and sandbox: STRYKER_REPORT_DIR or tmp/mutation/<module>, and <part> under it for a part. */
export function reportDirOf(name, env = process.env, part = undefined) {
  const base = env.STRYKER_REPORT_DIR || `tmp/mutation/${name}`;
  return part ? `${base}/${part}` : base;
}
