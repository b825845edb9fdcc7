import { synthEnvironment } from '../testing/environment';

const values = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});

describe('AppStack', () => {
  const dev = synthEnvironment('dev');
  const app = dev.synth(dev.stacks.app);
  const prod = synthEnvironment('prod');
  const prodApp = prod.synth(prod.stacks.app);

  it('runs each service on Fargate sized by the tier behind its own HTTPS load balancer', () => {
    expect(values(app, 'aws_ecs_task_definition').map((t) => [t.family, t.cpu, t.memory])).toEqual([['dev-api', '512', '1024']]);
    expect(values(prodApp, 'aws_ecs_task_definition').map((t) => [t.family, t.cpu, t.memory])).toEqual([['prod-api', '1024', '2048']]);
    expect(values(prodApp, 'aws_lb')[0]).toMatchObject({ name: 'prod-api', enable_deletion_protection: true, access_logs: { enabled: true } });
    expect(values(app, 'aws_lb')[0]).toMatchObject({ name: 'dev-api', enable_deletion_protection: false });
    expect(values(app, 'aws_lb')[0].access_logs).toBeUndefined();
  });

  it('validates the certificate for the public name in the legacy zone through the legacy provider', () => {
    expect(values(app, 'aws_acm_certificate')[0].domain_name).toBe('api.dev.fintech.example.com');
    expect(values(app, 'aws_route53_record')[0].provider).toBe('aws.legacy');
    expect(Object.values<any>(app.data.aws_route53_zone)[0]).toMatchObject({ name: 'fintech.example.com', private_zone: false, provider: 'aws.legacy' });
  });

  it('wires the connection secret the runner owns while migrating, its client security group and the task role grants', () => {
    const [container] = JSON.parse(values(app, 'aws_ecs_task_definition')[0].container_definitions);
    expect(container.secrets.map((s: any) => [s.name, s.valueFrom.replace(/^.*:(\w+)::$/, '$1')])).toEqual([
      ['DB_HOST', 'host'],
      ['DB_PORT', 'port'],
      ['DB_NAME', 'dbname'],
      ['DB_USERNAME', 'username'],
      ['DB_PASSWORD', 'password'],
    ]);
    expect(container.environment.map((e: any) => e.name)).toEqual(['ASSETS_BUCKET']);
    expect(values(app, 'aws_ecs_service')[0].network_configuration.security_groups).toHaveLength(2);
    const task = values(app, 'aws_iam_role').find((r) => r.name === 'dev-api-task');
    expect(task.permissions_boundary).toBe('arn:aws:iam::333333333333:policy/dev-deploy-boundary');
    const taskKey = Object.entries<any>(app.resource.aws_iam_role).find(([, r]) => r.name === 'dev-api-task')![0];
    const policy = JSON.parse(values(app, 'aws_iam_role_policy').find((p) => p.role.includes(taskKey)).policy);
    const actions = policy.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 'rds-db:connect', 'secretsmanager:GetSecretValue']));
  });

  it('declares the image_tag variable and the outputs the deploy tooling reads', () => {
    expect(app.variable.image_tag.type).toBe('string');
    expect(Object.keys(app.output).sort()).toEqual(
      ['api_alb_dns_name', 'api_alb_zone_id', 'api_execution_role_arn', 'api_service_name', 'api_target_group_arn', 'api_url', 'cluster_name', 'running_image_tag'].sort(),
    );
    expect(app.output.api_url.value).toBe('https://api.dev.fintech.example.com');
  });

  it('gives a preview copy its own public name so its certificate never collides with the environment', () => {
    const preview = synthEnvironment('dev', 'pr42');
    const json = preview.synth(preview.stacks.app);
    expect(values(json, 'aws_acm_certificate')[0].domain_name).toBe('api-pr42.dev.fintech.example.com');
    expect(values(json, 'aws_lb')[0].name).toBe('dev-pr42-api');
  });
});
