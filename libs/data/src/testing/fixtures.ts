import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput, type EnvironmentContext } from '@estate/config';
import { EncryptionKey } from '@estate/iam';

/** Test-only helpers for the data constructs (not exported from the library). */
export const NETWORK = {
  vpcId: 'vpc-0123456789abcdef0',
  dataSubnetIds: ['subnet-data-a', 'subnet-data-b'],
  privateSubnetIds: ['subnet-private-a', 'subnet-private-b'],
};

export function environment(name: 'dev' | 'staging' | 'prod', suffix?: string): EnvironmentContext {
  return Organisation.fromInput(exampleOrganisationInput(), { environmentSuffix: suffix }).environment(name);
}

export function organisation(): Organisation {
  return Organisation.fromInput(exampleOrganisationInput());
}

export interface TestStack {
  readonly stack: TerraformStack;
  readonly legacyProvider: AwsProvider;
  readonly key: EncryptionKey;
  synth(): any;
}

/** A stack with a default provider, a `legacy` alias provider and a customer key. */
export function testStack(): TestStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const legacyProvider = new AwsProvider(stack, 'aws-legacy', { region: 'us-east-1', alias: 'legacy' });
  const key = new EncryptionKey(stack, 'key', { alias: 'dev-data', description: 'test', servicePrincipals: ['logs.us-east-1.amazonaws.com'] });
  return { stack, legacyProvider, key, synth: () => JSON.parse(Testing.synth(stack)) };
}

/** The one resource of `type` in a synthesized stack. */
export function only(json: any, type: string): any {
  const all = Object.values(json.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}
