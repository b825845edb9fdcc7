import { DMS_ARTEFACT_TABLES, hashTerm, patternMatcher, planTable, selectTables, type ColumnShape, type TableShape } from './schema';

const column = (name: string, type: string, extra: Partial<ColumnShape> = {}): ColumnShape => ({
  name,
  type,
  baseType: type.replace(/\(.*\)$/, ''),
  collatable: ['text', 'character varying'].includes(type.replace(/\(.*\)$/, '')),
  hashable: true,
  ...extra,
});
const shape = (columns: ColumnShape[], key: string[] = ['id']): TableShape => ({ schema: 'public', name: 't', kind: 'r', columns, key, estimatedRows: 10, pages: 1 });

describe('patternMatcher', () => {
  it('reads schema.table and table (public) with * and % as wildcards, everything else literal', () => {
    expect(patternMatcher('ledger')('public.ledger')).toBe(true);
    expect(patternMatcher('ledger')('billing.ledger')).toBe(false);
    expect(patternMatcher('ledger')('public.ledgers')).toBe(false);
    expect(patternMatcher('billing.*')('billing.invoices')).toBe(true);
    expect(patternMatcher('public.%')('public.x')).toBe(true);
    expect(patternMatcher('public.%')('publicx.y')).toBe(false);
    expect(patternMatcher('*.awsdms_*')('public.awsdms_apply_exceptions')).toBe(true);
    // `_` and `.` are literal, unlike in SQL LIKE or a regular expression.
    expect(patternMatcher('*.awsdms_*')('public.awsdmsXapply')).toBe(false);
    expect(patternMatcher('a.b')('a.b')).toBe(true);
    expect(patternMatcher('a.b')('aXb.b')).toBe(false);
  });

  it('rejects patterns that are not schema.table or table', () => {
    expect(() => patternMatcher('a.b.c')).toThrow("table pattern 'a.b.c' must be schema.table or table (with * or % as wildcards)");
    expect(() => patternMatcher('')).toThrow(/must be schema.table or table/);
    expect(() => patternMatcher('a b')).toThrow(/must be schema.table or table/);
  });
});

describe('selectTables', () => {
  const all = ['public.b', 'public.a', 'billing.x', 'public.awsdms_status', 'public.a'];
  it('takes every table once, sorted, by default', () => {
    expect(selectTables(all)).toEqual(['billing.x', 'public.a', 'public.awsdms_status', 'public.b']);
  });
  it('keeps the included and drops the excluded', () => {
    expect(selectTables(all, { include: ['public.*'] })).toEqual(['public.a', 'public.awsdms_status', 'public.b']);
    expect(selectTables(all, { include: ['public.*', 'billing.x'], exclude: [...DMS_ARTEFACT_TABLES, 'b'] })).toEqual(['billing.x', 'public.a']);
    expect(selectTables(all, { exclude: ['*.*'] })).toEqual([]);
  });
});

describe('planTable', () => {
  it('hashes equal types natively, text byte for byte, and types without hash support as text', () => {
    const columns = [column('id', 'bigint'), column('name', 'text', { collation: 'en-x-icu' }), column('doc', 'json', { hashable: false })];
    const plan = planTable('public.t', shape(columns), shape(columns));
    expect(plan.schemaDifferences).toEqual([]);
    expect(plan.keyed).toBe(true);
    expect(plan.columns).toEqual([
      { name: 'doc', sourceExpr: 't."doc"::text COLLATE "C"', targetExpr: 't."doc"::text COLLATE "C"', sourceType: 'text', targetType: 'text', sourceNullable: true, targetNullable: true },
      { name: 'id', sourceExpr: 't."id"', targetExpr: 't."id"', sourceType: 'bigint', targetType: 'bigint', sourceNullable: true, targetNullable: true },
      { name: 'name', sourceExpr: 't."name" COLLATE "C"', targetExpr: 't."name" COLLATE "C"', sourceType: 'text', targetType: 'text', sourceNullable: true, targetNullable: true },
    ]);
    expect(plan.key).toEqual([{ name: 'id', type: 'bigint', collatable: false }]);
    expect(plan.notes).toEqual([]);
  });

  it('compares differing types by value where lossless, as numeric across integer and numeric, else as text', () => {
    const source = shape([column('id', 'integer'), column('a', 'numeric(12,1)'), column('b', 'integer'), column('c', 'real'), column('d', 'date'), column('e', 'character varying(5)')]);
    const target = shape([column('id', 'integer'), column('a', 'numeric(12,2)'), column('b', 'numeric(10,2)'), column('c', 'double precision'), column('d', 'timestamp without time zone'), column('e', 'text')]);
    const plan = planTable('public.t', source, target);
    expect(plan.schemaDifferences.map((d) => d.message)).toEqual([
      'column a is numeric(12,1) in the source but numeric(12,2) in the target (rows compared by value)',
      'column b is integer in the source but numeric(10,2) in the target (rows compared as numeric)',
      'column c is real in the source but double precision in the target (rows compared by value)',
      'column d is date in the source but timestamp without time zone in the target (rows compared as text)',
      'column e is character varying(5) in the source but text in the target (rows compared by value)',
    ]);
    expect(plan.columns.find((c) => c.name === 'b')).toEqual({ name: 'b', sourceExpr: 't."b"::numeric', targetExpr: 't."b"::numeric', sourceType: 'numeric', targetType: 'numeric', sourceNullable: true, targetNullable: true });
    expect(plan.columns.find((c) => c.name === 'd')).toEqual({ name: 'd', sourceExpr: 't."d"::text COLLATE "C"', targetExpr: 't."d"::text COLLATE "C"', sourceType: 'text', targetType: 'text', sourceNullable: true, targetNullable: true });
    expect(plan.columns.find((c) => c.name === 'e')).toEqual({ name: 'e', sourceExpr: 't."e" COLLATE "C"', targetExpr: 't."e" COLLATE "C"', sourceType: 'character varying', targetType: 'text', sourceNullable: true, targetNullable: true });
    expect(plan.schemaDifferences[0]).toEqual({ kind: 'type', column: 'a', source: 'numeric(12,1)', target: 'numeric(12,2)', message: expect.any(String) });
  });

  it('hashes common types with their own function, seeded by column position, NULL as a seeded constant', () => {
    expect(hashTerm('t."id"', 'integer', 1)).toBe('coalesce(hashint4extended(t."id", 1), 7046029254386353132)');
    expect(hashTerm('t."id"', 'integer', 1, false)).toBe('hashint4extended(t."id", 1)');
    expect(hashTerm('t."at"', 'timestamp with time zone', 2)).toBe(`coalesce(timestamp_hash_extended((t."at") AT TIME ZONE interval '0', 2), 7046029254386353133)`);
    expect(hashTerm('t."day"', 'date', 3)).toBe('hash_record_extended(ROW(t."day"), 3)');
  });

  it('notes a key collation that differs between the sides', () => {
    const plan = planTable('public.t', shape([column('id', 'text', { collation: 'C' })]), shape([column('id', 'text', { collation: 'en-x-icu' })]));
    expect(plan.keyed).toBe(true);
    expect(plan.key).toEqual([{ name: 'id', type: 'text', collatable: true }]);
    expect(plan.notes).toEqual(['key id has collation C in the source and en-x-icu in the target: ranges are compared under "C" on both sides']);
  });

  it('does not compare by key without a primary key, or when the keys differ in columns or types', () => {
    const none = planTable('public.t', shape([column('id', 'integer')], []), shape([column('id', 'integer')], []));
    expect(none.keyed).toBe(false);
    expect(none.schemaDifferences).toEqual([]);
    expect(none.notes).toEqual(['public.t has no primary key: compared as a whole (row count and content hash); differing rows cannot be located']);

    const oneSide = planTable('public.t', shape([column('id', 'integer')]), shape([column('id', 'integer')], []));
    expect(oneSide.keyed).toBe(false);
    expect(oneSide.schemaDifferences).toEqual([
      { kind: 'primary-key', source: '(id integer)', target: 'none', message: 'primary keys differ: source (id integer), target none; rows compared as a whole, not by key' },
    ]);

    const columns = [column('a', 'integer'), column('b', 'integer')];
    const order = planTable('public.t', shape(columns, ['a', 'b']), shape(columns, ['b', 'a']));
    expect(order.keyed).toBe(false);
    expect(order.schemaDifferences[0].message).toBe('primary keys differ: source (a integer, b integer), target (b integer, a integer); rows compared as a whole, not by key');

    const types = planTable('public.t', shape([column('id', 'integer')]), shape([column('id', 'bigint')]));
    expect(types.keyed).toBe(false);
    expect(types.schemaDifferences.map((d) => d.kind)).toEqual(['type', 'primary-key']);
  });
});
