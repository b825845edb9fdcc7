import { condition } from './principals';
import type { PermissionSet } from './permission-set';

/**
 * Where a role's permissions apply. Names are scoped by `prefix` (`dev-`, which also
 * covers preview copies `dev-pr42-`) wherever an ARN carries the name; resources whose
 * ARN carries only a generated id (EC2, KMS keys, DMS, ACM, Route 53) are scoped to the
 * account and region instead: one account per environment is the outer boundary.
 */
export interface AccountScope {
  readonly region: string;
  /** Account the role lives in. */
  readonly accountId: string;
  /** Name prefix of everything the stacks create, e.g. `dev-`. */
  readonly prefix: string;
  /** Value of the `Environment` tag the stacks put on every resource (e.g. `dev`). */
  readonly environment: string;
}

export interface EnvironmentPermissionScope extends AccountScope {
  /** Public domain of the environment: Route 53 changes are limited to it. */
  readonly domainName: string;
  /** The ops account: images are pulled from its registry. */
  readonly opsAccountId: string;
  /** The legacy account: shared snapshots and the share key live there. */
  readonly legacyAccountId: string;
  /** Accounts whose VPCs this environment may request a peering with. */
  readonly peerAccountIds: readonly string[];
  /** The migration role in the legacy account the stacks' legacy provider assumes. */
  readonly legacyMigrationRoleArn: string;
  /** Permissions boundary every role the deploy role creates must carry. */
  readonly boundaryArn: string;
  /** Existing Secrets Manager secrets (names outside the prefix) the stacks read, e.g. an existing database master secret. @default - none */
  readonly existingSecretNames?: readonly string[];
}

const arn = (service: string, scope: AccountScope, resource: string) => `arn:aws:${service}:${scope.region}:${scope.accountId}:${resource}`;

/** IAM roles whose names AWS fixes (DMS looks them up by name), so they cannot carry the prefix. */
export const FIXED_NAME_ROLES = ['dms-vpc-role', 'dms-cloudwatch-logs-role'] as const;

/** Services the roles created by the deploy role are for (iam:PassRole is limited to them). */
export const WORKLOAD_SERVICES = [
  'ecs-tasks.amazonaws.com',
  'monitoring.rds.amazonaws.com',
  'vpc-flow-logs.amazonaws.com',
  'dms.amazonaws.com',
] as const;

/** Services whose service-linked roles the first deploy of an account may create. */
export const SERVICE_LINKED_ROLE_SERVICES = [
  'ecs.amazonaws.com',
  'rds.amazonaws.com',
  'elasticloadbalancing.amazonaws.com',
  'ecs.application-autoscaling.amazonaws.com',
] as const;

/**
 * What the deploy role does with keys while creating encrypted resources: services (RDS,
 * DMS, Secrets Manager, Logs) encrypt through grants the caller creates. No kms:Decrypt:
 * the deploy role never reads encrypted data itself (guardrail MIG-IAM-5).
 */
const KMS_USE = ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant'];

/** KMS: keys are created with the environment tag; key ARNs are generated ids, aliases carry the prefix. */
function kmsSets(scope: AccountScope): PermissionSet[] {
  return [
    {
      sid: 'KmsCreateKey',
      write: ['kms:CreateKey'],
      resources: ['*'],
      conditions: [condition('StringEquals', 'aws:RequestTag/Environment', scope.environment)],
      unscoped: 'kms:CreateKey has no resource (the key does not exist yet); the Environment request-tag condition limits it instead',
    },
    {
      sid: 'KmsListAliases',
      read: ['kms:ListAliases'],
      resources: ['*'],
      unscoped: 'kms:ListAliases supports no resource-level permission',
    },
    {
      sid: 'KmsKeys',
      read: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
      write: ['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription', ...KMS_USE],
      resources: [arn('kms', scope, 'key/*')],
    },
    {
      sid: 'KmsAliases',
      write: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'],
      resources: [arn('kms', scope, `alias/${scope.prefix}*`), arn('kms', scope, 'key/*')],
    },
  ];
}

function snsSet(scope: AccountScope): PermissionSet {
  return {
    sid: 'SnsTopics',
    read: ['sns:GetTopicAttributes', 'sns:ListTagsForResource', 'sns:GetSubscriptionAttributes'],
    write: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:TagResource', 'sns:UntagResource', 'sns:Subscribe', 'sns:Unsubscribe'],
    resources: [arn('sns', scope, `${scope.prefix}*`)],
  };
}

/**
 * What the deploy role of an environment account (dev, staging, prod) needs to apply
 * the environment stacks (network, peering, data, app, observability, cutover).
 */
export function environmentDeployPermissions(scope: EnvironmentPermissionScope): PermissionSet[] {
  const { prefix, region, accountId } = scope;
  const iamRoles = [`arn:aws:iam::${accountId}:role/${prefix}*`, ...FIXED_NAME_ROLES.map((name) => `arn:aws:iam::${accountId}:role/${name}`)];
  const boundary = condition('StringEquals', 'iam:PermissionsBoundary', scope.boundaryArn);
  return [
    {
      sid: 'Ec2Describe',
      read: ['ec2:Describe*'],
      resources: ['*'],
      unscoped: 'EC2 Describe* actions support no resource-level permission',
    },
    {
      sid: 'Ec2Network',
      write: [
        'ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:ModifyVpcAttribute',
        'ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute',
        'ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable', 'ec2:ReplaceRouteTableAssociation',
        'ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute',
        'ec2:CreateInternetGateway', 'ec2:DeleteInternetGateway', 'ec2:AttachInternetGateway', 'ec2:DetachInternetGateway',
        // Destroying an EIP that still has an association disassociates it first (aws_eip delete).
        'ec2:AllocateAddress', 'ec2:ReleaseAddress', 'ec2:DisassociateAddress', 'ec2:CreateNatGateway', 'ec2:DeleteNatGateway',
        'ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs',
        'ec2:CreateVpcEndpoint', 'ec2:DeleteVpcEndpoints', 'ec2:ModifyVpcEndpoint',
        'ec2:CreateSecurityGroup', 'ec2:DeleteSecurityGroup',
        'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress',
        'ec2:ModifySecurityGroupRules', 'ec2:UpdateSecurityGroupRuleDescriptionsIngress', 'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
        'ec2:CreateVpcPeeringConnection', 'ec2:DeleteVpcPeeringConnection', 'ec2:AcceptVpcPeeringConnection', 'ec2:ModifyVpcPeeringConnectionOptions',
        'ec2:CreateTags', 'ec2:DeleteTags',
      ],
      // EC2 ARNs carry generated ids (vpc-0abc...), never names: the account and region are the scope.
      resources: [arn('ec2', scope, '*')],
    },
    {
      sid: 'Ec2PeerVpcs',
      // Requesting a peering authorises against the peer's VPC as well.
      write: ['ec2:CreateVpcPeeringConnection'],
      resources: [...scope.peerAccountIds, scope.legacyAccountId].map((id) => `arn:aws:ec2:${region}:${id}:vpc/*`),
    },
    ...kmsSets(scope),
    {
      sid: 'KmsSecretsManager',
      // RDS creates the managed master secret (manage_master_user_password with a customer
      // key) as the caller: Secrets Manager needs kms:Decrypt on that key (RDS User Guide,
      // "Password management with Secrets Manager"); the runner reads and writes the
      // master and DMS secrets the same way. Only through Secrets Manager: the deploy role
      // still cannot decrypt anything directly (guardrail MIG-IAM-5 accepts exactly this).
      write: ['kms:Decrypt'],
      resources: [arn('kms', scope, 'key/*')],
      conditions: [condition('StringEquals', 'kms:ViaService', `secretsmanager.${region}.amazonaws.com`)],
    },
    {
      sid: 'KmsLegacyShareKey',
      // Copying the snapshot legacy shared needs a grant on its (customer) share key, only through RDS.
      read: ['kms:DescribeKey'],
      write: ['kms:CreateGrant'],
      resources: [`arn:aws:kms:${region}:${scope.legacyAccountId}:key/*`],
      conditions: [condition('StringEquals', 'kms:ViaService', `rds.${region}.amazonaws.com`)],
    },
    {
      sid: 'RdsDescribe',
      read: ['rds:Describe*', 'rds:ListTagsForResource'],
      resources: ['*'],
      unscoped: 'RDS engine-version, orderable-option and filtered snapshot Describe calls accept only *',
    },
    {
      sid: 'RdsManage',
      write: [
        'rds:CreateDBInstance', 'rds:ModifyDBInstance', 'rds:DeleteDBInstance', 'rds:RebootDBInstance', 'rds:RestoreDBInstanceFromDBSnapshot',
        'rds:CreateDBParameterGroup', 'rds:ModifyDBParameterGroup', 'rds:DeleteDBParameterGroup',
        'rds:CreateDBSubnetGroup', 'rds:ModifyDBSubnetGroup', 'rds:DeleteDBSubnetGroup',
        'rds:CopyDBSnapshot', 'rds:CreateDBSnapshot', 'rds:DeleteDBSnapshot',
        'rds:AddTagsToResource', 'rds:RemoveTagsFromResource',
        // The runner reads the new database's PostgreSQL log during the write freeze.
        'rds:DownloadDBLogFilePortion',
      ],
      resources: [
        arn('rds', scope, `db:${prefix}*`),
        arn('rds', scope, `pg:${prefix}*`),
        arn('rds', scope, `subgrp:${prefix}*`),
        arn('rds', scope, `snapshot:${prefix}*`),
        // CreateDBInstance also authorises against the engine's default option group.
        arn('rds', scope, 'og:default:*'),
      ],
    },
    {
      sid: 'RdsCopySharedSnapshot',
      write: ['rds:CopyDBSnapshot'],
      resources: [`arn:aws:rds:${region}:${scope.legacyAccountId}:snapshot:${prefix}*`],
    },
    {
      sid: 'DmsDescribe',
      read: ['dms:DescribeReplicationInstances', 'dms:DescribeReplicationSubnetGroups', 'dms:DescribeEndpoints', 'dms:DescribeReplicationTasks', 'dms:DescribeConnections', 'dms:DescribeCertificates'],
      resources: ['*'],
      unscoped: 'DMS Describe* calls are list calls filtered by parameters and accept only *',
    },
    {
      sid: 'DmsManage',
      read: ['dms:ListTagsForResource'],
      write: [
        'dms:CreateReplicationSubnetGroup', 'dms:ModifyReplicationSubnetGroup', 'dms:DeleteReplicationSubnetGroup',
        'dms:CreateReplicationInstance', 'dms:ModifyReplicationInstance', 'dms:DeleteReplicationInstance',
        'dms:CreateEndpoint', 'dms:ModifyEndpoint', 'dms:DeleteEndpoint', 'dms:TestConnection',
        'dms:CreateReplicationTask', 'dms:ModifyReplicationTask', 'dms:DeleteReplicationTask', 'dms:StartReplicationTask', 'dms:StopReplicationTask',
        'dms:AddTagsToResource', 'dms:RemoveTagsFromResource',
      ],
      // DMS ARNs carry generated ids (rep:ABC123...), not names: the account and region are the scope.
      resources: [arn('dms', scope, '*')],
    },
    {
      sid: 'EcsUnscoped',
      read: ['ecs:DescribeTaskDefinition'],
      write: ['ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition'],
      resources: ['*'],
      unscoped: 'ecs:CreateCluster, RegisterTaskDefinition, DeregisterTaskDefinition and DescribeTaskDefinition support no resource-level permission',
    },
    {
      sid: 'EcsManage',
      read: ['ecs:DescribeClusters', 'ecs:DescribeServices', 'ecs:ListTagsForResource'],
      write: [
        'ecs:UpdateCluster', 'ecs:DeleteCluster', 'ecs:PutClusterCapacityProviders',
        'ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService',
        'ecs:TagResource', 'ecs:UntagResource',
      ],
      resources: [arn('ecs', scope, `cluster/${prefix}*`), arn('ecs', scope, `service/${prefix}*`), arn('ecs', scope, `task-definition/${prefix}*`)],
    },
    {
      // The migration runner's path to the databases (DatabaseAccessTask): it starts the access
      // task with ECS Exec on, reads its state, stops it, and opens port-forwarding sessions through it.
      sid: 'EcsDatabaseAccess',
      read: ['ecs:DescribeTasks'],
      write: ['ecs:RunTask', 'ecs:StopTask', 'ecs:TagResource'],
      resources: [arn('ecs', scope, `task-definition/${prefix}db-access:*`), arn('ecs', scope, `task/${prefix}db-access/*`)],
    },
    {
      sid: 'SsmPortForwarding',
      write: ['ssm:StartSession'],
      resources: [arn('ecs', scope, `task/${prefix}db-access/*`), `arn:aws:ssm:${scope.region}::document/AWS-StartPortForwardingSessionToRemoteHost`],
    },
    {
      sid: 'SsmEndSessions',
      write: ['ssm:TerminateSession'],
      // Session ids are generated (<caller>-<id>): the account and region are the scope.
      resources: [arn('ssm', scope, 'session/*')],
    },
    {
      sid: 'ElbDescribe',
      read: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeListenerAttributes', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeListenerCertificates', 'elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
      unscoped: 'Elastic Load Balancing Describe* actions support no resource-level permission',
    },
    {
      sid: 'ElbManage',
      write: [
        'elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:AddListenerCertificates', 'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags',
      ],
      resources: [
        arn('elasticloadbalancing', scope, `loadbalancer/app/${prefix}*`),
        arn('elasticloadbalancing', scope, `targetgroup/${prefix}*`),
        arn('elasticloadbalancing', scope, `listener/app/${prefix}*`),
        arn('elasticloadbalancing', scope, `listener-rule/app/${prefix}*`),
      ],
    },
    {
      sid: 'AcmUnscoped',
      read: ['acm:ListCertificates'],
      write: ['acm:RequestCertificate'],
      resources: ['*'],
      unscoped: 'acm:RequestCertificate and ListCertificates have no resource (certificate ARNs are generated)',
    },
    {
      sid: 'AcmCertificates',
      read: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'],
      write: ['acm:DeleteCertificate', 'acm:AddTagsToCertificate', 'acm:RemoveTagsFromCertificate'],
      resources: [arn('acm', scope, 'certificate/*')],
    },
    {
      sid: 'Route53Unscoped',
      read: ['route53:ListHostedZones', 'route53:ListHostedZonesByName'],
      write: ['route53:CreateHealthCheck'],
      resources: ['*'],
      unscoped: 'route53:ListHostedZones(ByName) and CreateHealthCheck support no resource-level permission',
    },
    {
      sid: 'Route53Read',
      read: ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:GetHealthCheck', 'route53:ListTagsForResource', 'route53:GetChange'],
      write: ['route53:UpdateHealthCheck', 'route53:DeleteHealthCheck', 'route53:ChangeTagsForResource'],
      // Route 53 ARNs have no account part; IAM only authorises within the caller's account.
      resources: ['arn:aws:route53:::hostedzone/*', 'arn:aws:route53:::healthcheck/*', 'arn:aws:route53:::change/*'],
    },
    {
      sid: 'Route53Records',
      write: ['route53:ChangeResourceRecordSets'],
      resources: ['arn:aws:route53:::hostedzone/*'],
      conditions: [condition('ForAllValues:StringLike', 'route53:ChangeResourceRecordSetsNormalizedRecordNames', scope.domainName, `*.${scope.domainName}`)],
    },
    {
      sid: 'LogsDescribe',
      read: ['logs:DescribeLogGroups'],
      resources: ['*'],
      unscoped: 'logs:DescribeLogGroups is a list call that supports no resource-level permission',
    },
    {
      sid: 'LogGroups',
      read: ['logs:ListTagsForResource', 'logs:ListTagsLogGroup'],
      write: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey', 'logs:TagResource', 'logs:UntagResource', 'logs:TagLogGroup'],
      // RDS and DMS fix the shape of their log group names; everything else carries the prefix.
      resources: [
        arn('logs', scope, `log-group:${prefix}*`),
        arn('logs', scope, `log-group:/aws/rds/instance/${prefix}*`),
        arn('logs', scope, `log-group:dms-tasks-${prefix}*`),
      ],
    },
    {
      sid: 'CloudWatch',
      read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource', 'cloudwatch:GetDashboard'],
      write: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards'],
      resources: [arn('cloudwatch', scope, `alarm:${prefix}*`), `arn:aws:cloudwatch::${accountId}:dashboard/${prefix}*`],
    },
    {
      sid: 'TargetTrackingAlarms',
      // Application Auto Scaling creates and deletes a target-tracking policy's alarms
      // (`TargetTracking-service/<cluster>/<service>-AlarmHigh-<uuid>`) with the caller's permissions.
      read: ['cloudwatch:DescribeAlarms'],
      write: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
      resources: [arn('cloudwatch', scope, `alarm:TargetTracking-service/${prefix}*`)],
    },
    {
      sid: 'CloudWatchMetrics',
      // The runner's alarm gate reads the environment's alarm states (DescribeAlarms by name
      // prefix is authorised against alarm:*); the integration checks read the tags of what the
      // stacks created. (CDC catch-up is measured by LSN in the database, not by metrics.)
      read: ['cloudwatch:DescribeAlarms', 'tag:GetResources'],
      resources: ['*'],
      unscoped: 'tag:GetResources supports no resource-level permission; DescribeAlarms by prefix is authorised against alarm:*',
    },
    snsSet(scope),
    {
      sid: 'S3Buckets',
      read: ['s3:ListBucket', 's3:GetBucket*', 's3:GetAccelerateConfiguration', 's3:GetLifecycleConfiguration', 's3:GetReplicationConfiguration', 's3:GetEncryptionConfiguration'],
      write: [
        's3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketVersioning', 's3:PutBucketTagging',
        's3:PutBucketPublicAccessBlock', 's3:PutBucketOwnershipControls', 's3:PutBucketLogging', 's3:PutEncryptionConfiguration', 's3:PutLifecycleConfiguration',
        's3:ListBucketVersions',
      ],
      resources: [`arn:aws:s3:::${prefix}*`],
    },
    {
      sid: 'S3EmptyPreviewBuckets',
      // force_destroy on preview buckets empties them before deleting.
      write: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [`arn:aws:s3:::${prefix}*/*`],
    },
    {
      sid: 'Secrets',
      read: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'],
      write: [
        'secretsmanager:CreateSecret', 'secretsmanager:UpdateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource', 'secretsmanager:UntagResource', 'secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy',
        // The runner fills the DMS endpoint secrets from the legacy and the RDS-managed master secrets.
        'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue',
      ],
      // `rds!` secrets are the master passwords RDS manages for the instances the deploy role creates.
      resources: [arn('secretsmanager', scope, `secret:${prefix}*`), arn('secretsmanager', scope, 'secret:rds!*')],
    },
    ...(scope.existingSecretNames?.length
      ? [
          {
            sid: 'ExistingSecrets',
            read: ['secretsmanager:DescribeSecret'],
            write: ['secretsmanager:GetSecretValue'],
            // Secrets Manager appends a random 6-character suffix to every secret ARN.
            resources: scope.existingSecretNames.map((name) => arn('secretsmanager', scope, `secret:${name}-??????`)),
          },
        ]
      : []),
    {
      sid: 'IamRead',
      read: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'],
      resources: [...iamRoles, `arn:aws:iam::${accountId}:policy/${prefix}*`, 'arn:aws:iam::aws:policy/*'],
    },
    {
      sid: 'IamManageRoles',
      write: [
        'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole',
        'iam:CreatePolicy', 'iam:DeletePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy',
      ],
      resources: [...iamRoles, `arn:aws:iam::${accountId}:policy/${prefix}*`],
    },
    {
      sid: 'IamBoundedRoles',
      // A role the deploy role creates or edits must carry the same boundary, so it can never be more powerful.
      write: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
      resources: iamRoles,
      conditions: [boundary],
    },
    {
      sid: 'IamBoundedAttach',
      write: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      resources: iamRoles,
      conditions: [
        boundary,
        condition('ArnLike', 'iam:PolicyARN', 'arn:aws:iam::aws:policy/service-role/*', `arn:aws:iam::${accountId}:policy/${prefix}*`),
      ],
    },
    {
      sid: 'IamPassRole',
      write: ['iam:PassRole'],
      resources: iamRoles,
      conditions: [condition('StringEquals', 'iam:PassedToService', ...WORKLOAD_SERVICES)],
    },
    {
      sid: 'IamServiceLinkedRoles',
      write: ['iam:CreateServiceLinkedRole'],
      resources: [`arn:aws:iam::${accountId}:role/aws-service-role/*`],
      conditions: [condition('StringEquals', 'iam:AWSServiceName', ...SERVICE_LINKED_ROLE_SERVICES)],
    },
    {
      sid: 'AutoScalingDescribe',
      read: ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies'],
      resources: ['*'],
      unscoped: 'Application Auto Scaling Describe* actions support no resource-level permission',
    },
    {
      sid: 'AutoScalingManage',
      read: ['application-autoscaling:ListTagsForResource'],
      write: [
        'application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget',
        'application-autoscaling:PutScalingPolicy', 'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:TagResource', 'application-autoscaling:UntagResource',
      ],
      // Scalable-target ARNs carry generated ids: the account and region are the scope.
      resources: [arn('application-autoscaling', scope, 'scalable-target/*')],
    },
    {
      sid: 'AssumeLegacyMigrationRole',
      write: ['sts:AssumeRole'],
      resources: [scope.legacyMigrationRoleArn],
    },
  ];
}

/**
 * What the roles the deploy role creates (task execution and task roles, RDS monitoring,
 * flow logs, DMS) may ever do. It is not granted to anyone: it widens the permissions
 * boundary so those roles can work, while the boundary still caps them.
 */
export function workloadPermissions(scope: EnvironmentPermissionScope): PermissionSet[] {
  const { prefix, region, accountId } = scope;
  const logGroups = [`log-group:${prefix}*`, `log-group:/aws/rds/instance/${prefix}*`, 'log-group:RDSOSMetrics', `log-group:dms-tasks-${prefix}*`];
  return [
    {
      sid: 'WorkloadEcrToken',
      read: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
      unscoped: 'ecr:GetAuthorizationToken is registry-wide and supports no resource-level permission',
    },
    {
      sid: 'WorkloadEcrPull',
      read: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [`arn:aws:ecr:${region}:${scope.opsAccountId}:repository/*`],
    },
    {
      sid: 'WorkloadLogs',
      read: ['logs:DescribeLogStreams', 'logs:GetLogEvents'],
      write: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutRetentionPolicy'],
      resources: logGroups.flatMap((g) => [arn('logs', scope, g), arn('logs', scope, `${g}:log-stream:*`)]),
    },
    {
      sid: 'WorkloadSecrets',
      read: ['secretsmanager:GetSecretValue'],
      resources: [
        arn('secretsmanager', scope, `secret:${prefix}*`),
        arn('secretsmanager', scope, 'secret:rds!*'),
        `arn:aws:secretsmanager:${region}:${scope.legacyAccountId}:secret:*`,
      ],
    },
    {
      sid: 'WorkloadKeys',
      // Reading CMK-encrypted secrets and objects. Only the boundary holds this (the keys do not
      // exist at bootstrap, so it cannot name them); each role's own policy names its keys.
      read: ['kms:Decrypt'],
      resources: [arn('kms', scope, 'key/*')],
      conditions: [condition('StringEquals', 'kms:ViaService', `secretsmanager.${region}.amazonaws.com`, `s3.${region}.amazonaws.com`)],
    },
    {
      sid: 'WorkloadObjects',
      read: ['s3:GetObject'],
      write: ['s3:PutObject', 's3:DeleteObject'],
      resources: [`arn:aws:s3:::${prefix}*/*`],
    },
    {
      sid: 'WorkloadDbConnect',
      write: ['rds-db:connect'],
      resources: [`arn:aws:rds-db:${region}:${accountId}:dbuser:*/*`],
    },
    {
      sid: 'WorkloadEcsExec',
      // The database access task's agent opens ECS Exec's channels (SSM port forwarding).
      write: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
      resources: ['*'],
      unscoped: 'ssmmessages actions support no resource-level permission',
    },
    {
      sid: 'WorkloadNetworkInterfaces',
      // DMS places its replication instance's interfaces through dms-vpc-role.
      write: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:ModifyNetworkInterfaceAttribute'],
      resources: [arn('ec2', scope, '*')],
    },
  ];
}

export interface OpsPermissionScope extends AccountScope {
  /** Name prefix of the ECR repositories (they are shared: `ops-` unless the registry says otherwise). @default - `prefix` */
  readonly repositoryPrefix?: string;
}

/** What the ops account's deploy role needs for the ops stacks it applies (registry, migration ledger). */
export function opsDeployPermissions(scope: OpsPermissionScope): PermissionSet[] {
  const repositories = arn('ecr', scope, `repository/${scope.repositoryPrefix ?? scope.prefix}*`);
  return [
    ...kmsSets(scope),
    {
      sid: 'KmsRetireGrants',
      // Deleting a KMS-encrypted repository retires the grant ECR made on its key, as the caller.
      write: ['kms:RetireGrant'],
      resources: [arn('kms', scope, 'key/*')],
    },
    snsSet(scope),
    {
      sid: 'EcrDescribe',
      read: ['ecr:DescribeRegistry'],
      resources: ['*'],
      unscoped: 'ecr:DescribeRegistry is a registry-level call without a resource',
    },
    {
      sid: 'EcrRepositories',
      read: ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:GetRepositoryPolicy', 'ecr:ListTagsForResource'],
      write: [
        'ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:PutLifecyclePolicy', 'ecr:DeleteLifecyclePolicy',
        'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy', 'ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability',
        'ecr:TagResource', 'ecr:UntagResource',
      ],
      resources: [repositories],
    },
    {
      sid: 'DynamoDbTables',
      read: ['dynamodb:DescribeTable', 'dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeTimeToLive', 'dynamodb:ListTagsOfResource'],
      write: ['dynamodb:CreateTable', 'dynamodb:UpdateTable', 'dynamodb:DeleteTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:UpdateTimeToLive', 'dynamodb:TagResource', 'dynamodb:UntagResource'],
      resources: [arn('dynamodb', scope, `table/${scope.prefix}*`)],
    },
  ];
}

export interface LegacyPermissionScope extends AccountScope {
  /** Name prefix of the one environment this role serves (`dev-`): the snapshot copies legacy makes for it carry it. */
  readonly environmentPrefix: string;
  /** Account of that environment: the only requester whose peerings this role may accept or delete. */
  readonly environmentAccountId: string;
  /** The legacy VPC id (peering acceptance, routes and SG rules are limited to it). */
  readonly vpcId: string;
  /** Names under which records may change in the legacy zone (the environment's domain). */
  readonly recordDomains: readonly string[];
  /** Other environments' domains below `recordDomains` (prod's domain is the zone apex): never changed by this role. @default - none */
  readonly excludedRecordDomains?: readonly string[];
  /** Source snapshot identifiers (from the organisation model). */
  readonly sourceSnapshots: readonly string[];
  /** Legacy instances the runner snapshots (`CreateDBSnapshot` authorises on the instance and the new snapshot). */
  readonly sourceInstances: readonly string[];
  /** The share keys (alias `alias/...` or key ARN) the snapshot copies are re-encrypted with. */
  readonly shareKeys: readonly string[];
  /** Secrets Manager names of the legacy database credentials (the runner reads them to fill the DMS source secret). */
  readonly secretNames: readonly string[];
}

/**
 * What one environment's stacks and runner do in the legacy account through that
 * environment's legacy migration role: snapshot the legacy instance, copy and share the
 * snapshot with the share key, accept the environment's peering and add routes and SG
 * rules for it in the legacy VPC, change records of the environment's names (and no other
 * environment's) in the legacy zone, read the legacy database secret, and look things up.
 */
export function legacyMigrationPermissions(scope: LegacyPermissionScope): PermissionSet[] {
  const { region, accountId } = scope;
  const vpc = condition('ArnEquals', 'ec2:Vpc', `arn:aws:ec2:${region}:${accountId}:vpc/${scope.vpcId}`);
  const copies = [arn('rds', scope, `snapshot:${scope.environmentPrefix}*`)];
  const requester = condition('ArnLike', 'ec2:RequesterVpc', `arn:aws:ec2:${region}:${scope.environmentAccountId}:vpc/*`);
  const records = condition('ForAllValues:StringLike', 'route53:ChangeResourceRecordSetsNormalizedRecordNames', ...scope.recordDomains.flatMap((d) => [d, `*.${d}`]));
  const excluded = scope.excludedRecordDomains ?? [];
  const keyArns = scope.shareKeys.filter((k) => k.startsWith('arn:'));
  const keyAliases = scope.shareKeys.filter((k) => !k.startsWith('arn:'));
  const sets: PermissionSet[] = [
    {
      sid: 'Ec2Describe',
      read: ['ec2:Describe*'],
      resources: ['*'],
      unscoped: 'EC2 Describe* actions support no resource-level permission',
    },
    {
      sid: 'AcceptPeering',
      write: ['ec2:AcceptVpcPeeringConnection', 'ec2:ModifyVpcPeeringConnectionOptions', 'ec2:DeleteVpcPeeringConnection'],
      resources: [arn('ec2', scope, 'vpc-peering-connection/*')],
      conditions: [condition('ArnEquals', 'ec2:AccepterVpc', `arn:aws:ec2:${region}:${accountId}:vpc/${scope.vpcId}`), requester],
    },
    {
      sid: 'AcceptPeeringVpc',
      // AcceptVpcPeeringConnection may also be authorised against the accepter VPC itself.
      write: ['ec2:AcceptVpcPeeringConnection'],
      resources: [`arn:aws:ec2:${region}:${accountId}:vpc/${scope.vpcId}`],
    },
    {
      sid: 'TagPeering',
      write: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [arn('ec2', scope, 'vpc-peering-connection/*'), arn('ec2', scope, 'security-group-rule/*')],
    },
    {
      sid: 'PeeringRoutes',
      write: ['ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute'],
      resources: [arn('ec2', scope, 'route-table/*')],
      conditions: [vpc],
    },
    {
      sid: 'PeeringSecurityGroupRules',
      write: [
        'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress',
        'ec2:UpdateSecurityGroupRuleDescriptionsIngress', 'ec2:UpdateSecurityGroupRuleDescriptionsEgress', 'ec2:ModifySecurityGroupRules',
      ],
      resources: [arn('ec2', scope, 'security-group/*')],
      conditions: [vpc],
    },
    {
      sid: 'PeeringSecurityGroupRuleIds',
      // Rule ids (sgr-...) are authorised separately and have no VPC context; a rule tagged at
      // creation (aws_vpc_security_group_*_rule) authorises AuthorizeSecurityGroup* on it too.
      write: ['ec2:ModifySecurityGroupRules', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
      resources: [arn('ec2', scope, 'security-group-rule/*')],
    },
    {
      sid: 'RdsDescribe',
      read: ['rds:DescribeDBSnapshots', 'rds:DescribeDBInstances', 'rds:DescribeDBSnapshotAttributes', 'rds:ListTagsForResource'],
      resources: ['*'],
      unscoped: 'filtered RDS Describe calls (snapshots by instance, instances by filter) accept only *',
    },
    {
      sid: 'SnapshotCopyAndShare',
      write: ['rds:CopyDBSnapshot', 'rds:ModifyDBSnapshotAttribute', 'rds:DeleteDBSnapshot', 'rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
      resources: copies,
    },
    {
      sid: 'SnapshotSources',
      // The runner takes the pre-migration snapshot (tagged at creation) that the stacks copy.
      write: ['rds:CopyDBSnapshot', 'rds:CreateDBSnapshot', 'rds:AddTagsToResource'],
      resources: scope.sourceSnapshots.map((s) => arn('rds', scope, `snapshot:${s}`)),
    },
    {
      sid: 'SnapshotInstances',
      write: ['rds:CreateDBSnapshot'],
      resources: scope.sourceInstances.map((i) => arn('rds', scope, `db:${i}`)),
    },
    {
      sid: 'KmsListAliases',
      read: ['kms:ListAliases'],
      resources: ['*'],
      unscoped: 'kms:ListAliases supports no resource-level permission',
    },
    {
      sid: 'SourceSnapshotKeys',
      // Reading the source snapshot's key (whatever customer key it has) only through RDS.
      read: ['kms:DescribeKey'],
      write: ['kms:CreateGrant'],
      resources: [arn('kms', scope, 'key/*')],
      conditions: [condition('StringEquals', 'kms:ViaService', `rds.${region}.amazonaws.com`)],
    },
    {
      sid: 'Route53Read',
      read: ['route53:ListHostedZones', 'route53:ListHostedZonesByName'],
      resources: ['*'],
      unscoped: 'route53:ListHostedZones(ByName) support no resource-level permission',
    },
    {
      sid: 'Route53Zone',
      read: ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:GetChange', 'route53:ListTagsForResource'],
      resources: ['arn:aws:route53:::hostedzone/*', 'arn:aws:route53:::change/*'],
    },
    {
      sid: 'Route53Records',
      write: ['route53:ChangeResourceRecordSets'],
      resources: ['arn:aws:route53:::hostedzone/*'],
      conditions: excluded.length
        ? [records, condition('ForAllValues:StringNotLike', 'route53:ChangeResourceRecordSetsNormalizedRecordNames', ...excluded.flatMap((d) => [d, `*.${d}`]))]
        : [records],
    },
    {
      sid: 'LegacySecrets',
      read: ['secretsmanager:DescribeSecret'],
      // The runner copies the legacy credentials into the environment's DMS source secret.
      write: ['secretsmanager:GetSecretValue'],
      resources: scope.secretNames.map((name) => arn('secretsmanager', scope, `secret:${name}-??????`)),
    },
    {
      sid: 'LegacySecretKeys',
      write: ['kms:Decrypt'],
      resources: [arn('kms', scope, 'key/*')],
      conditions: [condition('StringEquals', 'kms:ViaService', `secretsmanager.${region}.amazonaws.com`)],
    },
  ];
  // RDS re-encrypts the copy through a grant: the caller needs CreateGrant, never Decrypt.
  const keyUse = ['kms:CreateGrant'];
  if (keyArns.length) {
    sets.push({ sid: 'ShareKeyByArn', read: ['kms:DescribeKey'], write: keyUse, resources: keyArns });
  }
  if (keyAliases.length) {
    sets.push({
      sid: 'ShareKeyByAlias',
      read: ['kms:DescribeKey'],
      write: keyUse,
      resources: [arn('kms', scope, 'key/*')],
      conditions: [condition('ForAnyValue:StringEquals', 'kms:ResourceAliases', ...keyAliases)],
    });
  }
  return sets.filter((s) => s.resources.length > 0);
}
