import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput, type EnvironmentContext } from '@estate/config';

/** Test-only helpers for the compute constructs (not exported from the library). */
export const NETWORK = {
  vpcId: 'vpc-0123456789abcdef0',
  publicSubnetIds: ['subnet-public-a', 'subnet-public-b'],
  privateSubnetIds: ['subnet-private-a', 'subnet-private-b'],
};

export const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:333333333333:certificate/0b1c2d3e-1234-5678-9abc-def012345678';

export function organisation(suffix?: string): Organisation {
  return Organisation.fromInput(exampleOrganisationInput(), { environmentSuffix: suffix });
}

export function environment(name: 'dev' | 'staging' | 'prod', suffix?: string): EnvironmentContext {
  return organisation(suffix).environment(name);
}

/** A stack with a default provider and a `legacy` alias provider. */
export function testStack(): { stack: TerraformStack; legacyProvider: AwsProvider; synth(): any } {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const legacyProvider = new AwsProvider(stack, 'aws-legacy', { region: 'us-east-1', alias: 'legacy' });
  return { stack, legacyProvider, synth: () => JSON.parse(Testing.synth(stack)) };
}

/** Every resource of `type` in a synthesized stack. */
export function all(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The one resource of `type` in a synthesized stack. */
export function only(json: any, type: string): any {
  const found = all(json, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}
