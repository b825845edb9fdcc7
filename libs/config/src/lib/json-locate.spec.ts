import { lineOf, locateJsonPaths } from './json-locate';

describe('locateJsonPaths', () => {
  const text = ['{', '  "a": {', '    "b": "x",', '    "list": [', '      1,', '      { "c": true }', '    ]', '  },', '  "d": "e\\"q"', '}'].join('\n');

  it('maps nested keys and list items to their lines', () => {
    const lines = locateJsonPaths(text);
    expect(lines.get('a')).toBe(2);
    expect(lines.get('a.b')).toBe(3);
    expect(lines.get('a.list.0')).toBe(5);
    expect(lines.get('a.list.1.c')).toBe(6);
    expect(lines.get('d')).toBe(9);
  });

  it('falls back to the nearest written ancestor', () => {
    const lines = locateJsonPaths(text);
    expect(lineOf(lines, 'a.missing.deeper')).toBe(2);
    expect(lineOf(lines, 'nothing')).toBeUndefined();
  });
});
