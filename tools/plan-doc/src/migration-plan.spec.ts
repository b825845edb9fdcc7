import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { firstDifference, generatePlan } from './generate';
import { PLAN_PATH, renderMigrationPlan, type PlannedApp } from './migration-plan';
import { orderApps } from './project-order';

const node = (name: string, tags = ['type:app']) => ({ name, type: 'app' as const, data: { root: `apps/${name}`, sourceRoot: `apps/${name}/src`, tags } });
const dep = (source: string, target: string) => ({ source, target, type: 'implicit' });

describe('orderApps', () => {
  it('orders apps after their dependencies and ignores libraries', () => {
    const graph = {
      nodes: { prod: node('prod'), dev: node('dev'), ops: node('ops'), staging: node('staging'), config: node('config', ['type:construct']) },
      dependencies: { prod: [dep('prod', 'staging'), dep('prod', 'config')], staging: [dep('staging', 'dev')], dev: [dep('dev', 'ops')], ops: [], config: [] },
    };
    expect(orderApps(graph as never).map((a) => a.name)).toEqual(['ops', 'dev', 'staging', 'prod']);
    expect(orderApps(graph as never)[3].dependsOn).toEqual(['staging']);
  });

  it('rejects a cycle between apps, naming them', () => {
    const graph = { nodes: { a: node('a'), b: node('b') }, dependencies: { a: [dep('a', 'b')], b: [dep('b', 'a')] } };
    expect(() => orderApps(graph as never)).toThrow('dependency cycle between apps: a, b');
  });
});

describe('renderMigrationPlan', () => {
  const organisation = Organisation.fromInput(exampleOrganisationInput());
  const apps: PlannedApp[] = [
    { app: { name: 'ops', sourceRoot: 'apps/ops/src', dependsOn: [] }, stacks: [{ name: 'ops-shared', account: 'ops', accountId: '222222222222', dependsOn: [] }] },
    {
      app: { name: 'dev', sourceRoot: 'apps/dev/src', dependsOn: ['ops'] },
      stacks: [
        { name: 'dev-network', account: 'dev', accountId: '333333333333', dependsOn: [] },
        { name: 'dev-data', account: 'dev', accountId: '333333333333', dependsOn: ['dev-network'] },
      ],
    },
  ];

  it('draws the order as a Mermaid flowchart with stack and app edges', () => {
    const plan = renderMigrationPlan(organisation, apps);
    expect(plan).toContain('```mermaid\nflowchart LR');
    expect(plan).toContain('  dev_network --> dev_data');
    expect(plan).toContain('  ops ==> dev');
    expect(plan).toContain('| 2 | `dev` | ops | `dev-network` (dev) → `dev-data` (dev) |');
  });

  it('names the owner of each peering and every cutover step with its rollback', () => {
    const plan = renderMigrationPlan(organisation, apps);
    expect(plan).toContain('| staging ↔ dev (10.1.0.0/16 ↔ 10.0.0.0/16) | staging (`staging-peering`) | 443, 5432 |');
    expect(plan).toContain('| `traffic-50` | 50 | 50 | no alarm of the environment in ALARM (at 25%) | 300 s / 300 s / 900 s');
    expect(plan).toMatch(/\| 16 \| `finalize` \| finalize \|.*\*\*Point of no return\*\*/);
    expect(plan).toMatch(/\| 15 \| `switch-ledger` \| cutover \|.*switch ledger back to legacy without loss/);
    expect(plan).toContain('`npx nx run migrate:migrate -- --environment prod --confirm-prod`');
  });

  it("says what data each environment gets, and lists no CDC or switch for one that gets a seed", () => {
    const input = exampleOrganisationInput() as unknown as { environments: Record<string, { overrides: { migration: { data: string } } }>; databases: { seedFile?: string }[] };
    input.environments['dev'].overrides.migration.data = 'seed';
    input.databases[0].seedFile = 'seeds/ledger.sql';
    const plan = renderMigrationPlan(Organisation.fromInput(input as never), apps);
    const dev = plan.slice(plan.indexOf('### dev'), plan.indexOf('### staging'));
    expect(dev).toContain('· data: seed (`seeds/ledger.sql` into ledger), no slot, snapshot or CDC');
    expect(dev).toMatch(/\| `seed-ledger` \| data \| load seeds\/ledger\.sql into the new ledger in one transaction/);
    expect(dev).not.toContain('switch-ledger');
    expect(plan.slice(plan.indexOf('### staging'))).toContain('· data: production copy, slots `staging_ledger_dms`');
  });

  it('is deterministic', () => {
    expect(renderMigrationPlan(organisation, apps)).toBe(renderMigrationPlan(organisation, apps));
  });
});

describe(PLAN_PATH, () => {
  it('is what the generator produces (run `npx nx run plan-doc:migration-plan` when this fails)', async () => {
    const generated = await generatePlan();
    const committed = readFileSync(join(__dirname, '..', '..', '..', PLAN_PATH), 'utf8');
    if (committed !== generated) throw new Error(`${PLAN_PATH} is stale; first difference at ${firstDifference(generated, committed)}`);
  }, 90_000);
});
