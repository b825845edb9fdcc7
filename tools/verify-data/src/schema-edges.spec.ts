import { patternMatcher, planTable, qualifiedName, quoteIdent, selectTables, type ColumnShape, type TableShape } from './schema';

const column = (name: string, type: string, extra: Partial<ColumnShape> = {}): ColumnShape => ({
  name,
  type,
  baseType: type.replace(/\(.*\)$/, ''),
  collatable: ['text', 'character varying'].includes(type.replace(/\(.*\)$/, '')),
  hashable: true,
  ...extra,
});
const shape = (columns: ColumnShape[], key: string[] = ['id']): TableShape => ({ schema: 'public', name: 't', kind: 'r', columns, key, estimatedRows: 10, pages: 1 });

describe('quoteIdent and qualifiedName', () => {
  it('doubles every double quote', () => {
    expect(quoteIdent('plain')).toBe('"plain"');
    expect(quoteIdent('a"b"c')).toBe('"a""b""c"');
    expect(qualifiedName({ schema: 'My "S"', name: 't"' })).toBe('"My ""S"""."t"""');
  });
});

describe('patternMatcher, character by character', () => {
  it('trims the pattern and still reports it as given', () => {
    expect(patternMatcher('  ledger\t')('public.ledger')).toBe(true);
    expect(() => patternMatcher('.b')).toThrow(new Error("table pattern '.b' must be schema.table or table (with * or % as wildcards)"));
    expect(() => patternMatcher('a.')).toThrow(new Error("table pattern 'a.' must be schema.table or table (with * or % as wildcards)"));
    expect(() => patternMatcher('a..b')).toThrow(/must be schema.table or table/);
    expect(() => patternMatcher('a.b c')).toThrow(/must be schema.table or table/);
    expect(() => patternMatcher(' ')).toThrow(new Error("table pattern ' ' must be schema.table or table (with * or % as wildcards)"));
  });

  it.each([
    ['a+b', 'public.a+b', 'public.aab'],
    ['ab?', 'public.ab?', 'public.a'],
    ['a^b', 'public.a^b', 'public.b'],
    ['a$b', 'public.a$b', 'public.a'],
    ['a{2}', 'public.a{2}', 'public.aa'],
    ['f(x)', 'public.f(x)', 'public.fx'],
    ['a|b', 'public.a|b', 'public.a'],
    ['a[1]', 'public.a[1]', 'public.a1'],
    ['a\\d', 'public.a\\d', 'public.a1'],
    ['s.t', 's.t', 'sxt'],
  ])('takes %p literally', (pattern, matching, other) => {
    const matches = patternMatcher(pattern);
    expect([matches(matching), matches(other)]).toEqual([true, false]);
  });

  it('anchors the whole name and lets * and % match any run, including none', () => {
    expect(patternMatcher('led*')('public.ledger')).toBe(true);
    expect(patternMatcher('led*')('public.led')).toBe(true);
    expect(patternMatcher('led*')('xpublic.ledger')).toBe(false);
    expect(patternMatcher('%ger')('public.ledger')).toBe(true);
    expect(patternMatcher('%ger')('public.ledgers')).toBe(false);
    expect(patternMatcher('*.*')('a.b')).toBe(true);
    expect(patternMatcher('a*b%c')('public.a-b-c')).toBe(true);
  });
});

describe('selectTables, in the order of its rules', () => {
  it('applies include before exclude, matches any include, and dedupes and sorts by code point', () => {
    const all = ['public.b', 'public.B', 'x.a', 'public.b', 'public.a_1'];
    expect(selectTables(all)).toEqual(['public.B', 'public.a_1', 'public.b', 'x.a']);
    expect(selectTables(all, {})).toEqual(['public.B', 'public.a_1', 'public.b', 'x.a']);
    expect(selectTables(all, { include: ['b', 'x.*'] })).toEqual(['public.b', 'x.a']);
    expect(selectTables(all, { include: ['b', 'x.*'], exclude: ['x.a'] })).toEqual(['public.b']);
    expect(selectTables(all, { exclude: ['B', 'a_1'] })).toEqual(['public.b', 'x.a']);
    expect(selectTables(all, { include: ['nothing'] })).toEqual([]);
    expect(selectTables(new Set(['z.z', 'a.a']).values())).toEqual(['a.a', 'z.z']);
  });
});

describe('planTable, difference by difference', () => {
  it('lists missing and extra columns sorted by name, with their types, and plans only the common ones', () => {
    const source = shape([column('id', 'integer'), column('zeta', 'text'), column('alpha', 'date'), column('mid', 'numeric(5,2)')]);
    const target = shape([column('id', 'integer'), column('yank', 'boolean'), column('beta', 'bigint')]);
    const plan = planTable('public.t', source, target);
    expect(plan.schemaDifferences).toEqual([
      { kind: 'missing-column', column: 'alpha', source: 'date', message: 'column alpha (date) is missing in the target' },
      { kind: 'missing-column', column: 'mid', source: 'numeric(5,2)', message: 'column mid (numeric(5,2)) is missing in the target' },
      { kind: 'missing-column', column: 'zeta', source: 'text', message: 'column zeta (text) is missing in the target' },
      { kind: 'extra-column', column: 'beta', target: 'bigint', message: 'column beta (bigint) exists only in the target' },
      { kind: 'extra-column', column: 'yank', target: 'boolean', message: 'column yank (boolean) exists only in the target' },
    ]);
    expect(plan.columns.map((c) => c.name)).toEqual(['id']);
    expect(plan.keyed).toBe(true);
  });

  it('orders the common columns by name under C (upper case first), whatever their physical order', () => {
    const columns = [column('id', 'integer'), column('b', 'integer'), column('B', 'integer'), column('a', 'integer')];
    expect(planTable('public.t', shape(columns), shape([...columns].reverse())).columns.map((c) => c.name)).toEqual(['B', 'a', 'b', 'id']);
  });

  it('carries NOT NULL per side into the plan, for equal and differing types', () => {
    const plan = planTable(
      'public.t',
      shape([column('id', 'integer', { notNull: true }), column('n', 'integer', { notNull: true }), column('m', 'integer')]),
      shape([column('id', 'integer', { notNull: true }), column('n', 'bigint'), column('m', 'integer', { notNull: true })]),
    );
    expect(plan.columns.map((c) => [c.name, c.sourceNullable, c.targetNullable])).toEqual([
      ['id', false, false],
      ['m', true, false],
      ['n', false, true],
    ]);
  });

  it('compares the same base type by value only when it can be hashed, else as text', () => {
    const hashable = planTable('public.t', shape([column('id', 'integer'), column('v', 'bit(3)')]), shape([column('id', 'integer'), column('v', 'bit(4)')]));
    expect(hashable.columns[1]).toEqual({ name: 'v', sourceExpr: 't."v"', targetExpr: 't."v"', sourceType: 'bit', targetType: 'bit', sourceNullable: true, targetNullable: true });
    expect(hashable.schemaDifferences.map((d) => d.message)).toEqual(['column v is bit(3) in the source but bit(4) in the target (rows compared by value)']);

    const opaque = planTable('public.t', shape([column('id', 'integer'), column('v', 'geo(3)', { hashable: false })]), shape([column('id', 'integer'), column('v', 'geo(4)', { hashable: false })]));
    expect(opaque.columns[1]).toEqual({
      name: 'v',
      sourceExpr: 't."v"::text COLLATE "C"',
      targetExpr: 't."v"::text COLLATE "C"',
      sourceType: 'text',
      targetType: 'text',
      sourceNullable: true,
      targetNullable: true,
    });
    expect(opaque.schemaDifferences).toEqual([
      { kind: 'type', column: 'v', source: 'geo(3)', target: 'geo(4)', message: 'column v is geo(3) in the source but geo(4) in the target (rows compared as text)' },
    ]);
  });

  it('compares within a hash family by value, across integer and numeric as numeric, and any other pair as text', () => {
    const pairs: [string, string, string, string][] = [
      ['smallint', 'bigint', 'by value', 't."v"'],
      ['timestamp without time zone', 'timestamp with time zone', 'by value', 't."v"'],
      ['numeric(9,0)', 'smallint', 'as numeric', 't."v"::numeric'],
      ['bigint', 'numeric', 'as numeric', 't."v"::numeric'],
      ['integer', 'text', 'as text', 't."v"::text COLLATE "C"'],
      ['text', 'integer', 'as text', 't."v"::text COLLATE "C"'],
      ['real', 'numeric', 'as text', 't."v"::text COLLATE "C"'],
      ['text', 'uuid', 'as text', 't."v"::text COLLATE "C"'],
      ['double precision', 'bigint', 'as text', 't."v"::text COLLATE "C"'],
    ];
    for (const [from, to, how, targetExpr] of pairs) {
      const plan = planTable('public.t', shape([column('id', 'integer'), column('v', from)]), shape([column('id', 'integer'), column('v', to)]));
      expect([plan.schemaDifferences[0].message, plan.columns[1].targetExpr]).toEqual([`column v is ${from} in the source but ${to} in the target (rows compared ${how})`, targetExpr]);
    }
    const text = planTable('public.t', shape([column('id', 'integer'), column('v', 'character varying(9)')]), shape([column('id', 'integer'), column('v', 'text')]));
    expect(text.columns[1]).toMatchObject({ sourceExpr: 't."v" COLLATE "C"', targetExpr: 't."v" COLLATE "C"', sourceType: 'character varying', targetType: 'text' });
  });

  it('writes an unknown key column as ? and plans it as non-collatable text', () => {
    const plan = planTable('public.t', shape([column('id', 'integer')], ['ghost']), shape([column('id', 'integer')], ['ghost']));
    expect(plan.keyed).toBe(true);
    expect(plan.key).toEqual([{ name: 'ghost', type: 'text', collatable: false }]);
    const other = planTable('public.t', shape([column('id', 'integer')], ['ghost']), shape([column('id', 'integer')]));
    expect(other.schemaDifferences).toEqual([
      { kind: 'primary-key', source: '(ghost ?)', target: '(id integer)', message: 'primary keys differ: source (ghost ?), target (id integer); rows compared as a whole, not by key' },
    ]);
    expect(other.notes).toEqual([]);
  });

  it('names a primary key missing in the source, and keeps the source key for the report', () => {
    const plan = planTable('public.t', shape([column('id', 'integer')], []), shape([column('id', 'integer')]));
    expect(plan.keyed).toBe(false);
    expect(plan.key).toEqual([]);
    expect(plan.schemaDifferences.map((d) => d.message)).toEqual(['primary keys differ: source none, target (id integer); rows compared as a whole, not by key']);
    expect(plan.notes).toEqual([]);
    const composite = planTable('public.t', shape([column('a', 'text'), column('b', 'date')], ['b', 'a']), shape([column('a', 'text'), column('b', 'date')], ['b', 'a']));
    expect(composite.key).toEqual([
      { name: 'b', type: 'date', collatable: false },
      { name: 'a', type: 'text', collatable: true },
    ]);
    expect(composite.keyed).toBe(true);
  });

  it('notes a key collation difference only for a collatable key that is compared by key', () => {
    const same = planTable('public.t', shape([column('id', 'text', { collation: 'en-x-icu' })]), shape([column('id', 'text', { collation: 'en-x-icu' })]));
    expect(same.notes).toEqual([]);
    // Not collatable (a made-up shape with collations): nothing to note.
    const plain = planTable('public.t', shape([column('id', 'integer', { collation: 'C' })]), shape([column('id', 'integer', { collation: 'POSIX' })]));
    expect(plain.notes).toEqual([]);
    // Keys that differ are not compared by key: no collation note either.
    const unkeyed = planTable(
      'public.t',
      shape([column('id', 'text', { collation: 'C' }), column('x', 'integer')]),
      shape([column('id', 'text', { collation: 'en-x-icu' }), column('x', 'integer')], ['id', 'x']),
    );
    expect(unkeyed.keyed).toBe(false);
    expect(unkeyed.notes).toEqual([]);
    // A key column missing on the target side: its collation is undefined there.
    const second = planTable(
      'public.t',
      shape([column('id', 'integer'), column('code', 'text', { collation: 'C' })], ['id', 'code']),
      shape([column('id', 'integer'), column('code', 'text')], ['id', 'code']),
    );
    expect(second.notes).toEqual(['key code has collation C in the source and undefined in the target: ranges are compared under "C" on both sides']);
  });
});
