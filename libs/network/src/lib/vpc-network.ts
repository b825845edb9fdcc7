import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { PolicyStatement, Role, condition, servicePrincipal } from '@estate/iam';
import { LOG_RETENTION_DAYS, MAX_AZS, MIN_AZS, planSubnets, SUBNET_TIERS, type Naming, type SubnetPlan, type SubnetPrefixes, type SubnetTier } from '@estate/config';

/** The tag on subnets and route tables that says which tier they belong to (peerings look route tables up by it). */
export const TIER_TAG = 'Tier';

/** Interface endpoints a private ECS task needs to start without NAT: image pull, logs, secrets. */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager'] as const;

/** Gateway endpoints (free) on the private and data route tables. */
export const GATEWAY_ENDPOINT_SERVICES = ['s3', 'dynamodb'] as const;

/** Anything with a KMS key ARN, e.g. `EncryptionKey` from @estate/iam. */
export interface KeyReference {
  readonly keyArn: string;
}

export interface VpcNetworkProps {
  /** The environment's naming: every name and `Name` tag goes through it. */
  readonly naming: Naming;
  /** The VPC's IPv4 block, e.g. `10.0.0.0/16` (a literal: subnets are computed from it at synth). */
  readonly cidr: string;
  /** Region of the provider, for endpoint service names (`com.amazonaws.<region>.s3`). */
  readonly region: string;
  /** Availability zones to span (2..6). @default 2 */
  readonly azCount?: number;
  /**
   * Availability zone names, one per AZ. Names map to different physical zones in each
   * account, so the default reads them in the target account.
   * @default - the first `azCount` zones of `data aws_availability_zones` (state available, no opt-in zones)
   */
  readonly availabilityZones?: readonly string[];
  /** `per-az`: one NAT gateway per AZ (an AZ outage leaves the others routing); `single`: one shared. @default 'single' */
  readonly natGateways?: 'per-az' | 'single';
  /** Interface endpoints (ECR API and Docker, CloudWatch Logs, Secrets Manager) in the private subnets. @default false */
  readonly interfaceEndpoints?: boolean;
  /** Days the flow-log group keeps events (a value CloudWatch accepts). */
  readonly flowLogRetentionDays: number;
  /** Customer KMS key for the flow-log group; its policy must let `logs.<region>.amazonaws.com` use it. */
  readonly flowLogKey: KeyReference;
  /** Subnet sizes per tier (prefix lengths). @default - private /20, data /22, public /24 for a /16 (see `defaultSubnetPrefixes`) */
  readonly subnetPrefixes?: Partial<SubnetPrefixes>;
  /** Provider (account) the VPC lives in. @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * An environment's VPC with three subnet tiers across its availability zones:
 *
 *   public  (ALB, NAT)       one route table: 0.0.0.0/0 → internet gateway
 *   private (ECS, DMS)       one route table per AZ: 0.0.0.0/0 → NAT (the AZ's own, or the shared one),
 *                            S3/DynamoDB gateway endpoints, interface endpoints when enabled
 *   data    (RDS)            one route table: local, S3/DynamoDB gateway endpoints, peerings; never 0.0.0.0/0
 *
 * Private route tables are per AZ even with one NAT, so moving to per-AZ NAT changes
 * routes, not tables. Flow logs (all traffic) go to a KMS-encrypted log group; the
 * default security group is managed with no rules.
 */
export class VpcNetwork extends Construct {
  public readonly vpc: Vpc;
  public readonly vpcId: string;
  /** The VPC's CIDR as given (a literal). */
  public readonly cidr: string;
  /** AZ names, one per AZ index (tokens when read from the data source). */
  public readonly availabilityZones: readonly string[];
  /** The CIDRs of every subnet, computed at synth. */
  public readonly subnetPlan: SubnetPlan;
  public readonly publicSubnetIds: readonly string[];
  public readonly privateSubnetIds: readonly string[];
  /** Isolated subnets: no route to the internet. */
  public readonly dataSubnetIds: readonly string[];
  public readonly publicRouteTableIds: readonly string[];
  /** One per AZ, in AZ order. */
  public readonly privateRouteTableIds: readonly string[];
  public readonly dataRouteTableIds: readonly string[];
  public readonly natGatewayIds: readonly string[];
  public readonly internetGatewayId: string;
  public readonly flowLogGroup: CloudwatchLogGroup;
  public readonly flowLogRole: Role;
  /** The security group of the interface endpoints (HTTPS from the VPC), when they exist. */
  public readonly endpointSecurityGroupId?: string;

  constructor(scope: Construct, id: string, props: VpcNetworkProps) {
    super(scope, id);
    validate(id, props);
    const { naming, provider } = props;
    const azCount = props.azCount ?? MIN_AZS;
    const nat = props.natGateways ?? 'single';
    this.cidr = props.cidr;
    this.subnetPlan = planSubnets(props.cidr, azCount, props.subnetPrefixes);

    const name = (text: string) => naming.resource('vpc-resource', text);
    this.vpc = new Vpc(this, 'vpc', {
      provider,
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name('vpc') },
    });
    this.vpcId = this.vpc.id;

    // Managed with no ingress or egress: Terraform strips AWS's allow-all default rules.
    new DefaultSecurityGroup(this, 'default-security-group', {
      provider,
      vpcId: this.vpc.id,
      tags: { Name: name('default-closed') },
    });

    if (props.availabilityZones) {
      this.availabilityZones = [...props.availabilityZones];
    } else {
      const zones = new DataAwsAvailabilityZones(this, 'zones', {
        provider,
        state: 'available',
        filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
      });
      this.availabilityZones = Array.from({ length: azCount }, (_, i) => Token.asString(Fn.element(zones.names, i)));
    }

    const subnets = {} as Record<SubnetTier, Subnet[]>;
    for (const tier of SUBNET_TIERS) {
      subnets[tier] = this.subnetPlan.tiers[tier].map(
        (cidrBlock, i) =>
          new Subnet(this, `${tier}-subnet-${i}`, {
            provider,
            vpcId: this.vpc.id,
            cidrBlock,
            availabilityZone: this.availabilityZones[i],
            // Nothing gets a public address by accident; the ALB and NAT gateways bring their own.
            mapPublicIpOnLaunch: false,
            tags: { Name: name(`${tier}-${i + 1}`), [TIER_TAG]: tier },
          }),
      );
    }
    this.publicSubnetIds = subnets.public.map((s) => s.id);
    this.privateSubnetIds = subnets.private.map((s) => s.id);
    this.dataSubnetIds = subnets.data.map((s) => s.id);

    // Public tier: the internet gateway.
    const igw = new InternetGateway(this, 'internet-gateway', { provider, vpcId: this.vpc.id, tags: { Name: name('igw') } });
    this.internetGatewayId = igw.id;
    const publicTable = this.routeTable('public-routes', 'public', name('public-rt'), props);
    new Route(this, 'public-default-route', {
      provider,
      routeTableId: publicTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    this.associate(subnets.public, () => publicTable, props);
    this.publicRouteTableIds = [publicTable.id];

    // NAT: in the public subnet of each AZ, or one in the first AZ.
    const natCount = nat === 'per-az' ? azCount : 1;
    const natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { provider, domain: 'vpc', tags: { Name: name(`nat-${i + 1}`) }, dependsOn: [igw] });
      return new NatGateway(this, `nat-${i}`, {
        provider,
        allocationId: eip.allocationId,
        subnetId: subnets.public[i].id,
        connectivityType: 'public',
        tags: { Name: name(`nat-${i + 1}`) },
        dependsOn: [igw],
      });
    });
    this.natGatewayIds = natGateways.map((n) => n.id);

    // Private tier: a table per AZ, default route through that AZ's NAT (or the shared one).
    const privateTables = subnets.private.map((_, i) => {
      const table = this.routeTable(`private-routes-${i}`, 'private', name(`private-${i + 1}-rt`), props);
      new Route(this, `private-default-route-${i}`, {
        provider,
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: natGateways[nat === 'per-az' ? i : 0].id,
      });
      return table;
    });
    this.associate(subnets.private, (i) => privateTables[i], props);
    this.privateRouteTableIds = privateTables.map((t) => t.id);

    // Data tier: local routes only (plus endpoints and peerings added by others).
    const dataTable = this.routeTable('data-routes', 'data', name('data-rt'), props);
    this.associate(subnets.data, () => dataTable, props);
    this.dataRouteTableIds = [dataTable.id];

    for (const service of GATEWAY_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `${service}-endpoint`, {
        provider,
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [...this.privateRouteTableIds, ...this.dataRouteTableIds],
        tags: { Name: name(`${service}-endpoint`) },
      });
    }

    if (props.interfaceEndpoints) {
      const group = new SecurityGroup(this, 'endpoint-security-group', {
        provider,
        name: naming.resource('security-group', 'vpc-endpoints'),
        description: `Interface endpoints of ${name('vpc')}: HTTPS from inside the VPC only`,
        vpcId: this.vpc.id,
        tags: { Name: naming.resource('security-group', 'vpc-endpoints') },
      });
      new VpcSecurityGroupIngressRule(this, 'endpoint-https-from-vpc', {
        provider,
        securityGroupId: group.id,
        cidrIpv4: props.cidr,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: `HTTPS to the AWS API endpoints from ${props.cidr} (this VPC)`,
      });
      this.endpointSecurityGroupId = group.id;
      for (const service of INTERFACE_ENDPOINT_SERVICES) {
        new VpcEndpoint(this, `${service.replace('.', '-')}-endpoint`, {
          provider,
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: [...this.privateSubnetIds],
          securityGroupIds: [group.id],
          tags: { Name: name(`${service.replace('.', '-')}-endpoint`) },
        });
      }
    }

    // Flow logs: every accepted and rejected flow, to an encrypted group with retention.
    this.flowLogGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
      provider,
      name: naming.resource('log-group', 'vpc-flow-logs'),
      retentionInDays: props.flowLogRetentionDays,
      kmsKeyId: props.flowLogKey.keyArn,
    });
    const account = new DataAwsCallerIdentity(this, 'account', { provider });
    this.flowLogRole = new Role(this, 'flow-log-role', {
      provider,
      roleName: naming.resource('iam-role', 'vpc-flow-logs'),
      description: `VPC Flow Logs delivery into ${naming.resource('log-group', 'vpc-flow-logs')}`,
      assumedBy: servicePrincipal('vpc-flow-logs.amazonaws.com'),
      trustConditions: [
        condition('StringEquals', 'aws:SourceAccount', account.accountId),
        condition('ArnLike', 'aws:SourceArn', `arn:aws:ec2:${props.region}:${account.accountId}:vpc-flow-log/*`),
      ],
    });
    this.flowLogRole.addToPolicy(
      new PolicyStatement({
        sid: 'DeliverFlowLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
        resources: [this.flowLogGroup.arn, `${this.flowLogGroup.arn}:*`],
      }),
    );
    new FlowLog(this, 'flow-log', {
      provider,
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: this.flowLogGroup.arn,
      iamRoleArn: this.flowLogRole.roleArn,
      maxAggregationInterval: 60,
      tags: { Name: name('flow-log') },
    });
  }

  /** Route tables a peering routes the peer's CIDR on: private and data (never public). */
  get peeringRouteTableIds(): readonly string[] {
    return [...this.privateRouteTableIds, ...this.dataRouteTableIds];
  }

  /** Route table ids of one tier. */
  routeTableIds(tier: SubnetTier): readonly string[] {
    return { public: this.publicRouteTableIds, private: this.privateRouteTableIds, data: this.dataRouteTableIds }[tier];
  }

  private routeTable(id: string, tier: SubnetTier, tableName: string, props: VpcNetworkProps): RouteTable {
    return new RouteTable(this, id, {
      provider: props.provider,
      vpcId: this.vpc.id,
      tags: { Name: tableName, [TIER_TAG]: tier },
    });
  }

  private associate(subnets: Subnet[], table: (i: number) => RouteTable, props: VpcNetworkProps): void {
    subnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `${subnet.node.id}-routes`, {
        provider: props.provider,
        subnetId: subnet.id,
        routeTableId: table(i).id,
      });
    });
  }
}

function validate(id: string, props: VpcNetworkProps): void {
  const where = `VpcNetwork ${id}`;
  const azCount = props.azCount ?? MIN_AZS;
  const rules: { readonly when: boolean; readonly message: string }[] = [
    {
      when: Token.isUnresolved(props.cidr),
      message: 'cidr is a token; the subnets are computed at synth, so pass the literal block from the organisation model',
    },
    {
      when: !Token.isUnresolved(props.region) && !REGION_PATTERN.test(props.region),
      message: `region '${props.region}' is not an AWS region name (expected e.g. us-east-1)`,
    },
    {
      when: !Number.isInteger(azCount) || azCount < MIN_AZS || azCount > MAX_AZS,
      message: `azCount ${azCount} is not supported; expected an integer from ${MIN_AZS} to ${MAX_AZS}`,
    },
    {
      when: props.natGateways !== undefined && props.natGateways !== 'per-az' && props.natGateways !== 'single',
      message: `natGateways '${String(props.natGateways)}' is not an option; expected 'per-az' or 'single'`,
    },
    {
      when: props.availabilityZones !== undefined && props.availabilityZones.length !== azCount,
      message: `availabilityZones lists ${props.availabilityZones?.length} zone(s) (${props.availabilityZones?.join(', ')}); expected exactly azCount (${azCount})`,
    },
    {
      when: props.availabilityZones !== undefined && new Set(props.availabilityZones).size !== props.availabilityZones.length,
      message: `availabilityZones lists a zone twice (${props.availabilityZones?.join(', ')}); each AZ index needs its own zone`,
    },
    {
      when: !Token.isUnresolved(props.flowLogRetentionDays) && !(LOG_RETENTION_DAYS as readonly number[]).includes(props.flowLogRetentionDays),
      message: `flowLogRetentionDays ${props.flowLogRetentionDays} is not a CloudWatch Logs retention; expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
    },
    {
      when: !Token.isUnresolved(props.flowLogKey.keyArn) && !/^arn:aws[a-z-]*:kms:/.test(props.flowLogKey.keyArn),
      message: `flowLogKey.keyArn '${props.flowLogKey.keyArn}' is not a KMS key ARN`,
    },
  ];
  const problems = rules.filter((r) => r.when).map((r) => r.message);
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
}
