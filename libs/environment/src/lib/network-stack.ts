import type { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { EncryptionKey } from '@estate/iam';
import { VpcNetwork } from '@estate/network';
import { BaseStack } from '@estate/platform';
import type { EnvironmentStackProps } from './stack-props';

/**
 * The environment's VPC (three tiers across `settings.network.azCount` AZs, NAT per AZ or
 * shared, endpoints, flow logs) and the key that encrypts its flow logs. Everything other
 * stacks need is on {@link NetworkStack.network}; the outputs are for people and tools.
 */
export class NetworkStack extends BaseStack {
  public readonly network: VpcNetwork;
  /** Encrypts the flow-log group. */
  public readonly encryptionKey: EncryptionKey;
  public readonly vpc: Vpc;

  constructor(scope: Construct, unit: string, props: EnvironmentStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
    const { environment } = props;
    const { naming, settings } = environment;

    this.encryptionKey = new EncryptionKey(this, 'key', {
      alias: naming.resource('kms-alias', 'network'),
      description: `${naming.qualifier}: VPC flow logs`,
      servicePrincipals: [`logs.${environment.region}.amazonaws.com`],
      deletionWindowDays: environment.isPreview ? 7 : 30,
    });
    this.network = new VpcNetwork(this, 'network', {
      naming,
      cidr: environment.vpcCidr,
      region: environment.region,
      azCount: settings.network.azCount,
      natGateways: settings.network.natGateways,
      interfaceEndpoints: settings.network.interfaceEndpoints,
      flowLogRetentionDays: settings.logs.retentionDays,
      flowLogKey: this.encryptionKey,
    });
    this.vpc = this.network.vpc;

    const out = (name: string, value: string | readonly string[], description: string) =>
      new TerraformOutput(this, name, { value, description });
    out('vpc_id', this.network.vpcId, `VPC of ${naming.qualifier}`);
    out('vpc_cidr', this.network.cidr, `CIDR of the ${naming.qualifier} VPC`);
    out('availability_zones', this.network.availabilityZones, 'AZ of each subnet index');
    out('public_subnet_ids', this.network.publicSubnetIds, 'Public subnets (ALB, NAT), one per AZ');
    out('private_subnet_ids', this.network.privateSubnetIds, 'Private subnets (ECS, DMS), one per AZ');
    out('data_subnet_ids', this.network.dataSubnetIds, 'Isolated data subnets (RDS), one per AZ, no internet route');
    out('public_route_table_ids', this.network.publicRouteTableIds, 'Route table of the public tier');
    out('private_route_table_ids', this.network.privateRouteTableIds, 'Route tables of the private tier, one per AZ');
    out('data_route_table_ids', this.network.dataRouteTableIds, 'Route table of the data tier');
    out('flow_log_group_name', this.network.flowLogGroup.name, 'CloudWatch log group of the VPC flow logs');
  }
}
