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

describe('planSubnets at its limits', () => {
  it('accepts tiers that fill the VPC to its last address', () => {
    // 8 × /20 + 8 × /21 + 8 × /21 = 32768 + 16384 + 16384 = the whole /16.
    const plan = planSubnets('10.0.0.0/16', 2, { private: 20, data: 21, public: 21 });
    expect(plan.tierBlocks).toEqual({ private: '10.0.0.0/17', data: '10.0.128.0/18', public: '10.0.192.0/18' });
    expect(() => planSubnets('10.0.0.0/16', 2, { private: 20, data: 21, public: 20 })).toThrow(
      /the data tier \(8 slots of \/21, from 10.1.0.0\) does not fit in 10.0.0.0\/16; the three tiers need 81920 addresses and the VPC has 65536/,
    );
  });

  it('orders tiers of the same size private, data, public', () => {
    const plan = planSubnets('10.0.0.0/16', 2, { private: 21, data: 21, public: 21 });
    expect(plan.tierBlocks).toEqual({ private: '10.0.0.0/18', data: '10.0.64.0/18', public: '10.0.128.0/18' });
  });

  it('accepts the smallest subnets AWS and an ALB allow, and nothing smaller', () => {
    const plan = planSubnets('10.0.0.0/16', 2, { private: 28, data: 28, public: 27 });
    expect(plan.tiers.public).toEqual(['10.0.0.0/27', '10.0.0.32/27']);
    expect(plan.tiers.private).toEqual(['10.0.1.0/28', '10.0.1.16/28']);
    expect(() => planSubnets('10.0.0.0/16', 2, { public: 28 })).toThrow(/^Subnet plan for 10.0.0.0\/16: public subnets of \/28 are too small; an ALB needs \/27 or larger$/);
    expect(() => planSubnets('10.0.0.0/16', 2, { private: 29 })).toThrow(/^Subnet plan for 10.0.0.0\/16: private subnets of \/29 are too small; AWS's smallest subnet is \/28$/);
  });

  it('rejects a prefix that is not an integer without calling it too small', () => {
    expect(() => planSubnets('10.0.0.0/16', 2, { data: 22.5 })).toThrow(
      /^Subnet plan for 10.0.0.0\/16: data subnets of \/22.5 do not fit in 10.0.0.0\/16; expected a prefix longer than \/16$/,
    );
    expect(() => planSubnets('10.0.0.0/16', 2, { private: 15 })).toThrow(/private subnets of \/15 do not fit in 10.0.0.0\/16/);
  });

  it('accepts 2 and 6 AZs and rejects a fractional count', () => {
    expect(planSubnets('10.0.0.0/16', 2).azCount).toBe(2);
    expect(planSubnets('10.0.0.0/16', 6).tiers.data).toHaveLength(6);
    expect(() => planSubnets('10.0.0.0/16', 2.5)).toThrow(/^Subnet plan for 10.0.0.0\/16: azCount 2.5 is not supported; expected an integer from 2 to 6$/);
  });

  it('reports every problem with the input at once', () => {
    expect(() => planSubnets('10.0.0.0/16', 9, { data: 30, public: 16 })).toThrow(
      'Subnet plan for 10.0.0.0/16: azCount 9 is not supported; expected an integer from 2 to 6; ' +
        'public subnets of /16 do not fit in 10.0.0.0/16; expected a prefix longer than /16; ' +
        "data subnets of /30 are too small; AWS's smallest subnet is /28",
    );
  });
});

describe('subnetPlanProblems on hand-written plans', () => {
  const good = planSubnets('10.0.0.0/16', 2);

  it('reports an unparsable VPC CIDR and nothing else', () => {
    expect(subnetPlanProblems({ ...good, vpcCidr: '10.0.0.0/33' })).toEqual(["VPC CIDR: '10.0.0.0/33' has a prefix length above 32"]);
  });

  it('reports an unparsable subnet and goes on with the others', () => {
    const bad: SubnetPlan = { ...good, tiers: { ...good.tiers, data: ['10.0.128.0/22', 'nonsense'], public: ['10.0.160.0/24', '10.0.0.0/24'] } };
    expect(subnetPlanProblems(bad)).toEqual([
      'private subnet 1 (10.0.0.0/20) overlaps public subnet 2 (10.0.0.0/24)',
      expect.stringMatching(/^data subnet 2 \(nonsense\): 'nonsense' is not an IPv4 CIDR block/),
    ]);
  });

  it('reports subnets smaller than their tier allows, and accepts the smallest allowed', () => {
    const bad: SubnetPlan = {
      ...good,
      tiers: { private: ['10.0.0.0/28', '10.0.0.16/29'], data: ['10.0.128.0/28', '10.0.128.16/28'], public: ['10.0.160.0/27', '10.0.160.32/28'] },
    };
    expect(subnetPlanProblems(bad)).toEqual(['public subnet 2 (10.0.160.32/28) is smaller than /27', 'private subnet 2 (10.0.0.16/29) is smaller than /28']);
  });

  it('accepts a subnet that ends at the last address of the VPC, not one past it', () => {
    const edge: SubnetPlan = { ...good, tiers: { ...good.tiers, public: ['10.0.160.0/24', '10.0.255.0/24'] } };
    expect(subnetPlanProblems(edge)).toEqual([]);
    const past: SubnetPlan = { ...good, tiers: { ...good.tiers, public: ['10.0.160.0/24', '10.1.0.0/24'] } };
    expect(subnetPlanProblems(past)).toEqual(['public subnet 2 (10.1.0.0/24) is outside the VPC 10.0.0.0/16']);
  });

  it('reports a tier that is missing or has more subnets than AZs', () => {
    const missing = { ...good, tiers: { private: good.tiers.private, data: [...good.tiers.data, '10.0.136.0/22'] } } as unknown as SubnetPlan;
    expect(subnetPlanProblems(missing)).toEqual(['public tier has 0 subnet(s); expected one per AZ (2)', 'data tier has 3 subnet(s); expected one per AZ (2)']);
  });
});
