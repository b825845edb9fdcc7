import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';
import { FARGATE_MEMORY, LOG_RETENTION_DAYS, type Naming, type ServiceConfig, type ServiceSettings } from '@estate/config';
import { condition, PolicyStatement, Role, servicePrincipal, type Grantable } from '@estate/iam';
import { registryTokenStatement } from './container-repository';
import { EXECUTION_ROLE_SUFFIX, SERVICE_NAME_PATTERN } from './shared-image';
import type { PublicLoadBalancer } from './public-load-balancer';

/** Where the tasks run. `VpcNetwork` satisfies it. */
export interface ServiceNetwork {
  readonly vpcId: string;
  /** Private subnets (egress through NAT or VPC endpoints), no public IPs. */
  readonly privateSubnetIds: readonly string[];
}

/** The image to run, from the shared ops repository ({@link sharedImageUri}, {@link sharedRepository}). */
export interface ContainerImage {
  /** Full image reference (`<registry>/<repo>:<tag>` or `@sha256:`); may be a token (the `image_tag` variable). */
  readonly uri: string;
  /** The repository the execution role may pull from: the only one. */
  readonly repositoryArn: string;
  /**
   * The repository's KMS key, when known here: the execution role may then decrypt with it
   * through ECR. ECR decrypts layers with the grant it holds on the key, so pulls work without it.
   * @default - no KMS permission for pulls
   */
  readonly keyArn?: string;
}

/** A Secrets Manager value injected into the container as an environment variable at start. */
export interface ContainerSecret {
  /** Variable name in the container (`DB_PASSWORD`). */
  readonly name: string;
  readonly secretArn: string;
  /** Key inside a JSON secret (`password`). @default - the whole secret string */
  readonly jsonKey?: string;
  /** Customer key the secret is encrypted with: the execution role may decrypt with it through Secrets Manager. @default - none (AWS managed key) */
  readonly kmsKeyArn?: string;
}

export interface FargateServiceProps {
  readonly naming: Naming;
  /** The service as the organisation model describes it (name, port, health path). */
  readonly service: ServiceConfig;
  /** Size and scaling of the tier (`settings.service`). */
  readonly settings: ServiceSettings;
  /** Region of the log group (awslogs driver). */
  readonly region: string;
  /** Retention of the service's log group, days (`settings.logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** Customer key that encrypts the log group (its policy admits logs.<region>.amazonaws.com). */
  readonly logKeyArn: string;
  readonly cluster: { readonly clusterArn: string; readonly clusterName: string };
  readonly network: ServiceNetwork;
  readonly image: ContainerImage;
  /** The load balancer in front: its target group receives the tasks; only its security group may reach them. */
  readonly loadBalancer: PublicLoadBalancer;
  /** Secrets injected as variables (never plain values). @default - none */
  readonly secrets?: readonly ContainerSecret[];
  /** Plain, non-secret variables. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Further security groups of the tasks (e.g. a database's client group). @default - none */
  readonly securityGroupIds?: readonly string[];
  /** Permissions boundary both roles carry (the deploy role may only create bounded roles). @default - none */
  readonly permissionsBoundaryArn?: string;
  /** `uid[:gid]` the container runs as; never root. @default '10001:10001' */
  readonly user?: string;
  /** Container health check command. @default - CMD-SHELL `curl -fsS http://localhost:<port><healthCheckPath>` */
  readonly healthCheckCommand?: readonly string[];
}

const CPU_TARGET = { min: 10, max: 90 };

/**
 * One service on Fargate behind its load balancer.
 *
 * - Image from the shared ops repository; the **execution role** may pull only from that
 *   repository (plus the registry-wide token), write only to the service's own log group and
 *   read only the secrets it injects.
 * - A separate **task role** that starts with no permissions: grants add what the service uses.
 * - The container runs as a non-root user with a read-only root filesystem (a scratch `/tmp`
 *   volume), not privileged, all Linux capabilities dropped, logs to an encrypted log group,
 *   secrets from Secrets Manager, and a container health check.
 * - Tasks in private subnets without public IPs; their security group admits only the load
 *   balancer on the container port. Deployments roll back through the circuit breaker;
 *   Application Auto Scaling tracks CPU and requests per target between the tier's min and max.
 */
export class FargateService extends Construct {
  public readonly executionRole: Role;
  public readonly taskRole: Role;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly taskDefinition: EcsTaskDefinition;
  public readonly ecsService: EcsService;
  public readonly securityGroup: SecurityGroup;
  public readonly securityGroupId: string;
  public readonly scalableTarget: AppautoscalingTarget;
  public readonly serviceName: string;
  /** Name of the container in the task definition (the service name). */
  public readonly containerName: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    validate(id, props);
    const { naming, service, settings } = props;
    const name = service.name;
    this.containerName = name;
    const caller = new DataAwsCallerIdentity(this, 'account');
    const ecsTasks = servicePrincipal('ecs-tasks.amazonaws.com');
    const sameAccount = [condition('StringEquals', 'aws:SourceAccount', caller.accountId)];

    const logGroupName = naming.resource('log-group', `ecs-${name}`);
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKeyArn,
      tags: { Name: logGroupName },
    });

    this.executionRole = new Role(this, 'execution-role', {
      roleName: naming.resource('iam-role', `${name}${EXECUTION_ROLE_SUFFIX}`),
      description: `ECS agent for ${name}: pulls its image, writes its logs, reads its injected secrets`,
      assumedBy: ecsTasks,
      trustConditions: sameAccount,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    this.executionRole.addToPolicy(registryTokenStatement());
    this.executionRole.addToPolicy(
      new PolicyStatement({ sid: 'PullOwnImage', actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], resources: [props.image.repositoryArn] }),
    );
    if (props.image.keyArn) {
      this.executionRole.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptOwnImage',
          actions: ['kms:Decrypt'],
          resources: [props.image.keyArn],
          conditions: [condition('StringEquals', 'kms:ViaService', `ecr.${props.region}.amazonaws.com`)],
        }),
      );
    }
    this.executionRole.addToPolicy(
      new PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:log-stream:*`] }),
    );
    const secrets = props.secrets ?? [];
    const secretArns = unique(secrets.map((s) => s.secretArn));
    if (secretArns.length > 0) {
      this.executionRole.addToPolicy(new PolicyStatement({ sid: 'ReadInjectedSecrets', actions: ['secretsmanager:GetSecretValue'], resources: secretArns }));
    }
    const secretKeys = unique(secrets.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : [])));
    if (secretKeys.length > 0) {
      this.executionRole.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptInjectedSecrets',
          actions: ['kms:Decrypt'],
          resources: secretKeys,
          conditions: [condition('StringEquals', 'kms:ViaService', `secretsmanager.${props.region}.amazonaws.com`)],
        }),
      );
    }

    this.taskRole = new Role(this, 'task-role', {
      roleName: naming.resource('iam-role', `${name}-task`),
      description: `Application role of ${name}: only what grants add`,
      assumedBy: ecsTasks,
      trustConditions: sameAccount,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });

    // A token image reference carries a conditional expression: a local keeps the container definitions plain JSON.
    const image = Token.isUnresolved(props.image.uri) ? new TerraformLocal(this, 'image', props.image.uri).asString : props.image.uri;
    const container = {
      name,
      image,
      essential: true,
      user: props.user ?? '10001:10001',
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters: { capabilities: { drop: ['ALL'] }, initProcessEnabled: true },
      portMappings: [{ containerPort: service.containerPort, protocol: 'tcp', name: 'http' }],
      environment: Object.entries(props.environment ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => ({ name: key, value })),
      secrets: secrets.map((s) => ({ name: s.name, valueFrom: s.jsonKey ? `${s.secretArn}:${s.jsonKey}::` : s.secretArn })),
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': this.logGroup.name, 'awslogs-region': props.region, 'awslogs-stream-prefix': name },
      },
      healthCheck: {
        command: [...(props.healthCheckCommand ?? ['CMD-SHELL', `curl -fsS http://localhost:${service.containerPort}${service.healthCheckPath} || exit 1`])],
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 60,
      },
    };
    const family = naming.resource('ecs-task-family', name);
    this.taskDefinition = new EcsTaskDefinition(this, 'task-definition', {
      family,
      cpu: String(settings.cpu),
      memory: String(settings.memoryMib),
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: this.executionRole.roleArn,
      taskRoleArn: this.taskRole.roleArn,
      volume: [{ name: 'tmp' }],
      containerDefinitions: JSON.stringify([container]),
      tags: { Name: family },
    });

    const sgName = naming.resource('security-group', `${name}-tasks`);
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: sgName,
      description: `Tasks of ${name}: ${service.containerPort}/tcp from its load balancer only`,
      vpcId: props.network.vpcId,
      tags: { Name: sgName },
    });
    this.securityGroupId = this.securityGroup.id;
    new VpcSecurityGroupIngressRule(this, 'ingress-alb', {
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: props.loadBalancer.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: service.containerPort,
      toPort: service.containerPort,
      description: `HTTP from the ${name} load balancer`,
    });
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: this.securityGroup.id,
      cidrIpv4: '0.0.0.0/0',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs, S3) through NAT or VPC endpoints',
    });
    props.loadBalancer.allowTo(this.securityGroup.id, service.containerPort, `HTTP to the ${name} tasks`);

    this.serviceName = naming.resource('ecs-service', name);
    this.ecsService = new EcsService(this, 'service', {
      name: this.serviceName,
      cluster: props.cluster.clusterArn,
      taskDefinition: this.taskDefinition.arn,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      desiredCount: settings.desiredCount,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriodSeconds: 60,
      enableExecuteCommand: false,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      networkConfiguration: {
        subnets: [...props.network.privateSubnetIds],
        securityGroups: [this.securityGroup.id, ...(props.securityGroupIds ?? [])],
        assignPublicIp: false,
      },
      loadBalancer: [{ targetGroupArn: props.loadBalancer.targetGroupArn, containerName: name, containerPort: service.containerPort }],
      // Auto scaling owns the running count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
      // The target group must be attached to a listener before a service can register into it.
      dependsOn: [props.loadBalancer.httpsListener],
      tags: { Name: this.serviceName },
    });

    const resourceId = `service/${props.cluster.clusterName}/${this.ecsService.name}`;
    this.scalableTarget = new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId,
      minCapacity: settings.minCount,
      maxCapacity: settings.maxCount,
    });
    const tracking = (policyId: string, metric: string, target: number, resourceLabel?: string) =>
      new AppautoscalingPolicy(this, policyId, {
        name: `${this.serviceName}-${policyId}`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: this.scalableTarget.serviceNamespace,
        scalableDimension: this.scalableTarget.scalableDimension,
        resourceId: this.scalableTarget.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: target,
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
          predefinedMetricSpecification: { predefinedMetricType: metric, resourceLabel },
        },
      });
    tracking('cpu', 'ECSServiceAverageCPUUtilization', settings.cpuTargetPercent);
    tracking('requests', 'ALBRequestCountPerTarget', settings.requestsPerTarget, `${props.loadBalancer.arnSuffix}/${props.loadBalancer.targetGroupArnSuffix}`);
  }

  /** The task role, for grants (`bucket.grantReadWrite(service.grantee)`). */
  get grantee(): Grantable {
    return this.taskRole;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function validate(id: string, props: FargateServiceProps): void {
  const { service, settings } = props;
  const memory = FARGATE_MEMORY[settings.cpu];
  const names = (props.secrets ?? []).map((s) => s.name).concat(Object.keys(props.environment ?? {}));
  const rules = [
    { ok: SERVICE_NAME_PATTERN.test(service.name), message: `name '${service.name}' must be lowercase letters, digits and dashes, starting with a letter (at most 31)` },
    { ok: Number.isInteger(service.containerPort) && service.containerPort >= 1024 && service.containerPort <= 65535, message: `containerPort ${service.containerPort} must be 1024..65535 (a non-root user cannot bind below 1024)` },
    { ok: /^\/[\x21-\x7e]*$/.test(service.healthCheckPath), message: `healthCheckPath '${service.healthCheckPath}' must start with '/' and contain no spaces` },
    { ok: memory !== undefined, message: `cpu ${settings.cpu} is not a Fargate size (${Object.keys(FARGATE_MEMORY).join(', ')})` },
    { ok: memory === undefined || memory.includes(settings.memoryMib), message: `memoryMib ${settings.memoryMib} is not valid with cpu ${settings.cpu} (${memory?.join(', ')})` },
    { ok: Number.isInteger(settings.minCount) && settings.minCount >= 1, message: `minCount ${settings.minCount} must be a whole number >= 1` },
    { ok: settings.minCount <= settings.desiredCount && settings.desiredCount <= settings.maxCount, message: `counts must satisfy minCount (${settings.minCount}) <= desiredCount (${settings.desiredCount}) <= maxCount (${settings.maxCount})` },
    { ok: settings.cpuTargetPercent >= CPU_TARGET.min && settings.cpuTargetPercent <= CPU_TARGET.max, message: `cpuTargetPercent ${settings.cpuTargetPercent} must be ${CPU_TARGET.min}..${CPU_TARGET.max}` },
    { ok: settings.requestsPerTarget >= 1, message: `requestsPerTarget ${settings.requestsPerTarget} must be >= 1` },
    { ok: (LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays), message: `logRetentionDays ${props.logRetentionDays} is not a CloudWatch retention (${LOG_RETENTION_DAYS.join(', ')})` },
    { ok: props.user === undefined || /^[1-9]\d*(:\d+)?$/.test(props.user), message: `user '${props.user}' must be a non-zero uid[:gid] (never root)` },
    { ok: names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)), message: `variable names [${names.join(', ')}] must be letters, digits and underscores` },
    { ok: new Set(names).size === names.length, message: `variable names [${names.join(', ')}] repeat (a name is either a secret or a plain value)` },
    { ok: Token.isUnresolved(props.network.privateSubnetIds) || props.network.privateSubnetIds.length >= 2, message: `tasks need private subnets in at least two AZs; got ${props.network.privateSubnetIds.length}` },
  ];
  const failed = rules.filter((r) => !r.ok).map((r) => r.message);
  if (failed.length > 0) throw new Error(`FargateService ${id} (${service.name}): ${failed.join('; ')}`);
}
