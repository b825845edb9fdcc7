import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Testing, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { evaluate, stackView } from '../engine';
import type { GuardrailContext, Rule, RuleResult } from '../types';

/** The context rule specs run in unless they say otherwise: dev, non-production, account 111111111111. */
export const DEV: GuardrailContext = {
  environment: 'dev',
  tier: 'non-production',
  namePrefix: 'dev-',
  requiredTagKeys: ['Environment', 'Team', 'CostCenter'],
  accountId: '111111111111',
};

export const PROD: GuardrailContext = { ...DEV, environment: 'prod', tier: 'production', namePrefix: 'prod-', accountId: '333333333333' };

/** A stack with an AWS provider, ready for provider constructs. */
export function testStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  return stack;
}

/** Security group `bastion` ('dev-bastion') in `scope`, open to the world on SSH: a MIG-VPC-1 finding. */
export function openSshGroup(scope: Construct): SecurityGroup {
  return new SecurityGroup(scope, 'bastion', {
    name: 'dev-bastion',
    description: 'bastion',
    ingress: [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'], description: 'ssh' }],
  });
}

/** A test stack holding only {@link openSshGroup}. */
export function openSsh(): { stack: TerraformStack; sg: SecurityGroup } {
  const stack = testStack();
  return { stack, sg: openSshGroup(stack) };
}

/** What `rule` says about the resource at `address` (fails the test when there is no such resource). */
export function resultFor(stack: TerraformStack, rule: Rule, address: string, context: GuardrailContext = DEV): RuleResult {
  const view = stackView(stack);
  const resource = view.resources.find((r) => r.address === address);
  if (!resource) throw new Error(`no resource ${address} in the stack; have ${view.resources.map((r) => r.address).join(', ')}`);
  return rule.check(resource, view, context);
}

/** The findings the engine reports for `rule` alone: rule id, address and full message. */
export function findings(stack: TerraformStack, rule: Rule, context: GuardrailContext = DEV) {
  return evaluate(stack, context, [rule]).findings.map((f) => ({ ruleId: f.ruleId, address: f.address, message: f.message }));
}

/** The finding `rule` produces for `address` with `detail`, as the engine words it. */
export function finding(rule: Rule, address: string, detail: string) {
  return { ruleId: rule.id, address, message: `${detail}. Fix: ${rule.fix}` };
}
