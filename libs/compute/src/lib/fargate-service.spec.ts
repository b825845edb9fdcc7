import { CERTIFICATE_ARN, NETWORK, all, environment, only, organisation, testStack } from '../testing/fixtures';
import { EcsCluster } from './ecs-cluster';
import { FargateService, type FargateServiceProps } from './fargate-service';
import { PublicLoadBalancer } from './public-load-balancer';
import { imageTagVariable, sharedImageUri, sharedRepository } from './shared-image';

const LOG_KEY = 'arn:aws:kms:us-east-1:333333333333:key/11111111-2222-3333-4444-555555555555';
const SECRET = 'arn:aws:secretsmanager:us-east-1:333333333333:secret:rds!db-abc-123456';

function build(name: 'dev' | 'prod', overrides: Partial<FargateServiceProps> = {}) {
  const env = environment(name);
  const org = organisation();
  const api = org.services[0];
  const { stack, synth } = testStack();
  const tag = imageTagVariable(stack);
  const cluster = new EcsCluster(stack, 'cluster', { naming: env.naming });
  const alb = new PublicLoadBalancer(stack, 'api-alb', {
    naming: env.naming,
    name: api.name,
    network: NETWORK,
    settings: { ...env.settings.loadBalancer, accessLogs: false },
    certificateArn: CERTIFICATE_ARN,
    target: { port: api.containerPort, healthCheckPath: api.healthCheckPath },
  });
  const service = new FargateService(stack, 'api', {
    naming: env.naming,
    service: api,
    settings: env.settings.service,
    region: env.region,
    logRetentionDays: env.settings.logs.retentionDays,
    logKeyArn: LOG_KEY,
    cluster,
    network: NETWORK,
    image: { uri: sharedImageUri(org, api, tag.stringValue), repositoryArn: sharedRepository(org, api).repositoryArn },
    loadBalancer: alb,
    secrets: [
      { name: 'DB_USERNAME', secretArn: SECRET, jsonKey: 'username', kmsKeyArn: LOG_KEY },
      { name: 'DB_PASSWORD', secretArn: SECRET, jsonKey: 'password', kmsKeyArn: LOG_KEY },
    ],
    environment: { DB_HOST: 'db.internal', DB_PORT: '5432' },
    ...overrides,
  });
  return { json: synth(), service, env };
}

const policyOf = (json: any, roleName: string) => {
  const roleKey = Object.entries(json.resource.aws_iam_role).find(([, r]: any) => r.name === roleName)![0];
  const policy = all(json, 'aws_iam_role_policy').find((p) => p.role === `\${aws_iam_role.${roleKey}.id}`);
  return JSON.parse(policy.policy);
};

describe('FargateService', () => {
  const dev = build('dev');
  const prod = build('prod');

  it('sizes tasks and scaling from the tier: dev is small, prod is larger with three tasks minimum', () => {
    const devTask = only(dev.json, 'aws_ecs_task_definition');
    const prodTask = only(prod.json, 'aws_ecs_task_definition');
    expect([devTask.cpu, devTask.memory]).toEqual(['512', '1024']);
    expect([prodTask.cpu, prodTask.memory]).toEqual(['1024', '2048']);
    expect(only(dev.json, 'aws_ecs_service').desired_count).toBe(1);
    expect(only(prod.json, 'aws_ecs_service').desired_count).toBe(3);
    const devTarget = only(dev.json, 'aws_appautoscaling_target');
    const prodTarget = only(prod.json, 'aws_appautoscaling_target');
    expect([devTarget.min_capacity, devTarget.max_capacity]).toEqual([1, 3]);
    expect([prodTarget.min_capacity, prodTarget.max_capacity]).toEqual([3, 12]);
  });

  it('lets the execution role pull only from the ops repository and write only to its own log group', () => {
    const policy = policyOf(dev.json, 'dev-api-execution');
    const logGroupKey = Object.keys(dev.json.resource.aws_cloudwatch_log_group)[0];
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'PullOwnImage', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: 'arn:aws:ecr:us-east-1:222222222222:repository/ops-api' },
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `\${aws_cloudwatch_log_group.${logGroupKey}.arn}:log-stream:*` },
      { Sid: 'ReadInjectedSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET },
      {
        Sid: 'DecryptInjectedSecrets',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: LOG_KEY,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      },
    ]);
    expect(dev.json.resource.aws_cloudwatch_log_group[logGroupKey]).toMatchObject({ name: 'dev-ecs-api', retention_in_days: 30, kms_key_id: LOG_KEY });
  });

  it('gives the task role no permissions until something is granted', () => {
    expect(policyOf(dev.json, 'dev-api-task').Statement).toEqual([expect.objectContaining({ Sid: 'NoPermissionsYet', Effect: 'Deny' })]);
  });

  it('runs the container non-root, read-only, unprivileged, with secrets injected and a health check', () => {
    const [container] = JSON.parse(only(dev.json, 'aws_ecs_task_definition').container_definitions);
    expect(container).toMatchObject({
      user: '10001:10001',
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters: { capabilities: { drop: ['ALL'] } },
      portMappings: [{ containerPort: 8080, protocol: 'tcp', name: 'http' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'api' } },
    });
    expect(container.secrets).toEqual([
      { name: 'DB_USERNAME', valueFrom: `${SECRET}:username::` },
      { name: 'DB_PASSWORD', valueFrom: `${SECRET}:password::` },
    ]);
    expect(container.environment.map((e: any) => e.name)).toEqual(['DB_HOST', 'DB_PORT']);
    expect(container.healthCheck.command).toEqual(['CMD-SHELL', 'curl -fsS http://localhost:8080/health || exit 1']);
    expect(container.image).toMatch(/^\$\{local\.[A-Za-z0-9_]+\}$/);
  });

  it('builds the image from the ops registry and the image_tag variable, validated', () => {
    const local = Object.values<string>(dev.json.locals)[0];
    expect(local).toBe('222222222222.dkr.ecr.us-east-1.amazonaws.com/ops-api${startswith(var.image_tag, "sha256:") ? "@" : ":"}${var.image_tag}');
    expect(dev.json.variable.image_tag.validation[0].condition).toContain('var.image_tag');
  });

  it('places tasks in private subnets without a public IP, reachable only from the ALB on the container port', () => {
    const service = only(dev.json, 'aws_ecs_service');
    expect(service.network_configuration.assign_public_ip).toBe(false);
    expect(service.network_configuration.subnets).toEqual(NETWORK.privateSubnetIds);
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(service.lifecycle.ignore_changes).toEqual(['desired_count']);
    const ingress = all(dev.json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.referenced_security_group_id);
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ from_port: 8080, to_port: 8080, ip_protocol: 'tcp' });
    expect(ingress[0].referenced_security_group_id).toMatch(/aws_security_group\.api-alb_security-group/);
    const albEgress = all(dev.json, 'aws_vpc_security_group_egress_rule').filter((r) => /api-alb/.test(r.security_group_id));
    expect(albEgress).toHaveLength(1);
    expect(albEgress[0]).toMatchObject({ from_port: 8080, to_port: 8080 });
    expect(albEgress[0].referenced_security_group_id).toMatch(/aws_security_group\.api_security-group/);
  });

  it('tracks CPU and requests per target with the tier targets', () => {
    const policies = all(dev.json, 'aws_appautoscaling_policy').map((p) => p.target_tracking_scaling_policy_configuration);
    expect(policies.map((p) => [p.predefined_metric_specification.predefined_metric_type, p.target_value])).toEqual([
      ['ECSServiceAverageCPUUtilization', 60],
      ['ALBRequestCountPerTarget', 1000],
    ]);
    expect(policies[1].predefined_metric_specification.resource_label).toMatch(/arn_suffix\}\/\$\{aws_lb_target_group/);
  });

  it('rejects invalid sizes, counts, ports and users, naming them', () => {
    expect(() => build('dev', { settings: { ...environment('dev').settings.service, memoryMib: 512 } })).toThrow(/memoryMib 512 is not valid with cpu 512/);
    expect(() => build('dev', { settings: { ...environment('dev').settings.service, minCount: 3, desiredCount: 2 } })).toThrow(/minCount \(3\) <= desiredCount \(2\)/);
    expect(() => build('dev', { user: '0' })).toThrow(/user '0' must be a non-zero uid/);
    expect(() => build('dev', { logRetentionDays: 10 })).toThrow(/logRetentionDays 10 is not a CloudWatch retention/);
    expect(() => build('dev', { environment: { DB_PASSWORD: 'x' } })).toThrow(/variable names .* repeat/);
  });

  it('enables Container Insights on the cluster', () => {
    expect(only(dev.json, 'aws_ecs_cluster')).toMatchObject({ name: 'dev-cluster', setting: [{ name: 'containerInsights', value: 'enabled' }] });
  });
});
