import { formatOf, parseSource } from './source';

describe('formatOf', () => {
  it.each([
    ['organisation.yaml', 'yaml'],
    ['organisation.yml', 'yaml'],
    ['ORGANISATION.YML', 'yaml'],
    ['organisation.json', 'json'],
    ['organisation.yaml.json', 'json'],
    ['organisation.yamlx', 'json'],
    ['organisation', 'json'],
  ])('%s is %s', (file, format) => {
    expect(formatOf(file)).toBe(format);
  });
});

describe('parseSource: JSON', () => {
  it('says which format it read, whether or not the text parses', () => {
    expect(parseSource('{"a": 1}').format).toBe('json');
    expect(parseSource('{"a": 1}', 'json').format).toBe('json');
    expect(parseSource('{').format).toBe('json');
    expect(parseSource('').format).toBe('json');
  });

  it.each([
    ['a trailing comma in an object', '{"a": 1,}', 9, "trailing comma: JSON allows no ',' before '}'"],
    ['a trailing comma in a list', '[1,]', 4, "trailing comma: JSON allows no ',' before ']'"],
    ['a trailing comma before a line break', '[1,\n\n]', { line: 3, column: 1 }, "trailing comma: JSON allows no ',' before ']'"],
    ['a key without quotes', '{ 1: 2 }', 3, 'expected a key in double quotes'],
    ['a missing value', '{"a": }', 7, 'expected a value'],
    ['a missing list item between commas', '[1, ,2]', 5, 'expected a value'],
    ['two commas in an object', '{"a":1,,}', 8, 'expected a key in double quotes'],
    ['a missing colon', '{"a" 1}', 6, "expected ':' after the key"],
    ['an unclosed object', '{"a": 1', 8, "expected '}' to close the object"],
    ['an unclosed list', '[1, 2', 6, "expected ']' to close the list"],
    ['text after the document', '{} {}', 4, 'unexpected text after the end of the document'],
    ['a number with a trailing dot', '{"a": 1.}', 7, 'unterminated number'],
    ['a bad escape', '{"a": "\\q"}', 7, 'invalid escape character'],
    ['a tab inside a string', '{"a": "x\ty"}', 7, 'control character inside a string (write \\n, \\t)'],
    ['a single-quoted value', "{\"a\": 'x'}", 7, 'keys and strings take double quotes in JSON'],
  ])('reports %s, only the first problem, with its position', (_name, text, where, message) => {
    const parsed = parseSource(text);
    const position = typeof where === 'number' ? { line: 1, column: where } : where;
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toEqual([{ path: '', position, message: `not valid JSON: ${message}` }]);
    expect(parsed.positions.size).toBe(0);
  });

  it('reports an empty file at 1:1', () => {
    expect(parseSource(' \n\t').problems).toEqual([{ path: '', position: { line: 1, column: 1 }, message: 'not valid JSON: the file is empty' }]);
  });

  it('locates nothing when the text did not parse (and does not loop)', () => {
    expect(parseSource('{').locate('a.b')).toBeUndefined();
    expect(parseSource('{').locate('')).toBeUndefined();
  });

  describe('locate', () => {
    const parsed = parseSource('\n  {\n    "a": { "y": 1 },\n    "l": [\n      7\n    ]\n  }');

    it('records the root and every key and list item', () => {
      expect([...parsed.positions]).toEqual([
        ['', { line: 2, column: 3 }],
        ['a', { line: 3, column: 5 }],
        ['a.y', { line: 3, column: 12 }],
        ['l', { line: 4, column: 5 }],
        ['l.0', { line: 5, column: 7 }],
      ]);
    });

    it('falls back to the nearest written ancestor, one level at a time', () => {
      expect(parsed.locate('a.x.y')).toEqual({ line: 3, column: 5 });
      expect(parsed.locate('l.3')).toEqual({ line: 4, column: 5 });
      expect(parsed.locate('zzz')).toEqual({ line: 2, column: 3 });
      expect(parsed.locate('zzz.y')).toEqual({ line: 2, column: 3 });
    });

    it('points a duplicate key at the last one written, the one JSON keeps', () => {
      const dup = parseSource('{\n"a": 1,\n"a": 2\n}');
      expect(dup.value).toEqual({ a: 2 });
      expect(dup.locate('a')).toEqual({ line: 3, column: 1 });
    });
  });
});

describe('parseSource: YAML', () => {
  it('says which format it read, whether or not the text parses', () => {
    expect(parseSource('a: 1', 'yaml').format).toBe('yaml');
    expect(parseSource('a: [1', 'yaml').format).toBe('yaml');
    expect(parseSource('', 'yaml').format).toBe('yaml');
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments only', '# nothing here\n\n# yet\n'],
  ])('reports %s at 1:1', (_name, text) => {
    const parsed = parseSource(text, 'yaml');
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toEqual([{ path: '', position: { line: 1, column: 1 }, message: 'not valid YAML: the file is empty' }]);
  });

  it('reports only the first problem, without the parser position in the message', () => {
    const parsed = parseSource('a: 1\na: 2\nb: 1\nb: 2\n', 'yaml');
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toEqual([{ path: '', position: { line: 2, column: 1 }, message: 'not valid YAML: Map keys must be unique' }]);
  });

  it('reports a syntax error with its message', () => {
    expect(parseSource('a:\n  b: 1\n c: 2\n', 'yaml').problems).toEqual([
      { path: '', position: { line: 3, column: 1 }, message: 'not valid YAML: All mapping items must start at the same column' },
    ]);
  });

  it('has no merge keys (YAML 1.2): << is an ordinary key, which the schema then rejects', () => {
    const parsed = parseSource('base: &b\n  x: 1\nm:\n  <<: *b\n  y: 2\n', 'yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.value).toEqual({ base: { x: 1 }, m: { '<<': { x: 1 }, y: 2 } });
  });

  it('resolves aliases without locating inside them', () => {
    const parsed = parseSource('base: &b\n  x: 1\ncopy: *b\n', 'yaml');
    expect(parsed.value).toEqual({ base: { x: 1 }, copy: { x: 1 } });
    expect(parsed.locate('copy.x')).toEqual({ line: 3, column: 1 });
  });

  it('records the root and every key and list item, also empty items and complex keys', () => {
    const parsed = parseSource('\n\nl:\n  -\n  - 1\n? [a, b]\n: 2\n', 'yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.value).toEqual({ l: [null, 1], '[ a, b ]': 2 });
    expect(parsed.positions.get('')).toEqual({ line: 3, column: 1 });
    expect(parsed.locate('l')).toEqual({ line: 3, column: 1 });
    expect(parsed.locate('l.1')).toEqual({ line: 5, column: 5 });
    expect(parsed.locate('zzz')).toEqual({ line: 3, column: 1 });
  });
});
