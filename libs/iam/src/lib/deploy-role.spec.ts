import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { environmentDeployPermissions, legacyMigrationPermissions, opsDeployPermissions, workloadPermissions, type EnvironmentPermissionScope } from './account-permissions';
import { globMatches } from './compact-policy';
import { chunkStatements, CrossAccountRole, DeployRole, PlanRole } from './deploy-role';
import { permissionStatements } from './permission-set';
import { PermissionsBoundary } from './permissions-boundary';
import { PolicyStatement } from './policy-document';

const DEV = '333333333333';
const OPS = '222222222222';
const CI = `arn:aws:iam::${OPS}:role/estate-ci`;
const OPERATOR = `arn:aws:iam::${OPS}:role/estate-operator`;
const BOUNDARY = `arn:aws:iam::${DEV}:policy/dev-deploy-boundary`;

const scope: EnvironmentPermissionScope = {
  region: 'us-east-1',
  accountId: DEV,
  prefix: 'dev-',
  environment: 'dev',
  domainName: 'dev.fintech.example.com',
  opsAccountId: OPS,
  legacyAccountId: '111111111111',
  peerAccountIds: ['444444444444', '555555555555'],
  legacyMigrationRoleArn: 'arn:aws:iam::111111111111:role/estate-legacy-migration',
  boundaryArn: BOUNDARY,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function build() {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const boundary = new PermissionsBoundary(stack, 'boundary', { policyName: 'dev-deploy-boundary', accountId: DEV, description: 'cap', permissions: workloadPermissions(scope) });
  const permissions = environmentDeployPermissions(scope);
  const deploy = new DeployRole(stack, 'deploy', {
    roleName: 'estate-deploy',
    description: 'deploys',
    trustedRoleArns: [CI, OPERATOR],
    externalId: 'estate-migration-2026',
    maxSessionDurationSeconds: 3600,
    boundary,
    permissionsPolicyName: 'dev-deploy-permissions',
    permissions,
  });
  const plan = new PlanRole(stack, 'plan', {
    roleName: 'estate-plan',
    description: 'plans',
    trustedRoleArns: [CI, OPERATOR],
    externalId: 'estate-migration-2026',
    maxSessionDurationSeconds: 3600,
    permissions,
  });
  const json: Json = JSON.parse(Testing.synth(stack));
  return { json, boundary, deploy, plan, permissions };
}

const statementsOf = (policy: string): Json[] => JSON.parse(policy).Statement;
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as string]);

describe('DeployRole', () => {
  const { json, boundary, permissions } = build();
  const roles = json.resource.aws_iam_role;
  const deployRole = Object.values<Json>(roles).find((r) => r.name === 'estate-deploy');
  const planRole = Object.values<Json>(roles).find((r) => r.name === 'estate-plan');
  const managed = Object.values<Json>(json.resource.aws_iam_policy).filter((p) => p.name.startsWith('dev-deploy-permissions-'));

  it('is trusted by exactly the ops CI and operator roles, with the external id', () => {
    expect(JSON.parse(deployRole.assume_role_policy).Statement).toEqual([
      {
        Sid: 'Trust',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OPS}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'estate-migration-2026' }, ArnEquals: { 'aws:PrincipalArn': [CI, OPERATOR] } },
      },
    ]);
    expect(deployRole.max_session_duration).toBe(3600);
  });

  it('carries the boundary and only creates or edits roles that carry it too', () => {
    // A reference to the policy in the same stack, so Terraform creates the boundary first (NoSuchEntity otherwise).
    expect(deployRole.permissions_boundary).toMatch(/^\$\{aws_iam_policy\.boundary_policy_[A-F0-9]+\.arn\}$/);
    const all = managed.flatMap((p) => statementsOf(p.policy));
    const create = all.filter((s) => list(s.Action).some((a) => ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'].includes(a)));
    expect(create.length).toBeGreaterThan(0);
    for (const s of create) expect(s.Condition.StringEquals['iam:PermissionsBoundary']).toBe(BOUNDARY);
  });

  it("has no '*' or 'service:*' action and no '*' resource outside the documented unscoped sets", () => {
    const unscoped = new Set(permissions.filter((p) => p.unscoped).map((p) => p.sid));
    for (const s of managed.flatMap((p) => statementsOf(p.policy))) {
      for (const a of list(s.Action)) expect(a).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
      if (list(s.Resource).includes('*')) expect([s.Sid, unscoped.has(s.Sid)]).toEqual([s.Sid, true]);
      expect(s.NotAction ?? s.NotResource).toBeUndefined();
    }
    expect([...unscoped].sort()).toEqual(
      ['AcmUnscoped', 'AutoScalingDescribe', 'CloudWatchMetrics', 'DmsDescribe', 'Ec2Describe', 'EcsUnscoped', 'ElbDescribe', 'KmsCreateKey', 'KmsListAliases', 'LogsDescribe', 'RdsDescribe', 'Route53Unscoped'].sort(),
    );
  });

  it('scopes named resources to the environment prefix', () => {
    const byName = new Map(permissions.map((p) => [p.sid, p.resources]));
    expect(byName.get('RdsManage')).toEqual(expect.arrayContaining([`arn:aws:rds:us-east-1:${DEV}:db:dev-*`]));
    expect(byName.get('EcsManage')).toEqual([`arn:aws:ecs:us-east-1:${DEV}:cluster/dev-*`, `arn:aws:ecs:us-east-1:${DEV}:service/dev-*`, `arn:aws:ecs:us-east-1:${DEV}:task-definition/dev-*`]);
    expect(byName.get('S3Buckets')).toEqual(['arn:aws:s3:::dev-*']);
    expect(byName.get('SnsTopics')).toEqual([`arn:aws:sns:us-east-1:${DEV}:dev-*`]);
    expect(byName.get('AssumeLegacyMigrationRole')).toEqual([scope.legacyMigrationRoleArn]);
    for (const resources of byName.values()) {
      for (const r of resources) if (r.includes(`:${DEV}:role/`)) expect(r).toMatch(/role\/(dev-\*|dms-vpc-role|dms-cloudwatch-logs-role|aws-service-role\/\*)$/);
    }
  });

  it('lets the deploy role decrypt only through Secrets Manager (managed master secrets, the runner)', () => {
    const decrypting = managed.flatMap((p) => statementsOf(p.policy)).filter((s) => list(s.Action).some((a) => a.startsWith('kms:Decrypt') || a.startsWith('kms:ReEncrypt')));
    expect(decrypting.map((s) => [s.Sid, s.Action, s.Condition])).toEqual([
      ['KmsSecretsManager', 'kms:Decrypt', { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } }],
    ]);
  });

  it('keeps every permission policy within the managed-policy limit, and the boundary with room for token expansion', () => {
    for (const p of managed) expect(p.policy.length).toBeLessThanOrEqual(6144);
    const rendered: string = Object.entries<Json>(json.resource.aws_iam_policy).find(([k]) => k.startsWith('boundary'))?.[1].policy ?? '';
    expect(rendered.length).toBeGreaterThan(1000);
    expect(rendered.length).toBeLessThanOrEqual(5800);
  });

  it('is capped by a boundary that still allows everything the role and the workloads are granted', () => {
    const allows = boundary.statements.filter((s) => s.effect === 'Allow');
    const exact = [...permissionStatements(environmentDeployPermissions(scope), 'write'), ...permissionStatements(workloadPermissions(scope), 'write')];
    for (const s of exact) {
      for (const action of s.props.actions) {
        for (const resource of s.props.resources ?? []) {
          const ok = allows.some(
            (b) =>
              b.props.actions.some((a) => globMatches(a, action)) &&
              (b.props.resources ?? []).some((r) => globMatches(r, resource)) &&
              (b.props.conditions ?? []).every((c) => (s.props.conditions ?? []).some((sc) => sc.variable === c.variable)),
          );
          expect([action, resource, ok]).toEqual([action, resource, true]);
        }
      }
    }
  });

  it('denies changes to the boundary, the permission policies, the deploy and plan roles, and boundary removal', () => {
    const denies = boundary.statements.filter((s) => s.effect === 'Deny').map((s) => s.toJSON());
    expect(denies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'DenyPolicyChanges', Resource: [BOUNDARY, `arn:aws:iam::${DEV}:policy/dev-deploy-permissions-*`] }),
        expect.objectContaining({ Sid: 'DenyBoundaryRemoval', Action: 'iam:DeleteRolePermissionsBoundary' }),
        expect.objectContaining({ Sid: 'DenyProtectedRoleChanges', Resource: `arn:aws:iam::${DEV}:role/estate-deploy` }),
      ]),
    );
    // Nothing the boundary allows reaches the deploy role itself.
    const iamAllows = boundary.statements.filter((s) => s.effect === 'Allow' && s.props.actions.some((a) => a.startsWith('iam:')));
    for (const s of iamAllows) for (const r of s.props.resources ?? []) expect(globMatches(r, `arn:aws:iam::${DEV}:role/estate-deploy`)).toBe(false);
  });

  it('gives the plan role only read actions', () => {
    const statements = statementsOf(Object.values<Json>(json.resource.aws_iam_role_policy).find((p) => p.role.includes('plan'))?.policy ?? '{"Statement":[]}');
    const actions = statements.flatMap((s) => list(s.Action));
    expect(actions.length).toBeGreaterThan(20);
    for (const a of actions) expect(a.split(':')[1]).toMatch(/^(Describe|Get|List)/);
    expect(planRole.permissions_boundary).toBeUndefined();
  });
});

describe('CrossAccountRole', () => {
  it('rejects a bad external id, session or trusted ARN', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    const base = { roleName: 'x', description: 'x', trustedRoleArns: [CI], externalId: 'estate', maxSessionDurationSeconds: 3600 };
    expect(() => new CrossAccountRole(stack, 'a', { ...base, externalId: '' })).toThrow(/external id '' is invalid/);
    expect(() => new CrossAccountRole(stack, 'b', { ...base, maxSessionDurationSeconds: 60 })).toThrow(/60 is outside 3600..43200/);
    expect(() => new CrossAccountRole(stack, 'c', { ...base, trustedRoleArns: ['arn:aws:iam::123:role/x'] })).toThrow(/is not an IAM role ARN/);
    expect(() => new CrossAccountRole(stack, 'd', { ...base, trustedRoleArns: [] })).toThrow(/at least one trusted role/);
  });

  it('splits statements into managed-policy-sized documents in order', () => {
    const statements = Array.from({ length: 60 }, (_, i) => new PolicyStatement({ sid: `S${i}`, actions: ['s3:GetObject'], resources: [`arn:aws:s3:::dev-bucket-${'x'.repeat(100)}-${i}/*`] }));
    const chunks = chunkStatements(statements, 2000);
    expect(chunks.flat()).toEqual(statements);
    expect(chunks.length).toBeGreaterThan(3);
  });
});

describe('other accounts', () => {
  it('ops deploy permissions cover the registry and ledger, scoped to ops-', () => {
    const ops = opsDeployPermissions({ region: 'us-east-1', accountId: OPS, prefix: 'ops-', environment: 'ops' });
    const bySid = new Map(ops.map((p) => [p.sid, p.resources]));
    expect(bySid.get('EcrRepositories')).toEqual([`arn:aws:ecr:us-east-1:${OPS}:repository/ops-*`]);
    expect(bySid.get('DynamoDbTables')).toEqual([`arn:aws:dynamodb:us-east-1:${OPS}:table/ops-*`]);
  });

  const legacyScope = {
    region: 'us-east-1',
    accountId: '111111111111',
    prefix: 'legacy-',
    environment: 'legacy',
    environmentPrefix: 'prod-',
    environmentAccountId: '555555555555',
    vpcId: 'vpc-0a1b',
    recordDomains: ['fintech.example.com'],
    excludedRecordDomains: ['dev.fintech.example.com', 'staging.fintech.example.com'],
    sourceSnapshots: ['legacy-ledger-premigration'],
    sourceInstances: ['legacy-ledger'],
    shareKeys: ['alias/legacy-rds-share'],
    secretNames: ['legacy/ledger/master'],
  };

  it("legacy migration permissions are limited to the legacy VPC and one environment's copies, peering and names", () => {
    const bySid = new Map(legacyMigrationPermissions(legacyScope).map((p) => [p.sid, p]));
    expect(bySid.get('PeeringRoutes')?.conditions).toEqual([{ test: 'ArnEquals', variable: 'ec2:Vpc', values: ['arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0a1b'] }]);
    expect(bySid.get('SnapshotCopyAndShare')?.resources).toEqual(['arn:aws:rds:us-east-1:111111111111:snapshot:prod-*']);
    expect(bySid.get('AcceptPeering')?.conditions?.[1]).toEqual({ test: 'ArnLike', variable: 'ec2:RequesterVpc', values: ['arn:aws:ec2:us-east-1:555555555555:vpc/*'] });
    expect(bySid.get('ShareKeyByAlias')?.conditions?.[0].values).toEqual(['alias/legacy-rds-share']);
    // prod's domain is the zone apex: the other environments' names are carved out.
    expect(bySid.get('Route53Records')?.conditions).toEqual([
      { test: 'ForAllValues:StringLike', variable: 'route53:ChangeResourceRecordSetsNormalizedRecordNames', values: ['fintech.example.com', '*.fintech.example.com'] },
      {
        test: 'ForAllValues:StringNotLike',
        variable: 'route53:ChangeResourceRecordSetsNormalizedRecordNames',
        values: ['dev.fintech.example.com', '*.dev.fintech.example.com', 'staging.fintech.example.com', '*.staging.fintech.example.com'],
      },
    ]);
  });

  it('lets the legacy role decrypt only through Secrets Manager, and only for the runner', () => {
    const sets = legacyMigrationPermissions(legacyScope);
    const decrypting = sets.filter((s) => [...(s.read ?? []), ...(s.write ?? [])].some((a) => /^kms:(Decrypt|ReEncrypt)/.test(a)));
    expect(decrypting.map((s) => [s.sid, s.read ?? [], s.conditions])).toEqual([
      ['LegacySecretKeys', [], [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.us-east-1.amazonaws.com'] }]],
    ]);
  });
});
