import { closest, editDistance } from './suggest';

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['a', 'a', 0],
    ['a', 'b', 1],
    ['abc', 'abc', 0],
    ['abc', 'xbc', 1],
    ['abc', 'abx', 1],
    ['abc', 'ab', 1],
    ['ab', 'abc', 1],
    ['bc', 'abc', 1],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    // A swapped pair of letters is one edit, at the start, in the middle and at the end.
    ['ab', 'ba', 1],
    ['abcd', 'bacd', 1],
    ['abcd', 'acbd', 1],
    ['abcd', 'abdc', 1],
    ['desiredCuont', 'desiredCount', 1],
    ['abcd', 'badc', 2],
    // Optimal string alignment edits no substring twice: 'ca' -> 'abc' is 3 (not 2).
    ['ca', 'abc', 3],
    ['aab', 'aba', 1],
    ['abb', 'bab', 1],
    ['abc', 'cba', 2],
    ['ab', 'bb', 1],
    ['ba', 'bb', 1],
  ])('%j -> %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closest', () => {
  it('offers the nearest candidate, ignoring case, and returns the candidate as written', () => {
    expect(closest('desiredCuont', ['minCount', 'desiredCount', 'maxCount'])).toBe('desiredCount');
    expect(closest('DEFAULTS', ['defaults', 'databases'])).toBe('defaults');
    expect(closest('vpccidr', ['vpcCidr'])).toBe('vpcCidr');
  });

  it('keeps the first of equally near candidates', () => {
    expect(closest('ab', ['ac', 'ad'])).toBe('ac');
    expect(closest('ab', ['ad', 'ac'])).toBe('ad');
  });

  it('allows one edit per three letters, at least one and at most three', () => {
    // 2 letters: 1 edit.
    expect(closest('ax', ['ab'])).toBe('ab');
    expect(closest('xy', ['ab'])).toBeUndefined();
    // 6 letters: 2 edits.
    expect(closest('abcdxy', ['abcdef'])).toBe('abcdef');
    expect(closest('abcxyz', ['abcdef'])).toBeUndefined();
    // 5 letters: still 1 edit.
    expect(closest('abcxy', ['abcde'])).toBeUndefined();
    // 9 letters: 3 edits.
    expect(closest('abcdefxyz', ['abcdefghi'])).toBe('abcdefghi');
    // 15 letters: still 3 edits, not 5.
    expect(closest('abcdefghijklxyz', ['abcdefghijklmno'])).toBe('abcdefghijklmno');
    expect(closest('abcdefghijkwxyz', ['abcdefghijklmno'])).toBeUndefined();
  });

  it('offers nothing without candidates', () => {
    expect(closest('anything', [])).toBeUndefined();
  });
});
