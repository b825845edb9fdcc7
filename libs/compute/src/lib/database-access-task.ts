import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Construct } from 'constructs';
import type { Naming } from '@estate/config';
import { condition, PolicyStatement, Role, servicePrincipal } from '@estate/iam';
import { EcsCluster } from './ecs-cluster';
import type { ServiceNetwork } from './fargate-service';

/**
 * The image of the access task: it only has to stay up while ECS Exec's agent (which ECS
 * mounts into the container) forwards ports; `sleep` is all it runs. Pulled from ECR Public
 * through the private subnets' NAT.
 */
export const DATABASE_ACCESS_IMAGE = 'public.ecr.aws/docker/library/busybox:1.37';
/** Name of the task's only container: the SSM target is `ecs:<cluster>_<task id>_<its runtime id>`. */
export const DATABASE_ACCESS_CONTAINER = 'access';
/** A task the runner forgot (killed host, lost network) ends on its own after this long. */
export const DATABASE_ACCESS_MAX_SECONDS = 8 * 3600;
/** Actions ECS Exec's agent calls to open its control and data channels (no resource-level permission). */
export const SSM_MESSAGES_ACTIONS = ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'] as const;

export interface DatabaseAccessTaskProps {
  readonly naming: Naming;
  /** Region of the log group (awslogs driver). */
  readonly region: string;
  /** Retention of the task's log group, days (`settings.logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** Customer key that encrypts the log group (its policy admits logs.<region>.amazonaws.com). */
  readonly logKeyArn: string;
  /** Where the task runs: private subnets, whose NAT (or VPC endpoints) reach SSM, Logs and ECR Public. */
  readonly network: ServiceNetwork;
  /** The databases' client security groups: each is admitted by its database on its port, and nothing else is. */
  readonly clientSecurityGroupIds: readonly string[];
  /** Permissions boundary both roles carry (the deploy role may only create bounded roles). @default - none */
  readonly permissionsBoundaryArn?: string;
  /** Image that runs `sleep`. @default DATABASE_ACCESS_IMAGE */
  readonly image?: string;
}

/**
 * The path from the operator's host to the environment's databases, which live in isolated
 * subnets: an ECS cluster and a one-container Fargate task definition the migration runner
 * starts for a run (`ecs:RunTask` with ECS Exec on) and stops at its end. The runner opens
 * SSM port-forwarding sessions (`AWS-StartPortForwardingSessionToRemoteHost`) through it to a
 * database endpoint; TLS runs end to end between the runner and the database, so the task
 * never sees a password or a row, and the certificate is checked against the endpoint's name.
 *
 * - The task carries the databases' client security groups (the databases admit them on their
 *   ports) and its own group, whose only egress is HTTPS (the SSM channels, Logs, ECR Public).
 * - The task role may only open ECS Exec's message channels; the execution role may only write
 *   the task's own log group. Nothing is injected: the container holds no secret.
 * - The root filesystem stays writable: the ECS Exec agent writes its state into the container,
 *   and AWS documents a read-only root filesystem as unsupported with ECS Exec. The container
 *   runs `sleep` only, drops every Linux capability and ends by itself after
 *   {@link DATABASE_ACCESS_MAX_SECONDS}.
 */
export class DatabaseAccessTask extends Construct {
  public readonly cluster: EcsCluster;
  public readonly taskDefinition: EcsTaskDefinition;
  public readonly taskRole: Role;
  public readonly executionRole: Role;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly securityGroup: SecurityGroup;
  /** Every group a task gets: its own, then the databases' client groups. */
  public readonly securityGroupIds: readonly string[];
  public readonly subnetIds: readonly string[];
  public readonly containerName = DATABASE_ACCESS_CONTAINER;

  constructor(scope: Construct, id: string, props: DatabaseAccessTaskProps) {
    super(scope, id);
    const { naming } = props;
    if (props.clientSecurityGroupIds.length === 0) throw new Error(`${id}: clientSecurityGroupIds is empty; the access task exists to reach databases, and none admits it`);
    // awsvpc tasks take at most five security groups: its own plus four databases.
    if (props.clientSecurityGroupIds.length > 4) {
      throw new Error(`${id}: ${props.clientSecurityGroupIds.length} client security groups; a Fargate task carries at most 5 security groups (its own and 4 databases)`);
    }
    if (props.network.privateSubnetIds.length === 0) throw new Error(`${id}: network has no private subnets; the access task needs egress to SSM through NAT or VPC endpoints`);

    this.cluster = new EcsCluster(this, 'cluster', { naming, name: 'db-access' });
    const caller = new DataAwsCallerIdentity(this, 'account');
    const ecsTasks = servicePrincipal('ecs-tasks.amazonaws.com');
    const sameAccount = [condition('StringEquals', 'aws:SourceAccount', caller.accountId)];

    const logGroupName = naming.resource('log-group', 'ecs-db-access');
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKeyArn,
      tags: { Name: logGroupName },
    });
    this.executionRole = new Role(this, 'execution-role', {
      roleName: naming.resource('iam-role', 'db-access-execution'),
      description: 'ECS agent for the database access task: writes its logs (the image is public, nothing is injected)',
      assumedBy: ecsTasks,
      trustConditions: sameAccount,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    this.executionRole.addToPolicy(new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:log-stream:*`] }));

    this.taskRole = new Role(this, 'task-role', {
      roleName: naming.resource('iam-role', 'db-access-task'),
      description: "The database access task: only ECS Exec's message channels (SSM port forwarding)",
      assumedBy: ecsTasks,
      trustConditions: sameAccount,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    this.taskRole.addToPolicy(new PolicyStatement({ sid: 'EcsExecChannels', actions: [...SSM_MESSAGES_ACTIONS], resources: ['*'] }));

    const container = {
      name: DATABASE_ACCESS_CONTAINER,
      image: props.image ?? DATABASE_ACCESS_IMAGE,
      essential: true,
      command: ['sleep', String(DATABASE_ACCESS_MAX_SECONDS)],
      privileged: false,
      linuxParameters: { capabilities: { drop: ['ALL'] }, initProcessEnabled: true },
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': this.logGroup.name, 'awslogs-region': props.region, 'awslogs-stream-prefix': 'access' },
      },
    };
    const family = naming.resource('ecs-task-family', 'db-access');
    this.taskDefinition = new EcsTaskDefinition(this, 'task-definition', {
      family,
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: this.executionRole.roleArn,
      taskRoleArn: this.taskRole.roleArn,
      containerDefinitions: JSON.stringify([container]),
      tags: { Name: family },
    });

    const sgName = naming.resource('security-group', 'db-access');
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: sgName,
      description: 'Database access task: no ingress; HTTPS out to SSM, Logs and ECR Public',
      vpcId: props.network.vpcId,
      tags: { Name: sgName },
    });
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to SSM messages, CloudWatch Logs and ECR Public through NAT or VPC endpoints',
    });
    this.securityGroupIds = [this.securityGroup.id, ...props.clientSecurityGroupIds];
    this.subnetIds = props.network.privateSubnetIds;
  }
}
