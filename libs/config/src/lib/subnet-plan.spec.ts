import { cidr, contains, overlaps, size } from './cidr';
import { AZ_SLOTS, planSubnets, SUBNET_TIERS, subnetPlanProblems, type SubnetPlan } from './subnet-plan';

function allSubnets(plan: SubnetPlan): string[] {
  return SUBNET_TIERS.flatMap((tier) => [...plan.tiers[tier]]);
}

describe('planSubnets', () => {
  it('carves a /16 into private /20, data /22 and public /24 subnets, one per AZ', () => {
    const plan = planSubnets('10.0.0.0/16', 2);
    expect(plan.tiers).toEqual({
      private: ['10.0.0.0/20', '10.0.16.0/20'],
      data: ['10.0.128.0/22', '10.0.132.0/22'],
      public: ['10.0.160.0/24', '10.0.161.0/24'],
    });
    expect(plan.tierBlocks).toEqual({ private: '10.0.0.0/17', data: '10.0.128.0/19', public: '10.0.160.0/21' });
  });

  it('spreads three AZs without moving the subnets of the first two', () => {
    const two = planSubnets('10.2.0.0/16', 2);
    const three = planSubnets('10.2.0.0/16', 3);
    for (const tier of SUBNET_TIERS) {
      expect(three.tiers[tier]).toHaveLength(3);
      expect(three.tiers[tier].slice(0, 2)).toEqual(two.tiers[tier]);
    }
    expect(three.tiers.private[2]).toBe('10.2.32.0/20');
    expect(three.tiers.data[2]).toBe('10.2.136.0/22');
    expect(three.tiers.public[2]).toBe('10.2.162.0/24');
  });

  it.each([2, 3, 6])('gives %i AZs non-overlapping subnets inside the VPC and inside their tier block', (azCount) => {
    const plan = planSubnets('10.1.0.0/16', azCount);
    const subnets = allSubnets(plan).map(cidr);
    expect(subnets).toHaveLength(3 * azCount);
    subnets.forEach((a, i) => {
      expect(contains(cidr('10.1.0.0/16'), a)).toBe(true);
      subnets.slice(i + 1).forEach((b) => expect(overlaps(a, b)).toBe(false));
    });
    for (const tier of SUBNET_TIERS) {
      const block = cidr(plan.tierBlocks[tier]);
      expect(size(block)).toBe(size(cidr(plan.tiers[tier][0])) * AZ_SLOTS);
      plan.tiers[tier].forEach((s) => expect(contains(block, cidr(s))).toBe(true));
    }
  });

  it('sizes subnets relative to a smaller VPC', () => {
    const plan = planSubnets('10.9.0.0/19', 2);
    expect(plan.prefixes).toEqual({ private: 23, data: 25, public: 27 });
    expect(plan.tiers.public).toEqual(['10.9.20.0/27', '10.9.20.32/27']);
  });

  it('honours explicit sizes and lays out the largest subnets first', () => {
    const plan = planSubnets('10.0.0.0/16', 2, { data: 20, private: 21, public: 26 });
    expect(plan.tiers).toEqual({
      data: ['10.0.0.0/20', '10.0.16.0/20'],
      private: ['10.0.128.0/21', '10.0.136.0/21'],
      public: ['10.0.192.0/26', '10.0.192.64/26'],
    });
    expect(subnetPlanProblems(plan)).toEqual([]);
  });

  it('rejects an AZ count outside 2..6', () => {
    expect(() => planSubnets('10.0.0.0/16', 1)).toThrow(/azCount 1 is not supported; expected an integer from 2 to 6/);
    expect(() => planSubnets('10.0.0.0/16', 7)).toThrow(/azCount 7/);
  });

  it('rejects a VPC CIDR that is not a network address', () => {
    expect(() => planSubnets('10.0.1.0/16', 2)).toThrow(/VPC CIDR: '10.0.1.0\/16' has host bits set/);
    expect(() => planSubnets('ten/16', 2)).toThrow(/'ten\/16' is not an IPv4 CIDR block/);
  });

  it('rejects subnets too small for AWS or for an ALB', () => {
    expect(() => planSubnets('10.0.0.0/22', 2)).toThrow(/public subnets of \/30 are too small; an ALB needs \/27 or larger/);
    expect(() => planSubnets('10.0.0.0/16', 2, { data: 29 })).toThrow(/data subnets of \/29 are too small; AWS's smallest subnet is \/28/);
  });

  it('rejects tiers that do not fit in the VPC, saying how much they need', () => {
    expect(() => planSubnets('10.0.0.0/16', 2, { private: 18 })).toThrow(
      /the private tier \(8 slots of \/18, from 10.0.0.0\) does not fit in 10.0.0.0\/16; the three tiers need 141312 addresses and the VPC has 65536/,
    );
    expect(() => planSubnets('10.0.0.0/16', 2, { public: 16 })).toThrow(/public subnets of \/16 do not fit in 10.0.0.0\/16; expected a prefix longer than \/16/);
  });
});

describe('subnetPlanProblems', () => {
  const good = planSubnets('10.0.0.0/16', 2);

  it('finds nothing wrong with a computed plan', () => {
    expect(subnetPlanProblems(good)).toEqual([]);
  });

  it('reports overlapping subnets, subnets outside the VPC and missing AZs', () => {
    const bad: SubnetPlan = {
      ...good,
      tiers: { public: ['10.0.0.0/24', '10.0.1.0/24'], private: ['10.0.0.0/20', '10.3.0.0/20'], data: ['10.0.128.0/22'] },
    };
    expect(subnetPlanProblems(bad)).toEqual([
      'private subnet 1 (10.0.0.0/20) overlaps public subnet 1 (10.0.0.0/24)',
      'private subnet 2 (10.3.0.0/20) is outside the VPC 10.0.0.0/16',
      'data tier has 1 subnet(s); expected one per AZ (2)',
    ]);
  });
});
