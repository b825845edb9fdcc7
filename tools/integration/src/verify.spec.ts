import { DescribeRouteTablesCommand, DescribeVpcPeeringConnectionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PreflightError } from '@estate/deploy';
import type { HttpProbe } from './http-probe';
import { runIntegration, type VerifyDeps } from './verify';

const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const ecs = mockClient(ECSClient);
const rds = mockClient(RDSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const VPC = 'vpc-0dev0000000000001';
const PCX = 'pcx-0a1b2c3d4e5f60718';
const ALB_DNS = 'dev-api-1234567890.us-east-1.elb.amazonaws.com';
const ALB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:333333333333:loadbalancer/app/dev-api/50dc6c495c0c9188';
const DB_ARN = 'arn:aws:rds:us-east-1:333333333333:db:dev-ledger';
const TAGS = [{ Key: 'Environment', Value: 'dev' }, { Key: 'Team', Value: 'platform' }, { Key: 'CostCenter', Value: 'CC-1001' }];

/** A deployed dev, as the deploy driver would write it (plus a preview's outputs, which dev must ignore). */
const DEV_OUTPUTS = {
  'dev-app_api_alb_arn': ALB_ARN,
  'dev-app_api_alb_dns_name': ALB_DNS,
  'dev-app_api_service_name': 'dev-api',
  'dev-app_api_url': 'https://api.dev.fintech.example.com',
  'dev-app_ecs_cluster_name': 'dev-cluster',
  'dev-data_ledger_db_arn': DB_ARN,
  'dev-data_ledger_instance_id': 'dev-ledger',
  'dev-network_vpc_id': VPC,
  'dev-peering_legacy_peering_connection_id': PCX,
  'dev-pr42-network_vpc_id': 'vpc-0preview',
};

function workspace(outputs?: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'integration-'));
  if (outputs) {
    mkdirSync(join(root, 'apps', 'dev', 'cfn-outputs'), { recursive: true });
    writeFileSync(join(root, 'apps', 'dev', 'cfn-outputs', 'flat-outputs.json'), JSON.stringify(outputs));
  }
  return root;
}

/** No AWS variables and an empty HOME: the real credential preflight finds nothing, offline. */
const noCredentials = (): NodeJS.ProcessEnv => ({ HOME: mkdtempSync(join(tmpdir(), 'home-')), PATH: process.env['PATH'] });

const probeCalls: string[] = [];
const healthyProbe: HttpProbe = async (req) => {
  probeCalls.push(`${req.scheme}://${req.host}${req.path} -> ${req.connectTo}:${req.port}`);
  return req.scheme === 'https' ? { status: 200, headers: {} } : { status: 301, headers: { location: `https://${req.host}${req.path}` } };
};

const deps: VerifyDeps = {
  sts: new STSClient({ region: 'us-east-1' }),
  clientsFor: () => ({
    ec2: new EC2Client({ region: 'us-east-1' }),
    ecs: new ECSClient({ region: 'us-east-1' }),
    rds: new RDSClient({ region: 'us-east-1' }),
    elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }),
    tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' }),
  }),
  probe: healthyProbe,
};

/** Recorded answers of a healthy dev. */
function healthyDev() {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/estate-ci/gha' });
  sts.on(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::333333333333:role/estate-deploy', ExternalId: 'estate-migration-2026' }).resolves({
    Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() },
    AssumedRoleUser: { Arn: 'arn:aws:sts::333333333333:assumed-role/estate-deploy/estate-integration', AssumedRoleId: 'x' },
  });
  elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ LoadBalancerArn: ALB_ARN, DNSName: ALB_DNS, LoadBalancerName: 'dev-api', State: { Code: 'active' } }] });
  elbv2.on(DescribeListenersCommand).resolves({
    Listeners: [
      { Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', DefaultActions: [{ Type: 'forward' }] },
      { Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }] },
    ],
  });
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'dev-api', status: 'ACTIVE', desiredCount: 1, runningCount: 1, pendingCount: 0 }] });
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'dev-ledger', DBInstanceStatus: 'available', StorageEncrypted: true, PubliclyAccessible: false }] });
  ec2.on(DescribeVpcPeeringConnectionsCommand).resolves({
    VpcPeeringConnections: [{
      VpcPeeringConnectionId: PCX, Status: { Code: 'active' },
      RequesterVpcInfo: { VpcId: VPC, CidrBlock: '10.0.0.0/16', OwnerId: '333333333333' },
      AccepterVpcInfo: { VpcId: 'vpc-legacy', CidrBlock: '10.50.0.0/16', OwnerId: '111111111111' },
    }],
  });
  ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [{ RouteTableId: 'rtb-data', Associations: [{ SubnetId: 'subnet-1' }], Routes: [{ DestinationCidrBlock: '10.50.0.0/16', VpcPeeringConnectionId: PCX, State: 'active' }] }],
  });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: ALB_ARN, Tags: TAGS }, { ResourceARN: DB_ARN, Tags: TAGS }] });
}

beforeEach(() => {
  for (const m of [sts, ec2, ecs, rds, elbv2, tagging]) m.reset();
  probeCalls.length = 0;
});

async function preflightProblems(run: Promise<unknown>): Promise<readonly string[]> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PreflightError);
  return (error as PreflightError).problems;
}

describe('runIntegration preflight', () => {
  it('stops without the outputs file and without credentials, saying how to get each', async () => {
    const root = workspace();
    const problems = await preflightProblems(runIntegration({ app: 'dev', workspaceRoot: root, env: noCredentials(), deps, log: () => undefined }));
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^no outputs file at ${root}/apps/dev/cfn-outputs/flat-outputs.json: deploy first \\(\`nx run dev:deploy\`.*cfn-outputs\` artifact`)),
      expect.stringMatching(/^no AWS credentials: set AWS_PROFILE/),
    ]);
    expect(sts.calls()).toHaveLength(0);
  });

  it('stops without credentials when the outputs file is there', async () => {
    const problems = await preflightProblems(runIntegration({ app: 'dev', workspaceRoot: workspace(DEV_OUTPUTS), env: noCredentials(), deps }));
    expect(problems).toEqual([expect.stringMatching(/^no AWS credentials/)]);
  });

  it('stops when the file holds only another environment\'s outputs', async () => {
    const env = { ...noCredentials(), ENVIRONMENT_SUFFIX: 'pr7' };
    const problems = await preflightProblems(runIntegration({ app: 'dev', workspaceRoot: workspace(DEV_OUTPUTS), env, deps, checkCredentials: async () => ({ arn: 'x' }) }));
    expect(problems).toEqual([expect.stringContaining('has no outputs of dev-pr7 (it holds outputs of dev, dev-pr42): deploy dev-pr7 first')]);
  });

  it('refuses an app that is not an environment', async () => {
    const problems = await preflightProblems(runIntegration({ app: 'ops', workspaceRoot: workspace(), env: noCredentials(), deps }));
    expect(problems).toEqual(["'ops' is not an environment app: integration checks run on dev, staging, prod"]);
  });

  it('exits 1 from the command line with the message on stderr', () => {
    const root = join(__dirname, '..', '..', '..');
    const result = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['--tsconfig', 'tools/integration/tsconfig.json', 'tools/integration/src/cli.ts', 'dev'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...noCredentials(), ENVIRONMENT_SUFFIX: 'zz9' },
      timeout: 60000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot continue:');
    expect(result.stderr).toMatch(/(no outputs file at .*apps\/dev\/cfn-outputs\/flat-outputs\.json|has no outputs of dev-zz9)/);
    expect(result.stderr).toContain('no AWS credentials');
  });
});

describe('runIntegration against recorded responses', () => {
  const run = async (outputs: Record<string, unknown> = DEV_OUTPUTS) => {
    const lines: string[] = [];
    const code = await runIntegration({ app: 'dev', workspaceRoot: workspace(outputs), env: noCredentials(), deps, checkCredentials: async () => ({ arn: 'arn:aws:sts::222222222222:assumed-role/estate-ci/gha' }), log: (l) => lines.push(l) });
    return { code, table: lines.join('\n') };
  };

  it('prints every check as PASS and exits 0 for a healthy environment', async () => {
    healthyDev();
    const { code, table } = await run();
    expect(code).toBe(0);
    const results = table.split('\n').filter((l) => /\s(PASS|FAIL)\s/.test(l)).map((l) => l.split(/\s{2,}/).slice(0, 3).join(' | '));
    expect(results).toEqual([
      'deploy-role | arn:aws:iam::333333333333:role/estate-deploy | PASS',
      'alb-listeners | api | PASS',
      'alb-https | api | PASS',
      'alb-http-redirect | api | PASS',
      'ecs-service | dev-api | PASS',
      'rds | dev-ledger | PASS',
      `peering | ${PCX} (legacy) | PASS`,
      `peering-routes | ${PCX} (legacy) | PASS`,
      'tags | Environment=dev | PASS',
      'tags | output ARNs | PASS',
    ]);
    expect(table).toContain('10 passed, 0 failed');
    expect(probeCalls).toEqual([`https://api.dev.fintech.example.com/health -> ${ALB_DNS}:443`, `http://api.dev.fintech.example.com/health -> ${ALB_DNS}:80`]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'dev-cluster', services: ['dev-api'] });
  });

  it('exits 1 and shows the failing row when one check fails', async () => {
    healthyDev();
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'dev-api', status: 'ACTIVE', desiredCount: 2, runningCount: 1 }] });
    const { code, table } = await run();
    expect(code).toBe(1);
    expect(table).toMatch(/ecs-service\s+dev-api\s+FAIL\s+running 1 of desired 2, pending 0: running must equal desired/);
    expect(table).toContain('9 passed, 1 failed');
  });

  it('fails for each output a check needs and the stacks did not declare', async () => {
    healthyDev();
    const { 'dev-data_ledger_instance_id': _db, 'dev-peering_legacy_peering_connection_id': _pcx, ...rest } = DEV_OUTPUTS;
    const { code, table } = await run(rest);
    expect(code).toBe(1);
    expect(table).toMatch(/outputs\s+ledger DB instance identifier\s+FAIL\s+not in flat-outputs.json: expected dev-<unit>_ledger_instance_id/);
    expect(table).toMatch(/outputs\s+peering dev↔legacy connection id\s+FAIL\s+not in flat-outputs.json: expected dev-<unit>_legacy_peering_connection_id/);
  });

  it('checks nothing in the environment account when the deploy role cannot be assumed', async () => {
    healthyDev();
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const { code, table } = await run();
    expect(code).toBe(1);
    expect(table).toMatch(/deploy-role .* FAIL .*AccessDenied/);
    expect(table).toMatch(/environment\s+dev\s+FAIL\s+not checked: no credentials in the dev account without the deploy role/);
    expect(ecs.calls()).toHaveLength(0);
    expect(probeCalls).toHaveLength(0);
  });
});
