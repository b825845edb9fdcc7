import { parseSource } from './source';

describe('parseSource', () => {
  describe('JSON', () => {
    const text = ['{', '  "a": {', '    "b": "x",', '    "list": [', '      1,', '      { "c": true }', '    ]', '  },', '  "d": "e\\"q"', '}'].join('\n');

    it('maps keys and list items to line and column', () => {
      const parsed = parseSource(text);
      expect(parsed.value).toEqual({ a: { b: 'x', list: [1, { c: true }] }, d: 'e"q' });
      expect(parsed.locate('a.b')).toEqual({ line: 3, column: 5 });
      expect(parsed.locate('a.list.1.c')).toEqual({ line: 6, column: 9 });
      expect(parsed.locate('a.missing.deeper')).toEqual({ line: 2, column: 3 });
    });

    it.each([
      ['a trailing comma', '{\n  "a": 1,\n}', { line: 3, column: 1 }, "trailing comma: JSON allows no ',' before '}'"],
      ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', { line: 3, column: 3 }, "expected ',' between items"],
      ['a comment', '{\n  // accounts\n  "a": 1\n}', { line: 2, column: 3 }, 'comments are not allowed in JSON (use a .yaml file if you want comments)'],
      ['single quotes', "{\n  'a': 1\n}", { line: 2, column: 3 }, 'keys and strings take double quotes in JSON'],
      ['an unterminated string', '{\n  "a": "x\n}', { line: 2, column: 8 }, 'unterminated string (strings end on the same line, with a double quote)'],
      ['an empty file', '  \n', { line: 1, column: 1 }, 'the file is empty'],
    ])('reports %s with line and column', (_name, source, position, message) => {
      const parsed = parseSource(source);
      expect(parsed.value).toBeUndefined();
      expect(parsed.problems).toEqual([{ path: '', position, message: expect.stringContaining(message) }]);
    });

    it('accepts a UTF-8 byte-order mark', () => {
      const parsed = parseSource('\uFEFF{\n  "a": 1\n}');
      expect(parsed.problems).toEqual([]);
      expect(parsed.value).toEqual({ a: 1 });
      expect(parsed.locate('a')).toEqual({ line: 2, column: 3 });
    });

    it('reports a duplicate key at the second one, naming the first', () => {
      const parsed = parseSource('{\n  "a": { "x": 1 },\n  "b": 2,\n  "a": { "x": 3 }\n}');
      expect(parsed.problems).toEqual([
        { path: 'a', position: { line: 4, column: 3 }, message: "duplicate key 'a' (first at line 2); JSON would keep only this one and silently drop the other: remove one" },
      ]);
    });
  });

  describe('YAML', () => {
    const text = ['# the organisation', 'name: fintech', 'environments:', '  dev:', '    vpcCidr: 10.0.0.0/16', 'peering:', '  - between: [staging, dev]', '    ports: [443]'].join('\n');

    it('maps keys and list items to line and column', () => {
      const parsed = parseSource(text, 'yaml');
      expect(parsed.problems).toEqual([]);
      expect(parsed.value).toEqual({ name: 'fintech', environments: { dev: { vpcCidr: '10.0.0.0/16' } }, peering: [{ between: ['staging', 'dev'], ports: [443] }] });
      expect(parsed.locate('environments.dev.vpcCidr')).toEqual({ line: 5, column: 5 });
      expect(parsed.locate('peering.0.ports')).toEqual({ line: 8, column: 5 });
      expect(parsed.locate('peering.0.between.1')).toEqual({ line: 7, column: 24 });
    });

    it('keeps YAML 1.2 scalars: no is a string, a leading-zero id is a number (the schema then asks for quotes)', () => {
      expect(parseSource('a: no\nb: 012345678901\nc: "012345678901"', 'yaml').value).toEqual({ a: 'no', b: 12345678901, c: '012345678901' });
    });

    it('reports a duplicate key with its line and column', () => {
      const parsed = parseSource('a: 1\nb: 2\na: 3\n', 'yaml');
      expect(parsed.value).toBeUndefined();
      expect(parsed.problems).toEqual([{ path: '', position: { line: 3, column: 1 }, message: 'not valid YAML: Map keys must be unique' }]);
    });

    it('reports a syntax error with its line and column', () => {
      const parsed = parseSource('a:\n  b: 1\n c: 2\n', 'yaml');
      expect(parsed.value).toBeUndefined();
      expect(parsed.problems[0].position.line).toBe(3);
      expect(parsed.problems[0].message).toMatch(/^not valid YAML: /);
    });
  });
});
