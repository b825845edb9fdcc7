import { exampleOrganisationInput, Organisation } from '@estate/config';
import { buildMigrationSteps, inertPorts } from './steps';

/** The freeze budget and the rollback window come from the environment's `migration` settings. */
function titles(input: unknown, environment: 'dev' | 'prod', options = {}): string[] {
  const organisation = Organisation.fromInput(input as never);
  return buildMigrationSteps(organisation, organisation.environment(environment), inertPorts(), options).map((s) => s.title);
}

const find = (list: string[], start: string) => list.find((t) => t.startsWith(start)) ?? `no step starting '${start}' in: ${list.join(' | ')}`;

describe('migration settings in the step list', () => {
  it('uses the tier defaults: a 30 s budget everywhere, a 60 min window outside production and a day in it', () => {
    const dev = titles(exampleOrganisationInput(), 'dev');
    expect(find(dev, 'freeze writes')).toMatch(/; budget 30 s$/);
    expect(find(dev, 'switch ledger to the new database')).toContain('(rollback window 60 min)');
    expect(find(dev, 'after the rollback window')).toMatch(/^after the rollback window \(60 min\)/);
    const prod = titles(exampleOrganisationInput(), 'prod');
    expect(find(prod, 'switch ledger to the new database')).toContain('(rollback window 1440 min)');
  });

  it("takes an environment's overrides, and the runner's options over both", () => {
    const input = exampleOrganisationInput() as unknown as { environments: Record<string, Record<string, unknown>> };
    input.environments['dev'].overrides = { migration: { data: 'production-copy', freezeBudgetSeconds: 12, rollbackWindowMinutes: 5 } };
    const dev = titles(input, 'dev');
    expect(find(dev, 'freeze writes')).toMatch(/; budget 12 s$/);
    expect(find(dev, 'switch ledger to the new database')).toContain('(rollback window 5 min)');
    const forced = titles(input, 'dev', { freezeBudgetSeconds: 7, rollbackWindowMinutes: 0 });
    expect(find(forced, 'freeze writes')).toMatch(/; budget 7 s$/);
    expect(find(forced, 'switch ledger to the new database')).toContain('(rollback window 0 min)');
  });

  it('rejects a budget or window out of range in the config, naming the key', () => {
    const input = exampleOrganisationInput() as unknown as { environments: Record<string, Record<string, unknown>> };
    input.environments['staging'].overrides = { migration: { data: 'production-copy', freezeBudgetSeconds: 0 } };
    expect(() => Organisation.fromInput(input as never)).toThrow(/environments\.staging\.overrides\.migration\.freezeBudgetSeconds: is number 0; expected/);
  });
});
