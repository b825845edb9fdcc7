/**
 * The plan as --dry-run and docs/migration-plan.md show it: every step's title and commands,
 * and those of its rollback, for both CDC engines and both tiers. The expected text is in
 * steps-plan.expected.txt; a change to the plan shows up there as a reviewed diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMigrationSteps, inertPorts } from './steps';
import { organisationWith } from './steps-test-support';

/* eslint-disable @typescript-eslint/no-explicit-any */
const variants: Record<string, (input: Record<string, any>) => void> = {
  example: () => undefined,
  // Two schemas, an own application role, and a service that stays on the legacy side of nothing (no legacy endpoint).
  'two schemas': (input) => {
    input['legacy'].databases[0].tables = ['public.%', 'audit.events'];
    input['legacy'].databases[0].appRole = 'ledger_app';
    input['services'].push({ ...input['services'][0], name: 'worker', hostname: 'worker', legacyEndpoint: undefined });
  },
  seed: (input) => {
    input['environments'].dev.overrides.migration.data = 'seed';
    input['databases'][0].seedFile = 'seeds/ledger.sql';
  },
};

const CASES = [
  ['dms', 'dev', 'example'],
  ['logical', 'dev', 'example'],
  ['dms', 'prod', 'example'],
  ['logical', 'staging', 'two schemas'],
  ['dms', 'dev', 'seed'],
] as const;

function render(engine: 'dms' | 'logical', environment: 'dev' | 'staging' | 'prod', variant: string): string[] {
  const organisation = organisationWith(engine, variants[variant]);
  const lines = [`=== ${engine} ${environment} ${variant}`];
  for (const step of buildMigrationSteps(organisation, organisation.environment(environment), inertPorts())) {
    lines.push(`## ${step.id} [${step.phase}] ${step.title}`, ...step.commands.map((c) => `   $ ${c}`));
    if (step.rollback) lines.push(`   undo: ${step.rollback.title}`, ...step.rollback.commands.map((c) => `   undo $ ${c}`));
    if (step.pointOfNoReturn) lines.push(`   no return: ${step.pointOfNoReturn}`);
  }
  return lines;
}

// Regenerate (after reviewing the change): WRITE_PLAN=1 npx jest -c tools/migrate/jest.config.cjs tools/migrate/src/steps-plan.spec.ts
if (process.env['WRITE_PLAN']) {
  writeFileSync(join(__dirname, 'steps-plan.expected.txt'), CASES.flatMap(([engine, environment, variant]) => render(engine, environment, variant)).join('\n') + '\n');
}

const section = (header: string) => {
  const expected = readFileSync(join(__dirname, 'steps-plan.expected.txt'), 'utf8').trimEnd().split('\n');
  const start = expected.indexOf(header);
  const end = expected.findIndex((line, i) => i > start && line.startsWith('=== '));
  return expected.slice(start, end === -1 ? undefined : end);
};

describe('the migration plan as shown before anything runs', () => {
  it.each(CASES)('%s engine, %s, %s', (engine, environment, variant) => {
    expect(render(engine, environment, variant)).toEqual(section(`=== ${engine} ${environment} ${variant}`));
  });
});
