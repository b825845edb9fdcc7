import { snapshotIdentifierFor } from './cutover';
import { lineOf, locateJsonPaths } from './json-locate';
import { Naming } from './naming';
import { mergeSettings } from './settings';
import { planSubnets } from './subnet-plan';

describe('mergeSettings', () => {
  it('merges objects, replaces lists and scalars (null too), and skips what a layer leaves undefined', () => {
    const base = { group: { a: 1, b: 2 }, list: [1, 2, 3], scalar: 'x', nested: { deep: { c: 3 } }, replaced: { d: 4 } as unknown };
    const merged = mergeSettings(base, undefined, { group: { b: 20 }, list: [9], nested: { deep: {} } }, { scalar: undefined, group: { a: undefined }, replaced: null });
    expect(merged).toEqual({ group: { a: 1, b: 20 }, list: [9], scalar: 'x', nested: { deep: { c: 3 } }, replaced: null });
    expect(Array.isArray(merged.list)).toBe(true);
    expect(Object.keys(merged)).toEqual(['group', 'list', 'scalar', 'nested', 'replaced']);
  });

  it('replaces an object with a list', () => {
    expect(mergeSettings({ a: { x: 1 } as unknown }, { a: [1, 2] })).toEqual({ a: [1, 2] });
  });

  it('leaves the base untouched', () => {
    const base = { group: { a: 1 } };
    mergeSettings(base, { group: { a: 2 } });
    expect(base).toEqual({ group: { a: 1 } });
  });
});

describe('Naming.resource at the AWS limit', () => {
  it('accepts a name of exactly the limit and rejects one character more', () => {
    expect(new Naming('dev', 'abcdefgh').resource('alb', `${'x'.repeat(15)}-alb`)).toHaveLength(32);
    expect(() => new Naming('dev', 'abcdefgh').resource('alb', `${'x'.repeat(16)}-alb`)).toThrow(
      `alb name 'dev-abcdefgh-${'x'.repeat(16)}-alb' is 33 characters; AWS allows at most 32: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${'x'.repeat(16)}-alb'`,
    );
  });

  it('without a suffix, says to shorten the name only', () => {
    const name = 'x'.repeat(30);
    expect(() => new Naming('staging').resource('target-group', name)).toThrow(
      new Error(`target-group name 'staging-${name}' is 38 characters; AWS allows at most 32: shorten '${name}'`),
    );
  });
});

describe('locateJsonPaths and lineOf', () => {
  const text = '{\n  "a": {\n    "y": 1\n  }\n}';

  it('maps every written path, not the document root, to its line', () => {
    expect([...locateJsonPaths(text)]).toEqual([
      ['a', 2],
      ['a.y', 3],
    ]);
  });

  it('falls back one level at a time', () => {
    const lines = locateJsonPaths(text);
    expect(lineOf(lines, 'a.x.y')).toBe(2);
    expect(lineOf(lines, 'a.y')).toBe(3);
  });
});

describe('snapshotIdentifierFor', () => {
  it("is the legacy snapshot identifier and the environment's qualifier", () => {
    expect(snapshotIdentifierFor({ snapshotIdentifier: 'legacy-ledger-premigration' }, 'dev-pr42')).toBe('legacy-ledger-premigration-dev-pr42');
  });
});

describe('planSubnets with equal subnet sizes', () => {
  it('lays the tiers out private, data, public', () => {
    expect(planSubnets('10.0.0.0/16', 2, { private: 24, data: 24, public: 24 }).tierBlocks).toEqual({
      private: '10.0.0.0/21',
      data: '10.0.8.0/21',
      public: '10.0.16.0/21',
    });
  });
});
