import { cidr, contains, isPrivate, overlaps, parseCidr, subnet } from './cidr';

describe('cidr', () => {
  it('parses a block and normalises it', () => {
    const block = cidr('10.1.0.0/16');
    expect(block.prefix).toBe(16);
    expect(block.network).toBe((10 << 24) + (1 << 16));
  });

  it.each([
    ['10.0.0.0', /not an IPv4 CIDR/],
    ['10.0.0.256/16', /octet above 255/],
    ['10.0.0.0/33', /prefix length above 32/],
    ['10.0.1.0/16', /host bits set \(the network address is 10.0.0.0\/16\)/],
  ])('rejects %s', (text, message) => {
    expect(parseCidr(text)).toMatch(message);
  });

  it('detects overlap and containment', () => {
    expect(overlaps(cidr('10.0.0.0/16'), cidr('10.0.128.0/17'))).toBe(true);
    expect(overlaps(cidr('10.0.0.0/16'), cidr('10.1.0.0/16'))).toBe(false);
    expect(contains(cidr('10.0.0.0/8'), cidr('10.2.0.0/16'))).toBe(true);
    expect(contains(cidr('10.2.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
  });

  it('knows the RFC 1918 ranges', () => {
    expect(isPrivate(cidr('172.16.0.0/16'))).toBe(true);
    expect(isPrivate(cidr('192.168.10.0/24'))).toBe(true);
    expect(isPrivate(cidr('172.32.0.0/16'))).toBe(false);
    expect(isPrivate(cidr('8.8.0.0/16'))).toBe(false);
  });

  it('carves sub-blocks like cidrsubnet', () => {
    expect(subnet(cidr('10.2.0.0/16'), 20, 0).text).toBe('10.2.0.0/20');
    expect(subnet(cidr('10.2.0.0/16'), 20, 3).text).toBe('10.2.48.0/20');
    expect(() => subnet(cidr('10.2.0.0/16'), 20, 16)).toThrow(/holds 16 \/20 blocks; index 16 is out of range/);
    expect(() => subnet(cidr('10.2.0.0/16'), 12, 0)).toThrow(/cannot carve a \/12/);
  });
});
