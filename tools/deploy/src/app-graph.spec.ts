import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { APPS, appDependencies, appsFor } from './app-graph';

const workspaceRoot = join(__dirname, '..', '..', '..');
const example = Organisation.fromInput(exampleOrganisationInput());

describe('appDependencies', () => {
  it('puts bootstrap before ops, ops before each environment, and a peering owner after its peer', () => {
    expect(appDependencies(example)).toEqual({
      'backend-bootstrap': [],
      ops: ['backend-bootstrap'],
      dev: ['ops'],
      staging: ['ops', 'dev'],
      prod: ['ops'],
    });
  });

  it('has no promotion order: prod does not depend on staging or dev', () => {
    expect(appsFor('prod', appDependencies(example))).toEqual(['backend-bootstrap', 'ops', 'prod']);
  });

  it('follows a peering the organisation adds', () => {
    const input = exampleOrganisationInput();
    const withProdPeering = Organisation.fromInput({ ...input, peering: [...input.peering, { between: ['prod', 'staging'], ports: [443], reason: 'test' }] });
    expect(appDependencies(withProdPeering).prod).toEqual(['ops', 'staging']);
  });

  it('matches implicitDependencies in every apps/*/project.json, so nx graph shows the real order', () => {
    const deps = appDependencies(example);
    for (const app of APPS) {
      const project = JSON.parse(readFileSync(join(workspaceRoot, 'apps', app, 'project.json'), 'utf8')) as { implicitDependencies?: string[] };
      const declared = (project.implicitDependencies ?? []).filter((d) => (APPS as readonly string[]).includes(d)).sort();
      expect({ app, dependsOn: declared }).toEqual({ app, dependsOn: [...deps[app]].sort() });
    }
  });
});

describe('appsFor', () => {
  it('lists an app after everything it depends on', () => {
    expect(appsFor('staging', appDependencies(example))).toEqual(['backend-bootstrap', 'ops', 'dev', 'staging']);
  });

  it('rejects an unknown app, naming the known ones', () => {
    expect(() => appsFor('qa', appDependencies(example))).toThrow("unknown app 'qa': expected one of backend-bootstrap, ops, dev, staging, prod");
  });

  it('rejects a cycle', () => {
    expect(() => appsFor('a', { a: ['b'], b: ['a'] })).toThrow('dependency cycle between apps: a -> b -> a');
  });
});
