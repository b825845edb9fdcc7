import { join } from 'node:path';
import { loadOrganisation } from '@estate/config';
import { actionInfo, concreteRequests, entryFor, estateOf, simulate, stackRequests, type Decision, type Request } from './check';
import { resourcesOf } from './model';
import { RESOURCE_ACTIONS } from './resource-actions';
import { checkApp, factsOf, type PermissionReport } from './run';
import { APPS, synthesizeApps, type SynthStack } from './synthesized';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const ROOT = join(__dirname, '..', '..', '..');
const organisation = loadOrganisation({ env: { ORG_CONFIG: join(ROOT, 'libs', 'config', 'organisation.example.json') } });
const facts = factsOf(organisation);
const deploy = synthesizeApps(ROOT, 'deploy', APPS, organisation);
const plan = synthesizeApps(ROOT, 'plan', APPS, organisation);

const clone = (stacks: readonly SynthStack[]): SynthStack[] => stacks.map((s) => ({ ...s, json: JSON.parse(JSON.stringify(s.json)) }));
/** Edits, in a copy of the synthesized stacks, the policy documents of `stack` whose resource matches `policy`. */
function editPolicies(stacks: SynthStack[], stack: string, policy: RegExp, edit: (statements: Json[]) => Json[]): SynthStack[] {
  const target = stacks.find((s) => s.name === stack) as SynthStack;
  let edited = 0;
  for (const type of ['aws_iam_policy', 'aws_iam_role_policy']) {
    for (const [name, config] of Object.entries<Json>(target.json.resource?.[type] ?? {})) {
      if (!policy.test(name)) continue;
      const doc = JSON.parse(config.policy);
      doc.Statement = edit(doc.Statement);
      config.policy = JSON.stringify(doc);
      edited++;
    }
  }
  if (edited === 0) throw new Error(`no policy matching ${policy} in ${stack}`);
  return stacks;
}
const withoutSid = (sid: string) => (statements: Json[]) => statements.filter((s) => s.Sid !== sid);
const withoutAction = (action: string) => (statements: Json[]) =>
  statements.map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action).filter((a) => a !== action) })).filter((s) => s.Action.length > 0);

/** Simulates what applying `stackName` asks of its roles, with `stacks` as the estate. */
async function applyDecisions(stacks: readonly SynthStack[], stackName: string, mode: 'deploy' | 'plan' = 'deploy'): Promise<Decision[]> {
  const estate = estateOf(stacks, facts);
  const stack = estate.stacks.find((s) => s.name === stackName);
  if (!stack) throw new Error(`no stack ${stackName}`);
  const { requests } = await concreteRequests(stackRequests(estate, stack, mode).requests);
  return (await simulate(estate, requests)).decisions;
}
async function decide(stacks: readonly SynthStack[], requests: Request[]): Promise<Decision[]> {
  const estate = estateOf(stacks, facts);
  return (await simulate(estate, (await concreteRequests(requests)).requests)).decisions;
}
const denials = (decisions: readonly Decision[]) => decisions.filter((d) => !d.allowed).map((d) => `${d.request.action} ${d.request.why}`);

describe('resource table', () => {
  it('has an entry, citing the provider source it was read from, for every type the synthesized stacks use', () => {
    const estate = estateOf(deploy, facts);
    const used = new Set(estate.stacks.flatMap((s) => resourcesOf(s)).filter((r) => r.type.startsWith('aws_') || r.type === 'terraform_remote_state').map((r) => (r.mode === 'data' ? `data.${r.type}` : r.type)));
    expect(used.size).toBeGreaterThan(60);
    expect([...used].filter((t) => !RESOURCE_ACTIONS[t])).toEqual([]);
    for (const [type, entry] of Object.entries(RESOURCE_ACTIONS)) {
      expect({ type, source: /^internal\/service\/[a-z0-9]+\/[a-z0-9_]+\.go$/.test(entry.source) || type === 'data.terraform_remote_state' }).toEqual({ type, source: true });
    }
  });

  it('fails the check for a type it lacks', async () => {
    const stacks = clone(deploy);
    const dev = stacks.find((s) => s.name === 'dev-network') as SynthStack;
    dev.json.resource.aws_networkfirewall_firewall = { fw: { name: 'dev-fw' } };
    const report = await checkApp('backend-bootstrap', { organisation, workspaceRoot: ROOT, deploy: stacks, plan });
    expect(report.problems).toEqual([]);
    const estate = estateOf(stacks, facts);
    expect(stackRequests(estate, estate.stacks.find((s) => s.name === 'dev-network') as never, 'deploy').unknownTypes).toEqual(['aws_networkfirewall_firewall']);
  });

  it('names only IAM actions iam-data knows', async () => {
    const actions = new Set(Object.values(RESOURCE_ACTIONS).flatMap((e) => Object.values(e.calls).flatMap((calls) => (calls ?? []).map((c) => (typeof c === 'string' ? c : c.action)))));
    for (const action of actions) await expect(actionInfo(action)).resolves.toBeDefined();
  });
});

describe.each(APPS)('nx run %s:permissions', (app) => {
  let report: PermissionReport;
  beforeAll(async () => {
    report = await checkApp(app, { organisation, workspaceRoot: ROOT, deploy, plan });
  }, 120_000);

  it('simulates what the app asks of the roles and finds nothing denied and no table gap', () => {
    expect(report.decisions.length).toBeGreaterThan(app === 'backend-bootstrap' ? 20 : 100);
    expect(report.problems).toEqual([]);
    expect(report.decisions.filter((d) => !d.allowed).map((d) => `${d.request.roleArn} ${d.request.action} ${d.request.resource} (${d.request.why}): ${d.reason}`)).toEqual([]);
  });
});

describe('deliberate break: one statement removed from the synthesized dev deploy policy', () => {
  it('denies, by name, the target-tracking alarms of every -app stack', async () => {
    const broken = editPolicies(clone(deploy), 'dev-bootstrap', /deploy-role_permissions/, withoutSid('TargetTrackingAlarms'));
    const decisions = await applyDecisions(broken, 'dev-app');
    const denied = decisions.filter((d) => !d.allowed);
    expect(new Set(denied.map((d) => d.request.action))).toEqual(new Set(['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms']));
    expect(denied.every((d) => /aws_appautoscaling_policy\./.test(d.request.why) && /:alarm:TargetTracking-service\/dev-[\w-]+\/dev-[\w-]+-Alarm(High|Low)-/.test(d.request.resource))).toBe(true);
    expect(denied[0].reason).toBe('no Allow in the identity policies');
  });
});

describe('first-run blockers, as the check sees them on the old policies', () => {
  it('destroying a network stack needs ec2:DisassociateAddress for the NAT gateway EIPs', async () => {
    const broken = editPolicies(clone(deploy), 'dev-bootstrap', /deploy-role_permissions/, withoutAction('ec2:DisassociateAddress'));
    expect(denials(await applyDecisions(broken, 'dev-network'))).toEqual([expect.stringMatching(/^ec2:DisassociateAddress dev-network aws_eip\.\S+ delete$/)]);
  });

  it('a managed master secret with a customer key needs kms:Decrypt through Secrets Manager', async () => {
    const broken = editPolicies(clone(deploy), 'dev-bootstrap', /deploy-role_permissions/, withoutSid('KmsSecretsManager'));
    expect(denials(await applyDecisions(broken, 'dev-data'))).toEqual([expect.stringMatching(/^kms:Decrypt dev-data aws_db_instance\.ledger_instance_\w+ create$/)]);
  });

  it("the runner's calls: secrets, the service switch, the legacy snapshot", async () => {
    let broken = editPolicies(clone(deploy), 'dev-bootstrap', /deploy-role_permissions/, withoutAction('secretsmanager:PutSecretValue'));
    broken = editPolicies(broken, 'dev-bootstrap', /deploy-role_permissions/, withoutAction('ecs:UpdateService'));
    broken = editPolicies(broken, 'legacy-bootstrap', /migration-role-dev/, withoutAction('rds:CreateDBSnapshot'));
    const report = await checkApp('dev', { organisation, workspaceRoot: ROOT, deploy: broken, plan });
    const denied = [...new Set(report.decisions.filter((d) => !d.allowed).map((d) => `${d.request.roleArn.split('/').pop()} ${d.request.action}`))].sort();
    expect(denied).toEqual(['estate-deploy ecs:UpdateService', 'estate-deploy secretsmanager:PutSecretValue', 'estate-legacy-migration-dev rds:CreateDBSnapshot']);
  }, 120_000);

  it('accepting the peering authorises on the legacy VPC itself', async () => {
    const broken = editPolicies(clone(deploy), 'legacy-bootstrap', /migration-role-dev/, withoutSid('AcceptPeeringVpc'));
    expect(denials(await applyDecisions(broken, 'dev-peering'))).toEqual([expect.stringMatching(/^ec2:AcceptVpcPeeringConnection dev-peering aws_vpc_peering_connection_accepter\.\S+ create$/)]);
  });

  it('destroying the KMS-encrypted ops repositories retires their grant', async () => {
    const broken = editPolicies(clone(deploy), 'ops-bootstrap', /deploy-role_permissions/, withoutSid('KmsRetireGrants'));
    expect(denials(await applyDecisions(broken, 'ops-registry')).every((d) => /^kms:RetireGrant ops-registry aws_ecr_repository\.\S+ delete$/.test(d))).toBe(true);
    expect(denials(await applyDecisions(broken, 'ops-registry')).length).toBeGreaterThan(0);
  });

  it("dev's legacy role cannot touch prod's names, prod's cannot touch dev's", async () => {
    const change = (env: string, name: string): Request => ({
      roleArn: organisation.legacyRoleArn(env as 'dev'),
      action: 'route53:ChangeResourceRecordSets',
      resource: 'arn:aws:route53:::hostedzone/ZLEGACY',
      context: { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [name] },
      why: `${env} changes ${name}`,
    });
    const decisions = await decide(deploy, [change('dev', 'api.fintech.example.com'), change('prod', 'api.dev.fintech.example.com'), change('prod', 'api.fintech.example.com'), change('dev', 'api.dev.fintech.example.com')]);
    expect(decisions.map((d) => [d.request.why, d.allowed])).toEqual([
      ['dev changes api.fintech.example.com', false],
      ['prod changes api.dev.fintech.example.com', false],
      ['prod changes api.fintech.example.com', true],
      ['dev changes api.dev.fintech.example.com', true],
    ]);
  });

  it('roles the deploy role creates cannot read other secrets, decrypt directly or step into another role', async () => {
    const estate = estateOf(deploy, facts);
    const taskRole = [...estate.roles.values()].find((r) => r.accountId === '333333333333' && r.boundary && /task/.test(r.name));
    if (!taskRole) throw new Error('no task role in dev');
    expect(taskRole.boundary?.arn).toBe('arn:aws:iam::333333333333:policy/dev-deploy-boundary');
    // Grant the created role everything it could ask for: the boundary must still say no.
    const greedy = { ...taskRole, identityPolicies: [{ name: 'greedy', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'kms:Decrypt', 'sts:AssumeRole'], Resource: '*' }] } }] };
    const roles = new Map(estate.roles);
    roles.set(greedy.arn, greedy);
    const ask = (action: string, resource: string, context = {}): Request => ({ roleArn: greedy.arn, action, resource, context, why: action });
    const { decisions } = await simulate({ ...estate, roles }, [
      ask('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:333333333333:secret:payroll/admin-AbCdEf'),
      ask('kms:Decrypt', 'arn:aws:kms:us-east-1:333333333333:key/11111111-2222-3333-4444-555555555555'),
      ask('sts:AssumeRole', 'arn:aws:iam::333333333333:role/estate-deploy', { 'sts:ExternalId': organisation.iam.externalId }),
    ]);
    expect(decisions.map((d) => [d.request.action, d.allowed])).toEqual([
      ['secretsmanager:GetSecretValue', false],
      ['kms:Decrypt', false],
      ['sts:AssumeRole', false],
    ]);
    expect(decisions[2].reason).toMatch(/explicit Deny in the permissions boundary .* statement 'DenyAssumeRolesInAccount'/);
  });
});

describe('plan mode (ESTATE_ROLE=plan)', () => {
  it('plans every environment stack with read-only roles end to end, and they may not write', async () => {
    const decisions = await applyDecisions(plan, 'dev-data', 'plan');
    expect(decisions.length).toBeGreaterThan(50);
    expect(new Set(decisions.map((d) => d.request.roleArn.split('/').pop()))).toEqual(new Set(['estate-plan', 'estate-legacy-migration-dev-plan']));
    expect(denials(decisions)).toEqual([]);
    const writes = await decide(plan, [
      { roleArn: organisation.planRoleArn('dev'), action: 'rds:DeleteDBInstance', resource: 'arn:aws:rds:us-east-1:333333333333:db:dev-ledger', context: {}, why: 'delete' },
      { roleArn: organisation.legacyRoleArn('dev', 'plan'), action: 'route53:ChangeResourceRecordSets', resource: 'arn:aws:route53:::hostedzone/Z1', context: { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['api.dev.fintech.example.com'] }, why: 'record' },
    ]);
    expect(writes.map((d) => d.allowed)).toEqual([false, false]);
  });
});

describe('sessions', () => {
  it('CI and operator sessions outlast the longest apply the stacks can make', () => {
    const hours = (v: string) => Number(/^(\d+)h$/.exec(v)?.[1] ?? 0) * 3600 + Number(/^(\d+)m$/.exec(v)?.[1] ?? 0) * 60;
    const longestStack = Math.max(
      ...deploy.map((s) =>
        Object.values<Record<string, Json>>(s.json.resource ?? {})
          .flatMap((byName) => Object.values(byName))
          .reduce((sum, config) => sum + hours(config.timeouts?.create ?? '0h'), 0),
      ),
    );
    expect(longestStack).toBeGreaterThanOrEqual(8 * 3600);
    const estate = estateOf(deploy, facts);
    for (const name of ['estate-ci', 'estate-operator']) {
      expect(estate.roles.get(`arn:aws:iam::222222222222:role/${name}`)?.maxSessionDurationSeconds).toBeGreaterThanOrEqual(longestStack + 3600);
    }
  });
});

it('gives every resource a table entry also for plan-mode output', () => {
  const estate = estateOf(plan, facts);
  const missing = estate.stacks.flatMap((s) => resourcesOf(s)).filter((r) => r.type.startsWith('aws_') && !entryFor(r));
  expect(missing).toEqual([]);
});
