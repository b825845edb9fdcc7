import { Construct } from 'constructs';
import { evaluate } from './engine';
import { securityGroupNotOpenToWorld } from './rules/vpc/security-group-not-open-to-world';
import { DEV, openSshGroup, testStack } from './rules/test-support';
import { suppressionsFor, suppressRules } from './suppressions';

function nestedOpenSsh() {
  const stack = testStack();
  const network = new Construct(stack, 'network');
  return { stack, network, sg: openSshGroup(network) };
}

describe('suppressionsFor', () => {
  it("gives the construct's own suppressions first, then each ancestor's, nearest first, in declaration order", () => {
    const { stack, network, sg } = nestedOpenSsh();
    suppressRules(stack, [{ id: 'MIG-VPC-1', reason: 'stack: sandbox for this spec' }]);
    suppressRules(network, [
      { id: 'MIG-VPC-1', reason: 'network: first' },
      { id: 'MIG-TAG-1', reason: 'network: second' },
    ]);
    suppressRules(sg, [{ id: 'MIG-VPC-1', reason: 'bastion: cutover weekend' }]);
    expect(suppressionsFor(sg)).toEqual([
      { id: 'MIG-VPC-1', reason: 'bastion: cutover weekend' },
      { id: 'MIG-VPC-1', reason: 'network: first' },
      { id: 'MIG-TAG-1', reason: 'network: second' },
      { id: 'MIG-VPC-1', reason: 'stack: sandbox for this spec' },
    ]);
    expect(suppressionsFor(network)).toEqual([
      { id: 'MIG-VPC-1', reason: 'network: first' },
      { id: 'MIG-TAG-1', reason: 'network: second' },
      { id: 'MIG-VPC-1', reason: 'stack: sandbox for this spec' },
    ]);
  });

  it('leaves out suppressions declared on siblings and descendants', () => {
    const { stack, network, sg } = nestedOpenSsh();
    const sibling = new Construct(stack, 'other');
    suppressRules(sibling, [{ id: 'MIG-VPC-1', reason: 'sibling: not ours' }]);
    suppressRules(sg, [{ id: 'MIG-VPC-1', reason: 'bastion: cutover weekend' }]);
    expect(suppressionsFor(network)).toEqual([]);
    expect(suppressionsFor(stack)).toEqual([]);
  });

  it('makes the nearest suppression give the reason a finding is suppressed with', () => {
    const { stack, sg } = nestedOpenSsh();
    suppressRules(stack, [{ id: 'MIG-VPC-1', reason: 'stack: sandbox for this spec' }]);
    suppressRules(sg, [{ id: 'MIG-VPC-1', reason: 'bastion: cutover weekend' }]);
    expect(evaluate(stack, DEV, [securityGroupNotOpenToWorld]).suppressed.map((s) => s.reason)).toEqual(['bastion: cutover weekend']);
  });
});
