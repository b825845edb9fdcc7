import { cidr, contains, mask, overlaps, parseCidr, subnet } from './cidr';

// The edges of the CIDR arithmetic that overlap and range validation rely on: each case sits
// exactly on a boundary, so an off-by-one in a comparison changes its answer.
describe('CIDR boundaries', () => {
  it('accepts octets of 255 and prefixes of 32, refuses 256 and 33', () => {
    expect(parseCidr('255.255.255.255/32')).toEqual({ text: '255.255.255.255/32', network: 0xffffffff, prefix: 32 });
    expect(parseCidr('10.0.0.1/32')).toMatchObject({ prefix: 32 });
    expect(parseCidr('10.0.0.256/32')).toBe("'10.0.0.256/32' has an octet above 255");
    expect(parseCidr('10.0.0.0/33')).toBe("'10.0.0.0/33' has a prefix length above 32");
  });

  it('throws the parse problem from cidr() for a value that is not a block', () => {
    expect(() => cidr('10.0.0.0')).toThrow("'10.0.0.0' is not an IPv4 CIDR block (expected a.b.c.d/n)");
  });

  it('treats /0 as the whole address space', () => {
    expect(mask(0)).toBe(0);
    expect(mask(32)).toBe(0xffffffff);
    expect(parseCidr('0.0.0.0/0')).toEqual({ text: '0.0.0.0/0', network: 0, prefix: 0 });
    expect(parseCidr('10.0.0.0/0')).toBe("'10.0.0.0/0' has host bits set (the network address is 0.0.0.0/0)");
  });

  it('counts blocks that share only their first or last address as overlapping', () => {
    expect(overlaps(cidr('10.0.0.5/32'), cidr('10.0.0.4/31'))).toBe(true);
    expect(overlaps(cidr('10.0.0.4/31'), cidr('10.0.0.5/32'))).toBe(true);
    expect(overlaps(cidr('10.0.0.4/31'), cidr('10.0.0.6/31'))).toBe(false);
  });

  it('contains a block that ends exactly where the outer one ends', () => {
    expect(contains(cidr('10.0.0.0/16'), cidr('10.0.255.0/24'))).toBe(true);
    expect(contains(cidr('10.0.0.0/16'), cidr('10.0.0.0/16'))).toBe(true);
    expect(contains(cidr('10.0.0.0/16'), cidr('10.0.0.0/15'))).toBe(false);
  });

  it('carves sub-blocks from the parent prefix down to /32 and no further', () => {
    expect(subnet(cidr('10.0.0.0/16'), 16, 0).text).toBe('10.0.0.0/16');
    expect(subnet(cidr('10.0.0.0/30'), 32, 3).text).toBe('10.0.0.3/32');
    expect(() => subnet(cidr('10.0.0.0/16'), 15, 0)).toThrow(/^cannot carve a \/15 out of 10\.0\.0\.0\/16$/);
    expect(() => subnet(cidr('10.0.0.0/30'), 33, 0)).toThrow(/^cannot carve a \/33 out of 10\.0\.0\.0\/30$/);
  });

  it('takes only whole indexes inside the parent', () => {
    const parent = cidr('10.0.0.0/16');
    expect(subnet(parent, 24, 255).text).toBe('10.0.255.0/24');
    for (const index of [256, -1, 1.5]) {
      expect(() => subnet(parent, 24, index)).toThrow(`10.0.0.0/16 holds 256 /24 blocks; index ${index} is out of range`);
    }
  });
});
