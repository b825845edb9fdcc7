import { Token } from 'cdktf';
import { NETWORK, all, environment, only, testStack } from '../testing/fixtures';
import { DATABASE_ACCESS_CONTAINER, DATABASE_ACCESS_IMAGE, DATABASE_ACCESS_MAX_SECONDS, DatabaseAccessTask, SSM_MESSAGES_ACTIONS, type DatabaseAccessTaskProps } from './database-access-task';

const LOG_KEY = 'arn:aws:kms:us-east-1:333333333333:key/11111111-2222-3333-4444-555555555555';
const BOUNDARY = 'arn:aws:iam::333333333333:policy/dev-deploy-boundary';

function build(overrides: Partial<DatabaseAccessTaskProps> = {}) {
  const env = environment('dev');
  const { stack, synth } = testStack();
  const access = new DatabaseAccessTask(stack, 'db-access', {
    naming: env.naming,
    region: env.region,
    logRetentionDays: 30,
    logKeyArn: LOG_KEY,
    network: NETWORK,
    clientSecurityGroupIds: ['sg-ledger-client', 'sg-reports-client'],
    permissionsBoundaryArn: BOUNDARY,
    ...overrides,
  });
  return { json: synth(), access, env };
}

const policyOf = (json: any, roleName: string) => {
  const roleKey = Object.entries(json.resource.aws_iam_role).find(([, r]: any) => r.name === roleName)![0];
  const policies = all(json, 'aws_iam_role_policy').filter((p) => p.role === `\${aws_iam_role.${roleKey}.id}`);
  return policies.flatMap((p) => JSON.parse(p.policy).Statement);
};

describe('DatabaseAccessTask', () => {
  const { json, access } = build();
  const task = only(json, 'aws_ecs_task_definition');
  const [container] = JSON.parse(task.container_definitions);

  it('is a one-container Fargate task that only sleeps, in its own cluster', () => {
    expect(only(json, 'aws_ecs_cluster').name).toBe('dev-db-access');
    expect(task).toMatchObject({ family: 'dev-db-access', network_mode: 'awsvpc', requires_compatibilities: ['FARGATE'], cpu: '256', memory: '512' });
    expect(container).toMatchObject({ name: DATABASE_ACCESS_CONTAINER, image: DATABASE_ACCESS_IMAGE, command: ['sleep', String(DATABASE_ACCESS_MAX_SECONDS)], privileged: false });
    expect(container.linuxParameters.capabilities.drop).toEqual(['ALL']);
    // Nothing injected: the task never holds a database password.
    expect(container.secrets).toBeUndefined();
    expect(container.environment).toBeUndefined();
    // ECS Exec's agent writes into the container: a read-only root filesystem is unsupported.
    expect(container.readonlyRootFilesystem).toBeUndefined();
    expect(container.logConfiguration).toMatchObject({ logDriver: 'awslogs', options: { 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'access' } });
    expect(only(json, 'aws_cloudwatch_log_group')).toMatchObject({ name: 'dev-ecs-db-access', kms_key_id: LOG_KEY, retention_in_days: 30 });
  });

  it("gives the task role ECS Exec's four message-channel actions and nothing else", () => {
    const statements = policyOf(json, 'dev-db-access-task');
    expect(statements).toHaveLength(1);
    expect([...statements[0].Action].sort()).toEqual([...SSM_MESSAGES_ACTIONS].sort());
    expect(statements[0].Resource).toBe('*');
  });

  it('lets the execution role write only its own log streams; both roles carry the boundary and trust ECS tasks of this account', () => {
    const statements = policyOf(json, 'dev-db-access-execution');
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements[0].Resource).toMatch(/^\$\{aws_cloudwatch_log_group\.db-access_logs_\w+\.arn\}:log-stream:\*$/);
    for (const role of all(json, 'aws_iam_role')) {
      expect(role.permissions_boundary).toBe(BOUNDARY);
      const trust = JSON.parse(role.assume_role_policy).Statement[0];
      expect(trust.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
      expect(JSON.stringify(trust.Condition)).toContain('aws:SourceAccount');
    }
  });

  it('carries the databases\' client groups and its own, which has no ingress and only HTTPS out', () => {
    expect(Token.isUnresolved(access.securityGroupIds[0])).toBe(true);
    expect(access.securityGroupIds.slice(1)).toEqual(['sg-ledger-client', 'sg-reports-client']);
    expect(access.subnetIds).toEqual(NETWORK.privateSubnetIds);
    expect(all(json, 'aws_vpc_security_group_ingress_rule')).toEqual([]);
    const egress = all(json, 'aws_vpc_security_group_egress_rule');
    expect(egress).toHaveLength(1);
    expect(egress[0]).toMatchObject({ cidr_ipv4: '0.0.0.0/0', ip_protocol: 'tcp', from_port: 443, to_port: 443 });
  });

  it.each([
    [{ clientSecurityGroupIds: [] }, /clientSecurityGroupIds is empty/],
    [{ clientSecurityGroupIds: ['a', 'b', 'c', 'd', 'e'] }, /5 client security groups; a Fargate task carries at most 5 security groups/],
    [{ network: { ...NETWORK, privateSubnetIds: [] } }, /no private subnets/],
  ])('refuses %j', (overrides, message) => {
    expect(() => build(overrides as Partial<DatabaseAccessTaskProps>)).toThrow(message);
  });
});
