/* eslint-disable @typescript-eslint/no-explicit-any */
import { Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput, type RuntimeInputs } from '@estate/config';
import { NetworkStack } from './network-stack';

function synth(env: 'dev' | 'staging' | 'prod', runtime: RuntimeInputs = {}) {
  const organisation = Organisation.fromInput(exampleOrganisationInput(), runtime);
  const app = Testing.app();
  const stack = new NetworkStack(app, 'network', { environment: organisation.environment(env), organisation });
  // Validations on: the guardrail pack runs exactly as in `nx run <env>:synth`.
  const json = JSON.parse(Testing.synth(stack, true));
  return { stack, json };
}

const count = (json: any, type: string) => Object.keys(json.resource[type] ?? {}).length;
const only = (json: any, type: string) => {
  const all = Object.values<any>(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};

describe('NetworkStack', () => {
  it('builds dev with two AZs, one shared NAT gateway and no interface endpoints, guardrails passing', () => {
    const { stack, json } = synth('dev');
    expect(stack.node.id).toBe('dev-network');
    expect(only(json, 'aws_vpc')).toMatchObject({ cidr_block: '10.0.0.0/16', tags: { Name: 'dev-vpc' } });
    expect(count(json, 'aws_subnet')).toBe(6);
    expect(count(json, 'aws_nat_gateway')).toBe(1);
    expect(count(json, 'aws_vpc_endpoint')).toBe(2);
    expect(only(json, 'aws_cloudwatch_log_group')).toMatchObject({ name: 'dev-vpc-flow-logs', retention_in_days: 30 });
  });

  it('builds prod with three AZs, a NAT gateway per AZ, interface endpoints and a year of flow logs', () => {
    const { stack, json } = synth('prod');
    expect(stack.node.id).toBe('prod-network');
    expect(only(json, 'aws_vpc').cidr_block).toBe('10.2.0.0/16');
    expect(count(json, 'aws_subnet')).toBe(9);
    expect(count(json, 'aws_nat_gateway')).toBe(3);
    expect(count(json, 'aws_vpc_endpoint')).toBe(6);
    expect(only(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(365);
  });

  it('encrypts the flow logs with its own rotating key that CloudWatch Logs may use', () => {
    const { json } = synth('staging');
    const [keyName, key] = Object.entries<any>(json.resource.aws_kms_key)[0];
    expect(key.enable_key_rotation).toBe(true);
    expect(only(json, 'aws_kms_alias').name).toBe('alias/staging-network');
    expect(only(json, 'aws_cloudwatch_log_group').kms_key_id).toBe(`\${aws_kms_key.${keyName}.arn}`);
    expect(key.policy).toContain('logs.us-east-1.amazonaws.com');
  });

  it('outputs the VPC, subnets and route tables of every tier', () => {
    const { json } = synth('dev');
    expect(Object.keys(json.output)).toEqual(
      expect.arrayContaining([
        'vpc_id',
        'vpc_cidr',
        'public_subnet_ids',
        'private_subnet_ids',
        'data_subnet_ids',
        'public_route_table_ids',
        'private_route_table_ids',
        'data_route_table_ids',
      ]),
    );
    expect(json.output.vpc_cidr.value).toBe('10.0.0.0/16');
    expect(json.output.data_subnet_ids.value).toHaveLength(2);
    expect(json.output.private_route_table_ids.value).toHaveLength(2);
  });

  it('gives a preview copy the same CIDR layout under its own names', () => {
    const { stack, json } = synth('dev', { environmentSuffix: 'pr42' });
    expect(stack.node.id).toBe('dev-pr42-network');
    expect(only(json, 'aws_vpc').tags.Name).toBe('dev-pr42-vpc');
    expect(only(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(3);
    expect(count(json, 'aws_nat_gateway')).toBe(1);
  });
});
