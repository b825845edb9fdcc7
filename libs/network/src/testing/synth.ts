/* eslint-disable @typescript-eslint/no-explicit-any */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Naming } from '@estate/config';

/** Test-only helpers for the network constructs (not exported from the library). */

export interface SynthResource {
  readonly type: string;
  readonly name: string;
  /** Construct path below the stack, from the logical id: `network/nat-0`. */
  readonly path: string;
  readonly config: any;
}

/** A stack with a default provider and a `peer` and `legacy` alias, plus a naming for `dev`. */
export function testStack(): { stack: TerraformStack; peer: AwsProvider; legacy: AwsProvider; naming: Naming; synth: () => any } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const peer = new AwsProvider(stack, 'aws-peer', { region: 'us-east-1', alias: 'peer' });
  const legacy = new AwsProvider(stack, 'aws-legacy', { region: 'us-east-1', alias: 'legacy' });
  return { stack, peer, legacy, naming: new Naming('dev'), synth: () => JSON.parse(Testing.synth(stack)) };
}

function collect(section: any, type: string): SynthResource[] {
  // Logical ids are the construct path joined with `_` plus a hash (`network_nat-0_D2F55FEE`).
  return Object.entries<any>(section?.[type] ?? {}).map(([name, config]) => ({ type, name, path: name.replace(/_[0-9A-F]{8}$/, '').replace(/_/g, '/'), config }));
}

/** Every resource of `type`. */
export function resources(json: any, type: string): SynthResource[] {
  return collect(json.resource, type);
}

/** Every data source of `type`. */
export function dataSources(json: any, type: string): SynthResource[] {
  return collect(json.data, type);
}

/** The resource of `type` whose construct path ends with `/<suffix>`. */
export function at(json: any, type: string, suffix: string): SynthResource {
  const found = resources(json, type).filter((r) => r.path === suffix || r.path.endsWith(`/${suffix}`));
  if (found.length !== 1) throw new Error(`expected one ${type} at .../${suffix}, found ${found.length}`);
  return found[0];
}

/** `${type.name.attribute}`, as another resource refers to it. */
export function ref(resource: SynthResource, attribute = 'id'): string {
  return `\${${resource.type}.${resource.name}.${attribute}}`;
}

/** `${data.type.name.attribute}` */
export function dataRef(resource: SynthResource, attribute = 'id'): string {
  return `\${data.${resource.type}.${resource.name}.${attribute}}`;
}
