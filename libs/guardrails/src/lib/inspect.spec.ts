import { blocks, bool, isExpression, isLiteralString, list, num, show } from './inspect';

describe('isExpression', () => {
  it.each([
    ['${aws_kms_key.k.arn}', true],
    ['arn:aws:s3:::${var.bucket}/*', true],
    ['arn:aws:s3:::bucket', false],
    ['$aws', false],
    ['', false],
    [42, false],
    [undefined, false],
    [['${aws_kms_key.k.arn}'], false],
  ])('%p: %s', (value, expected) => {
    expect(isExpression(value)).toBe(expected);
  });
});

describe('isLiteralString', () => {
  it.each([
    ['dev-data', true],
    ['a', true],
    ['', false],
    ['${var.name}', false],
    ['dev-${var.name}', false],
    [42, false],
    [null, false],
    [['dev-data'], false],
  ])('%p: %s', (value, expected) => {
    expect(isLiteralString(value)).toBe(expected);
  });
});

describe('blocks', () => {
  it('gives nothing for an absent block', () => {
    expect(blocks(undefined)).toEqual([]);
    expect(blocks(null)).toEqual([]);
  });

  it('gives a single block as a one-element list', () => {
    expect(blocks({ enabled: true })).toEqual([{ enabled: true }]);
  });

  it('keeps only the objects of a list', () => {
    expect(blocks([{ a: 1 }, null, undefined, 'text', 3, true, { b: 2 }])).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('gives nothing for a value that is not a block', () => {
    expect(blocks('${aws_x.y.block}')).toEqual([]);
    expect(blocks(0)).toEqual([]);
  });
});

describe('list', () => {
  it('gives nothing for an absent list', () => {
    // toStrictEqual: toEqual would take [undefined] for []
    expect(list(undefined)).toStrictEqual([]);
    expect(list(null)).toStrictEqual([]);
  });

  it('gives a single value as a one-element list, a list as it is', () => {
    expect(list('sg-1')).toStrictEqual(['sg-1']);
    expect(list(0)).toStrictEqual([0]);
    expect(list('')).toStrictEqual(['']);
    expect(list(['sg-1', null, 'sg-2'])).toStrictEqual(['sg-1', null, 'sg-2']);
  });
});

describe('bool', () => {
  it.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    ['TRUE', undefined],
    ['yes', undefined],
    [1, undefined],
    [0, undefined],
    ['${var.enabled}', undefined],
  ])('%p: %p', (value, expected) => {
    expect(bool(value)).toBe(expected);
  });
});

describe('num', () => {
  it.each([
    [7, 7],
    [0, 0],
    [-1.5, -1.5],
    ['7', 7],
    ['42', 42],
    ['0', 0],
    ['-3', -3],
    ['3.25', 3.25],
    ['-10.75', -10.75],
    [' 30 ', 30],
    ['\t14', 14],
  ])('reads %p as %p', (value, expected) => {
    expect(num(value)).toBe(expected);
  });

  it.each([undefined, null, true, '', ' ', '-', 'abc', 'abc12', '12abc', '1.', '.5', '1.2.3', '1e3', '0x10', '--1', '+1', '1 2', '${var.days}', [7], { days: 7 }])(
    'gives undefined for %p',
    (value) => {
      expect(num(value)).toBeUndefined();
    },
  );
});

describe('show', () => {
  it.each([
    [undefined, 'not set'],
    [null, 'not set'],
    ['dev-data', "'dev-data'"],
    ['', "''"],
    [30, '30'],
    [false, 'false'],
    [['a', 1], '["a",1]'],
    [{ days: 30 }, '{"days":30}'],
  ])('%p as %s', (value, expected) => {
    expect(show(value)).toBe(expected);
  });
});
