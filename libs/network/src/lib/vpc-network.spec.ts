import { Fn, TerraformOutput, type TerraformStack, Token } from 'cdktf';
import { at, dataSources, ref, resources, testStack } from '../testing/synth';
import { VpcNetwork, type VpcNetworkProps } from './vpc-network';

const KEY_ARN = 'arn:aws:kms:us-east-1:333333333333:key/11111111-2222-3333-4444-555555555555';

function build(overrides: Partial<VpcNetworkProps> = {}, extra?: (stack: TerraformStack, network: VpcNetwork) => void) {
  const t = testStack();
  const network = new VpcNetwork(t.stack, 'network', {
    naming: t.naming,
    cidr: '10.0.0.0/16',
    region: 'us-east-1',
    flowLogRetentionDays: 30,
    flowLogKey: { keyArn: KEY_ARN },
    ...overrides,
  });
  extra?.(t.stack, network);
  return { network, json: t.synth() };
}

type Json = ReturnType<typeof build>['json'];

function routesOf(json: Json, tableSuffix: string) {
  const table = at(json, 'aws_route_table', tableSuffix);
  return resources(json, 'aws_route').filter((r) => r.config.route_table_id === ref(table));
}

function tableOfSubnet(json: Json, subnetSuffix: string) {
  const subnet = at(json, 'aws_subnet', subnetSuffix);
  const associations = resources(json, 'aws_route_table_association').filter((a) => a.config.subnet_id === ref(subnet));
  expect(associations).toHaveLength(1);
  return associations[0].config.route_table_id;
}

describe('VpcNetwork', () => {
  describe('subnets', () => {
    it('creates one subnet per tier and AZ with the planned CIDRs, tagged by tier', () => {
      const { json } = build();
      const subnets = resources(json, 'aws_subnet');
      expect(subnets).toHaveLength(6);
      expect(at(json, 'aws_subnet', 'public-subnet-0').config).toMatchObject({
        cidr_block: '10.0.160.0/24',
        map_public_ip_on_launch: false,
        tags: { Name: 'dev-public-1', Tier: 'public' },
      });
      expect(at(json, 'aws_subnet', 'private-subnet-1').config).toMatchObject({ cidr_block: '10.0.16.0/20', tags: { Name: 'dev-private-2', Tier: 'private' } });
      expect(at(json, 'aws_subnet', 'data-subnet-1').config).toMatchObject({ cidr_block: '10.0.132.0/22', tags: { Name: 'dev-data-2', Tier: 'data' } });
    });

    it('spreads each tier over the available zones read in the target account, AZ i in slot i', () => {
      const { json } = build({ azCount: 3 });
      const [zones] = dataSources(json, 'aws_availability_zones');
      expect(zones.config).toMatchObject({ state: 'available', filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] });
      for (const tier of ['public', 'private', 'data']) {
        for (const i of [0, 1, 2]) {
          expect(at(json, 'aws_subnet', `${tier}-subnet-${i}`).config.availability_zone).toBe(`\${element(data.aws_availability_zones.${zones.name}.names, ${i})}`);
        }
      }
      expect(resources(json, 'aws_subnet')).toHaveLength(9);
    });

    it('uses the zones it is given, without a lookup', () => {
      const { json, network } = build({ azCount: 2, availabilityZones: ['us-east-1b', 'us-east-1d'] });
      expect(dataSources(json, 'aws_availability_zones')).toHaveLength(0);
      expect(at(json, 'aws_subnet', 'data-subnet-0').config.availability_zone).toBe('us-east-1b');
      expect(at(json, 'aws_subnet', 'data-subnet-1').config.availability_zone).toBe('us-east-1d');
      expect(network.availabilityZones).toEqual(['us-east-1b', 'us-east-1d']);
    });

    it('exposes subnet and route table ids per tier, in AZ order', () => {
      const { json, network } = build({ azCount: 3, natGateways: 'per-az' }, (stack, n) => {
        new TerraformOutput(stack, 'data_subnets', { value: n.dataSubnetIds });
        new TerraformOutput(stack, 'private_tables', { value: n.privateRouteTableIds });
        new TerraformOutput(stack, 'peering_tables', { value: n.peeringRouteTableIds });
        new TerraformOutput(stack, 'vpc', { value: n.vpcId });
      });
      expect(json.output.data_subnets.value).toEqual([0, 1, 2].map((i) => ref(at(json, 'aws_subnet', `data-subnet-${i}`))));
      expect(json.output.private_tables.value).toEqual([0, 1, 2].map((i) => ref(at(json, 'aws_route_table', `private-routes-${i}`))));
      expect(json.output.peering_tables.value).toEqual([
        ...[0, 1, 2].map((i) => ref(at(json, 'aws_route_table', `private-routes-${i}`))),
        ref(at(json, 'aws_route_table', 'data-routes')),
      ]);
      expect(json.output.vpc.value).toBe(ref(at(json, 'aws_vpc', 'vpc')));
      expect(network.publicRouteTableIds).toHaveLength(1);
      expect(network.routeTableIds('data')).toBe(network.dataRouteTableIds);
      expect(network.cidr).toBe('10.0.0.0/16');
    });
  });

  describe('routing', () => {
    it('routes the public tier to the internet gateway', () => {
      const { json } = build();
      const routes = routesOf(json, 'public-routes');
      expect(routes.map((r) => r.config)).toEqual([
        expect.objectContaining({ destination_cidr_block: '0.0.0.0/0', gateway_id: ref(at(json, 'aws_internet_gateway', 'internet-gateway')) }),
      ]);
      expect(tableOfSubnet(json, 'public-subnet-1')).toBe(ref(at(json, 'aws_route_table', 'public-routes')));
    });

    it('gives the data tier no route to the internet', () => {
      const { json } = build({ natGateways: 'per-az', interfaceEndpoints: true });
      expect(routesOf(json, 'data-routes')).toEqual([]);
      const dataTable = ref(at(json, 'aws_route_table', 'data-routes'));
      expect(tableOfSubnet(json, 'data-subnet-0')).toBe(dataTable);
      expect(tableOfSubnet(json, 'data-subnet-1')).toBe(dataTable);
      // No default route anywhere points at the data table.
      const defaults = resources(json, 'aws_route').filter((r) => r.config.destination_cidr_block === '0.0.0.0/0');
      expect(defaults.map((r) => r.config.route_table_id)).not.toContain(dataTable);
      expect(at(json, 'aws_route_table', 'data-routes').config.tags).toEqual({ Name: 'dev-data-rt', Tier: 'data' });
    });

    it('sends each private subnet to the internet through NAT on its own route table', () => {
      const { json } = build();
      for (const i of [0, 1]) {
        expect(tableOfSubnet(json, `private-subnet-${i}`)).toBe(ref(at(json, 'aws_route_table', `private-routes-${i}`)));
        const routes = routesOf(json, `private-routes-${i}`);
        expect(routes).toHaveLength(1);
        expect(routes[0].config).toMatchObject({ destination_cidr_block: '0.0.0.0/0', nat_gateway_id: expect.stringMatching(/^\$\{aws_nat_gateway\./) });
      }
    });

    it('attaches the S3 and DynamoDB gateway endpoints to the private and data route tables only', () => {
      const { json } = build();
      const tables = ['private-routes-0', 'private-routes-1', 'data-routes'].map((s) => ref(at(json, 'aws_route_table', s)));
      for (const service of ['s3', 'dynamodb']) {
        expect(at(json, 'aws_vpc_endpoint', `${service}-endpoint`).config).toMatchObject({
          service_name: `com.amazonaws.us-east-1.${service}`,
          vpc_endpoint_type: 'Gateway',
          route_table_ids: tables,
        });
      }
    });
  });

  describe('NAT gateways', () => {
    it('shares one NAT gateway (with its EIP, in the first public subnet) when single', () => {
      const { json, network } = build({ azCount: 3, natGateways: 'single' });
      const nats = resources(json, 'aws_nat_gateway');
      expect(nats).toHaveLength(1);
      expect(resources(json, 'aws_eip')).toHaveLength(1);
      expect(nats[0].config).toMatchObject({
        subnet_id: ref(at(json, 'aws_subnet', 'public-subnet-0')),
        allocation_id: ref(at(json, 'aws_eip', 'nat-eip-0'), 'allocation_id'),
      });
      for (const i of [0, 1, 2]) expect(routesOf(json, `private-routes-${i}`)[0].config.nat_gateway_id).toBe(ref(nats[0]));
      expect(network.natGatewayIds).toHaveLength(1);
    });

    it('puts a NAT gateway in every AZ and routes each private table through its own when per-az', () => {
      const { json } = build({ azCount: 3, natGateways: 'per-az' });
      expect(resources(json, 'aws_nat_gateway')).toHaveLength(3);
      expect(resources(json, 'aws_eip')).toHaveLength(3);
      for (const i of [0, 1, 2]) {
        const nat = at(json, 'aws_nat_gateway', `nat-${i}`);
        expect(nat.config.subnet_id).toBe(ref(at(json, 'aws_subnet', `public-subnet-${i}`)));
        expect(routesOf(json, `private-routes-${i}`)[0].config.nat_gateway_id).toBe(ref(nat));
      }
    });

    it('defaults to one shared NAT gateway', () => {
      expect(resources(build().json, 'aws_nat_gateway')).toHaveLength(1);
    });
  });

  describe('interface endpoints', () => {
    it('creates ECR, Logs and Secrets Manager endpoints in the private subnets, HTTPS from the VPC only, when enabled', () => {
      const { json, network } = build({ interfaceEndpoints: true });
      const group = at(json, 'aws_security_group', 'endpoint-security-group');
      expect(group.config).toMatchObject({ name: 'dev-vpc-endpoints', vpc_id: ref(at(json, 'aws_vpc', 'vpc')) });
      expect(group.config.ingress).toBeUndefined();
      expect(resources(json, 'aws_vpc_security_group_ingress_rule').map((r) => r.config)).toEqual([
        expect.objectContaining({ security_group_id: ref(group), cidr_ipv4: '10.0.0.0/16', ip_protocol: 'tcp', from_port: 443, to_port: 443, description: expect.stringContaining('HTTPS') }),
      ]);
      const privateSubnets = [0, 1].map((i) => ref(at(json, 'aws_subnet', `private-subnet-${i}`)));
      const endpoints = resources(json, 'aws_vpc_endpoint').filter((e) => e.config.vpc_endpoint_type === 'Interface');
      expect(endpoints.map((e) => e.config.service_name).sort()).toEqual(
        ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager'].map((s) => `com.amazonaws.us-east-1.${s}`),
      );
      for (const e of endpoints) {
        expect(e.config).toMatchObject({ private_dns_enabled: true, subnet_ids: privateSubnets, security_group_ids: [ref(group)] });
      }
      expect(network.endpointSecurityGroupId).toBeDefined();
    });

    it('creates none when disabled', () => {
      const { json, network } = build({ interfaceEndpoints: false });
      expect(resources(json, 'aws_vpc_endpoint').filter((e) => e.config.vpc_endpoint_type === 'Interface')).toEqual([]);
      expect(resources(json, 'aws_security_group')).toEqual([]);
      expect(network.endpointSecurityGroupId).toBeUndefined();
    });
  });

  describe('flow logs and the default security group', () => {
    it('logs all traffic to a KMS-encrypted group with the given retention, through a role only flow logs can assume', () => {
      const { json } = build({ flowLogRetentionDays: 365 });
      const group = at(json, 'aws_cloudwatch_log_group', 'flow-log-group');
      expect(group.config).toMatchObject({ name: 'dev-vpc-flow-logs', retention_in_days: 365, kms_key_id: KEY_ARN });
      const role = at(json, 'aws_iam_role', 'flow-log-role');
      expect(at(json, 'aws_flow_log', 'flow-log').config).toMatchObject({
        vpc_id: ref(at(json, 'aws_vpc', 'vpc')),
        traffic_type: 'ALL',
        log_destination_type: 'cloud-watch-logs',
        log_destination: ref(group, 'arn'),
        iam_role_arn: ref(role, 'arn'),
      });
      const trust = JSON.parse(role.config.assume_role_policy);
      expect(trust.Statement[0]).toMatchObject({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' });
      expect(trust.Statement[0].Condition.ArnLike['aws:SourceArn']).toMatch(/^arn:aws:ec2:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\}:vpc-flow-log\/\*$/);
      const policy = JSON.parse(at(json, 'aws_iam_role_policy', 'flow-log-role/policy').config.policy);
      expect(policy.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
          Resource: [ref(group, 'arn'), `${ref(group, 'arn')}:*`],
        }),
      ]);
    });

    it('manages the default security group with no rules', () => {
      const { json } = build();
      const sg = at(json, 'aws_default_security_group', 'default-security-group');
      expect(sg.config.vpc_id).toBe(ref(at(json, 'aws_vpc', 'vpc')));
      expect(sg.config.ingress).toBeUndefined();
      expect(sg.config.egress).toBeUndefined();
    });

    it('names the VPC <env>-vpc with DNS support, the tag peerings look it up by', () => {
      expect(at(build().json, 'aws_vpc', 'vpc').config).toMatchObject({
        cidr_block: '10.0.0.0/16',
        enable_dns_support: true,
        enable_dns_hostnames: true,
        tags: { Name: 'dev-vpc' },
      });
    });
  });

  describe('validation', () => {
    it('rejects a retention CloudWatch does not accept', () => {
      expect(() => build({ flowLogRetentionDays: 100 })).toThrow(/VpcNetwork network: flowLogRetentionDays 100 is not a CloudWatch Logs retention; expected one of 1, 3, 5/);
    });

    it('rejects zones that do not match the AZ count', () => {
      expect(() => build({ azCount: 3, availabilityZones: ['us-east-1a', 'us-east-1b'] })).toThrow(
        /availabilityZones lists 2 zone\(s\) \(us-east-1a, us-east-1b\); expected exactly azCount \(3\)/,
      );
      expect(() => build({ azCount: 2, availabilityZones: ['us-east-1a', 'us-east-1a'] })).toThrow(/lists a zone twice/);
    });

    it('rejects an unknown NAT mode, a bad AZ count and a bad region together', () => {
      expect(() => build({ natGateways: 'none' as 'single', azCount: 9, region: 'US East' })).toThrow(
        /region 'US East' is not an AWS region name.*azCount 9 is not supported.*natGateways 'none' is not an option; expected 'per-az' or 'single'/,
      );
    });

    it('rejects a CIDR it cannot compute subnets from', () => {
      expect(() => build({ cidr: Token.asString(Fn.element(['10.0.0.0/16'], 0)) })).toThrow(/cidr is a token; the subnets are computed at synth/);
      expect(() => build({ cidr: '10.0.0.0/26' })).toThrow(/Subnet plan for 10.0.0.0\/26: public subnets of \/34 are too small; an ALB needs \/27 or larger/);
    });

    it('rejects a flow-log key that is not a KMS key ARN', () => {
      expect(() => build({ flowLogKey: { keyArn: 'alias/dev-network' } })).toThrow(/flowLogKey.keyArn 'alias\/dev-network' is not a KMS key ARN/);
    });
  });
});
