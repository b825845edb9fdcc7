import { orderStacks, selectStacks, type ManifestStack } from './stack-order';

const stack = (name: string, ...dependencies: string[]): ManifestStack => ({
  name,
  dependencies,
  workingDirectory: `stacks/${name}`,
  synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
});

describe('orderStacks', () => {
  it('puts every stack after the stacks it depends on', () => {
    const ordered = orderStacks([
      stack('dev-cutover', 'dev-app'),
      stack('dev-app', 'dev-data'),
      stack('dev-observability', 'dev-app'),
      stack('dev-data', 'dev-network'),
      stack('dev-peering', 'dev-network'),
      stack('dev-network'),
    ]).map((s) => s.name);
    expect(ordered).toEqual(['dev-network', 'dev-data', 'dev-peering', 'dev-app', 'dev-cutover', 'dev-observability']);
  });

  it('rejects a cycle, naming the stacks in it', () => {
    expect(() => orderStacks([stack('a', 'b'), stack('b', 'a'), stack('c')])).toThrow('dependency cycle between stacks: a, b');
  });

  it('rejects a dependency on a stack outside the app', () => {
    expect(() => orderStacks([stack('dev-app', 'ops-registry')])).toThrow('stack dev-app depends on ops-registry, which is not in this app');
  });
});

describe('selectStacks', () => {
  const all = [stack('dev-network'), stack('dev-data')];

  it('selects by full name or by unit', () => {
    expect(selectStacks(all, ['data']).map((s) => s.name)).toEqual(['dev-data']);
    expect(selectStacks(all, ['dev-network']).map((s) => s.name)).toEqual(['dev-network']);
    expect(selectStacks(all, undefined)).toHaveLength(2);
  });

  it('rejects an unknown stack with the list of known ones', () => {
    expect(() => selectStacks(all, ['app'])).toThrow('--stack app: no such stack; this app has dev-network, dev-data');
  });
});
