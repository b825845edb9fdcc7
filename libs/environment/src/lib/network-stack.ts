import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { BaseStack } from '@estate/platform';
import type { EnvironmentStackProps } from './stack-props';

/** The environment's VPC and everything it needs to route. */
export class NetworkStack extends BaseStack {
  public readonly vpc: Vpc;

  constructor(scope: Construct, unit: string, props: EnvironmentStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.environment.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.environment.naming.resource('vpc-resource', 'vpc') },
    });
    new TerraformOutput(this, 'vpc_id', { value: this.vpc.id });
  }
}
