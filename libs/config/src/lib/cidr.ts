/**
 * IPv4 CIDR arithmetic used by validation (overlap, RFC 1918) and by the network
 * lib (subnet carving). Pure functions over 32-bit unsigned integers.
 */
export interface Cidr {
  /** The block as written, normalised (e.g. `10.0.0.0/16`). */
  readonly text: string;
  /** First address as an unsigned 32-bit integer. */
  readonly network: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns an error string instead of throwing so callers can report it with context. */
export function parseCidr(text: string): Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return `'${text}' is not an IPv4 CIDR block (expected a.b.c.d/n)`;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) return `'${text}' has an octet above 255`;
  if (prefix > 32) return `'${text}' has a prefix length above 32`;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const network = (address & mask(prefix)) >>> 0;
  if (network !== address) {
    return `'${text}' has host bits set (the network address is ${formatAddress(network)}/${prefix})`;
  }
  return { text, network, prefix };
}

/** Like {@link parseCidr} but throws on invalid input: for values already validated. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function size(block: Cidr): number {
  return 2 ** (32 - block.prefix);
}

export function lastAddress(block: Cidr): number {
  return block.network + size(block) - 1;
}

export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.network <= inner.network && lastAddress(inner) <= lastAddress(outer);
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(cidr);

/** True when the whole block lies inside one RFC 1918 private range. */
export function isPrivate(block: Cidr): boolean {
  return RFC1918.some((range) => contains(range, block));
}

/**
 * The `index`-th sub-block of `newPrefix` inside `parent` (like Terraform's `cidrsubnet`).
 * Throws when the sub-block does not fit.
 */
export function subnet(parent: Cidr, newPrefix: number, index: number): Cidr {
  if (newPrefix < parent.prefix || newPrefix > 32) {
    throw new Error(`cannot carve a /${newPrefix} out of ${parent.text}`);
  }
  const count = 2 ** (newPrefix - parent.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`${parent.text} holds ${count} /${newPrefix} blocks; index ${index} is out of range`);
  }
  const network = parent.network + index * 2 ** (32 - newPrefix);
  return { text: `${formatAddress(network)}/${newPrefix}`, network, prefix: newPrefix };
}
