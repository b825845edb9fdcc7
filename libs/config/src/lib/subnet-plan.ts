import { contains, formatAddress, overlaps, parseCidr, size, type Cidr } from './cidr';

/** The three subnet tiers every VPC gets. */
export type SubnetTier = 'public' | 'private' | 'data';

/** In the order they are described to people. */
export const SUBNET_TIERS: readonly SubnetTier[] = ['public', 'private', 'data'];

/** Availability zones a VPC may span (the organisation model allows 2..6). */
export const MIN_AZS = 2;
export const MAX_AZS = 6;

/**
 * Slots reserved per tier, whatever the AZ count: growing from 2 to 3 AZs adds subnets
 * without moving the existing ones (a moved CIDR means a replaced subnet), and each
 * tier stays one power-of-two block that a route or rule can name as a single CIDR.
 */
export const AZ_SLOTS = 8;

/** AWS's smallest subnet. */
export const SMALLEST_SUBNET_PREFIX = 28;
/** An ALB needs a /27 or larger in each of its subnets (8 free addresses to scale). */
export const SMALLEST_PUBLIC_SUBNET_PREFIX = 27;

/** Prefix length of one subnet in each tier. */
export interface SubnetPrefixes {
  readonly public: number;
  readonly private: number;
  readonly data: number;
}

/**
 * The default sizes, relative to the VPC: for a /16, private /20 (4,091 usable addresses
 * per AZ: Fargate tasks take one each), data /22 (RDS, DMS endpoints), public /24 (ALB
 * nodes and NAT gateways).
 */
export function defaultSubnetPrefixes(vpcPrefix: number): SubnetPrefixes {
  return { private: vpcPrefix + 4, data: vpcPrefix + 6, public: vpcPrefix + 8 };
}

/** The computed CIDRs: `tiers[tier][i]` is the subnet of that tier in AZ `i`. */
export interface SubnetPlan {
  readonly vpcCidr: string;
  readonly azCount: number;
  readonly prefixes: SubnetPrefixes;
  /** The block each tier reserves (AZ_SLOTS subnets), e.g. private `10.0.0.0/17`. */
  readonly tierBlocks: Readonly<Record<SubnetTier, string>>;
  readonly tiers: Readonly<Record<SubnetTier, readonly string[]>>;
}

/**
 * Carves the VPC into the three tiers: tiers are laid out largest subnets first (so every
 * block stays aligned), each reserving {@link AZ_SLOTS} subnets, and AZ `i` takes slot `i`.
 *
 * For `10.0.0.0/16` and the default sizes:
 *   private 10.0.0.0/17   → 10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20, ...
 *   data    10.0.128.0/19 → 10.0.128.0/22, 10.0.132.0/22, ...
 *   public  10.0.160.0/21 → 10.0.160.0/24, 10.0.161.0/24, ...
 *   10.0.168.0 - 10.0.255.255 stays free.
 *
 * @throws naming the value and what was expected, when the input cannot give a valid plan.
 */
export function planSubnets(vpcCidr: string, azCount: number, prefixes: Partial<SubnetPrefixes> = {}): SubnetPlan {
  const parsed = parseCidr(vpcCidr);
  if (typeof parsed === 'string') throw new Error(`VPC CIDR: ${parsed}`);
  const vpc = parsed;
  const wanted: SubnetPrefixes = { ...defaultSubnetPrefixes(vpc.prefix), ...prefixes };

  const rules: { readonly when: boolean; readonly message: string }[] = [
    {
      when: !Number.isInteger(azCount) || azCount < MIN_AZS || azCount > MAX_AZS,
      message: `azCount ${azCount} is not supported; expected an integer from ${MIN_AZS} to ${MAX_AZS}`,
    },
    ...SUBNET_TIERS.flatMap((tier) => {
      const prefix = wanted[tier];
      const smallest = tier === 'public' ? SMALLEST_PUBLIC_SUBNET_PREFIX : SMALLEST_SUBNET_PREFIX;
      return [
        {
          when: !Number.isInteger(prefix) || prefix <= vpc.prefix,
          message: `${tier} subnets of /${prefix} do not fit in ${vpc.text}; expected a prefix longer than /${vpc.prefix}`,
        },
        {
          when: Number.isInteger(prefix) && prefix > smallest,
          message:
            tier === 'public'
              ? `public subnets of /${prefix} are too small; an ALB needs /${smallest} or larger`
              : `${tier} subnets of /${prefix} are too small; AWS's smallest subnet is /${smallest}`,
        },
      ];
    }),
  ];
  const problems = rules.filter((r) => r.when).map((r) => r.message);
  if (problems.length > 0) throw new Error(`Subnet plan for ${vpc.text}: ${problems.join('; ')}`);

  // Largest subnets first keeps each tier block aligned to its own size.
  const order = [...SUBNET_TIERS].sort((a, b) => wanted[a] - wanted[b] || tierRank(a) - tierRank(b));
  let cursor = vpc.network;
  const tierBlocks = {} as Record<SubnetTier, string>;
  const tiers = {} as Record<SubnetTier, string[]>;
  const vpcEnd = vpc.network + size(vpc);
  for (const tier of order) {
    const subnetSize = 2 ** (32 - wanted[tier]);
    const blockSize = subnetSize * AZ_SLOTS;
    cursor = Math.ceil((cursor - vpc.network) / blockSize) * blockSize + vpc.network;
    if (cursor + blockSize > vpcEnd) {
      const needed = order.reduce((sum, t) => sum + 2 ** (32 - wanted[t]) * AZ_SLOTS, 0);
      throw new Error(
        `Subnet plan for ${vpc.text}: the ${tier} tier (${AZ_SLOTS} slots of /${wanted[tier]}, from ${formatAddress(cursor)}) does not fit in ${vpc.text}; ` +
          `the three tiers need ${needed} addresses and the VPC has ${size(vpc)}: choose smaller subnets or a larger VPC`,
      );
    }
    const blockPrefix = wanted[tier] - Math.log2(AZ_SLOTS);
    tierBlocks[tier] = `${formatAddress(cursor)}/${blockPrefix}`;
    tiers[tier] = Array.from({ length: azCount }, (_, i) => `${formatAddress(cursor + i * subnetSize)}/${wanted[tier]}`);
    cursor += blockSize;
  }

  const plan: SubnetPlan = { vpcCidr: vpc.text, azCount, prefixes: wanted, tierBlocks, tiers };
  const invalid = subnetPlanProblems(plan);
  if (invalid.length > 0) throw new Error(`Subnet plan for ${vpc.text} is invalid: ${invalid.join('; ')}`);
  return plan;
}

/**
 * Everything wrong with a plan (however it was made): each subnet parses, lies inside the
 * VPC, is no smaller than AWS allows, each tier has one subnet per AZ, and no two overlap.
 * `planSubnets` runs it on its own result; it is exported for plans written by hand.
 */
export function subnetPlanProblems(plan: SubnetPlan): string[] {
  const problems: string[] = [];
  const vpc = parseCidr(plan.vpcCidr);
  if (typeof vpc === 'string') return [`VPC CIDR: ${vpc}`];
  const all: { readonly label: string; readonly block: Cidr }[] = [];
  for (const tier of SUBNET_TIERS) {
    const subnets = plan.tiers[tier] ?? [];
    if (subnets.length !== plan.azCount) {
      problems.push(`${tier} tier has ${subnets.length} subnet(s); expected one per AZ (${plan.azCount})`);
    }
    subnets.forEach((text, i) => {
      const label = `${tier} subnet ${i + 1} (${text})`;
      const block = parseCidr(text);
      if (typeof block === 'string') {
        problems.push(`${label}: ${block}`);
        return;
      }
      if (!contains(vpc, block)) problems.push(`${label} is outside the VPC ${vpc.text}`);
      const smallest = tier === 'public' ? SMALLEST_PUBLIC_SUBNET_PREFIX : SMALLEST_SUBNET_PREFIX;
      if (block.prefix > smallest) problems.push(`${label} is smaller than /${smallest}`);
      const clash = all.find((other) => overlaps(other.block, block));
      if (clash) problems.push(`${label} overlaps ${clash.label}`);
      all.push({ label, block });
    });
  }
  return problems;
}

function tierRank(tier: SubnetTier): number {
  return ['private', 'data', 'public'].indexOf(tier);
}
