import { Testing } from 'cdktf';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { synthesizeAll, untaggedResources } from '@estate/platform';
import { buildBootstrapApp } from './app';
import { bootstrapBackend } from './backend-choice';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const org = Organisation.fromInput(exampleOrganisationInput());
const ACCOUNTS = { legacy: '111111111111', ops: '222222222222', dev: '333333333333', staging: '444444444444', prod: '555555555555' };

describe('backend-bootstrap app', () => {
  const stacks = synthesizeAll((app, organisation) => buildBootstrapApp(app, organisation, {}));
  const byName = new Map(stacks.map((s) => [s.name, s.json as Json]));
  const ofType = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});

  it('synthesizes one stack per state account plus legacy, with no guardrail errors', () => {
    expect([...byName.keys()].sort()).toEqual(['dev-bootstrap', 'legacy-bootstrap', 'ops-bootstrap', 'prod-bootstrap', 'staging-bootstrap']);
    expect(stacks.flatMap((stack) => untaggedResources(stack))).toEqual([]);
  });

  it('applies each account through its bootstrap role and keeps state in S3 reached the same way', () => {
    for (const account of ['ops', 'dev', 'staging', 'prod'] as const) {
      const json = byName.get(`${account}-bootstrap`);
      const bootstrapRole = `arn:aws:iam::${ACCOUNTS[account]}:role/OrganizationAccountAccessRole`;
      expect(json.provider.aws[0].assume_role[0].role_arn).toBe(bootstrapRole);
      expect(json.provider.aws[0].allowed_account_ids).toEqual([ACCOUNTS[account]]);
      expect(json.terraform.backend.s3).toMatchObject({ bucket: `${account}-tfstate-${ACCOUNTS[account]}`, key: `${account}/bootstrap.tfstate` });
      expect(json.terraform.backend.s3).not.toHaveProperty('dynamodb_table');
      expect(json.terraform.backend.s3.assume_role.role_arn).toBe(bootstrapRole);
    }
  });

  it('keeps the legacy stack state in the ops bucket with the ops key', () => {
    const json = byName.get('legacy-bootstrap');
    expect(json.provider.aws[0].assume_role[0].role_arn).toBe(`arn:aws:iam::${ACCOUNTS.legacy}:role/OrganizationAccountAccessRole`);
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: `ops-tfstate-${ACCOUNTS.ops}`,
      key: 'legacy/bootstrap.tfstate',
      kms_key_id: `arn:aws:kms:us-east-1:${ACCOUNTS.ops}:alias/ops-tfstate`,
    });
  });

  it('trusts the deploy roles to exactly the ops CI and operator roles, plan roles also to the pull-request role', () => {
    for (const account of ['ops', 'dev', 'staging', 'prod'] as const) {
      const roles = ofType(byName.get(`${account}-bootstrap`), 'aws_iam_role');
      const trust = (name: string) => JSON.parse(roles.find((r) => r.name === name).assume_role_policy).Statement;
      for (const [name, principals] of [
        ['estate-deploy', ['estate-ci', 'estate-operator']],
        ['estate-plan', ['estate-ci', 'estate-ci-pr', 'estate-operator']],
      ] as const) {
        const [statement, ...rest] = trust(name);
        expect(rest).toEqual([]);
        expect(statement.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNTS.ops}:root` });
        expect(statement.Condition).toEqual({
          StringEquals: { 'sts:ExternalId': 'estate-migration-2026' },
          ArnEquals: { 'aws:PrincipalArn': principals.map((p) => `arn:aws:iam::${ACCOUNTS.ops}:role/${p}`) },
        });
      }
    }
  });

  it("trusts each environment's legacy roles to that environment's deploy (or plan) role only", () => {
    const roles = ofType(byName.get('legacy-bootstrap'), 'aws_iam_role');
    expect(roles.map((r) => r.name).sort()).toEqual(
      ['dev', 'staging', 'prod'].flatMap((e) => [`estate-legacy-migration-${e}`, `estate-legacy-migration-${e}-plan`]).sort(),
    );
    for (const env of ['dev', 'staging', 'prod'] as const) {
      for (const [name, trusted] of [[`estate-legacy-migration-${env}`, 'estate-deploy'], [`estate-legacy-migration-${env}-plan`, 'estate-plan']]) {
        const [statement, ...rest] = JSON.parse(roles.find((r) => r.name === name).assume_role_policy).Statement;
        expect(rest).toEqual([]);
        expect(statement.Principal.AWS).toBe(`arn:aws:iam::${ACCOUNTS[env]}:root`);
        expect(statement.Condition.ArnEquals['aws:PrincipalArn']).toBe(`arn:aws:iam::${ACCOUNTS[env]}:role/${trusted}`);
      }
    }
  });

  it("keeps dev's legacy role away from prod's names, snapshots and peering (prod's domain is the zone apex)", () => {
    const policies = ofType(byName.get('legacy-bootstrap'), 'aws_iam_role_policy');
    const statements = (role: string) => JSON.parse(policies.find((p) => p.role.includes(`migration-role-${role}`) && !p.role.includes('plan-role')).policy).Statement as Json[];
    const sid = (role: string, id: string) => statements(role).find((x) => x.Sid === id);
    expect(sid('dev', 'Route53Records').Condition).toEqual({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['dev.fintech.example.com', '*.dev.fintech.example.com'] },
    });
    expect(sid('prod', 'Route53Records').Condition['ForAllValues:StringNotLike']['route53:ChangeResourceRecordSetsNormalizedRecordNames']).toEqual([
      'dev.fintech.example.com', '*.dev.fintech.example.com', 'staging.fintech.example.com', '*.staging.fintech.example.com',
    ]);
    expect(sid('dev', 'SnapshotCopyAndShare').Resource).toBe(`arn:aws:rds:us-east-1:${ACCOUNTS.legacy}:snapshot:dev-*`);
    expect(sid('dev', 'AcceptPeering').Condition.ArnLike['ec2:RequesterVpc']).toBe(`arn:aws:ec2:us-east-1:${ACCOUNTS.dev}:vpc/*`);
  });

  it('creates the boundary before the deploy role that carries it (a reference, not a name-built ARN)', () => {
    for (const account of ['ops', 'dev', 'staging', 'prod'] as const) {
      const json = byName.get(`${account}-bootstrap`);
      const deploy = ofType(json, 'aws_iam_role').find((r) => r.name === 'estate-deploy');
      const boundary = Object.keys(json.resource.aws_iam_policy).find((k) => k.startsWith('boundary'));
      expect(deploy.permissions_boundary).toBe(`\${aws_iam_policy.${boundary}.arn}`);
    }
  });

  it('lets each environment plan role chain into its read-only legacy role, nothing else', () => {
    const policy = ofType(byName.get('dev-bootstrap'), 'aws_iam_role_policy').find((p) => p.role.includes('plan-role'));
    const assume = JSON.parse(policy.policy).Statement.filter((x: Json) => ([] as string[]).concat(x.Action).includes('sts:AssumeRole'));
    expect(assume.map((x: Json) => x.Resource)).toEqual([`arn:aws:iam::${ACCOUNTS.legacy}:role/estate-legacy-migration-dev-plan`]);
  });

  it('bootstraps an invited account through the role its config names', () => {
    const input = exampleOrganisationInput();
    const invited = Organisation.fromInput({ ...input, accounts: { ...input.accounts, legacy: { ...input.accounts.legacy, bootstrapRoleName: 'LegacyAdmin' } } });
    const stacks = buildBootstrapApp(Testing.app(), invited, {});
    const legacy = JSON.parse(Testing.synth(stacks.find((s) => s.node.id === 'legacy-bootstrap')!));
    expect(legacy.provider.aws[0].assume_role[0].role_arn).toBe(`arn:aws:iam::${ACCOUNTS.legacy}:role/LegacyAdmin`);
    const dev = JSON.parse(Testing.synth(stacks.find((s) => s.node.id === 'dev-bootstrap')!));
    expect(dev.provider.aws[0].assume_role[0].role_arn).toBe(`arn:aws:iam::${ACCOUNTS.dev}:role/OrganizationAccountAccessRole`);
  });

  it('keeps roles carrying the boundary from assuming roles of their own account, and from reading secrets or decrypting account-wide', () => {
    const boundary = JSON.parse(Object.entries<Json>(byName.get('dev-bootstrap').resource.aws_iam_policy).find(([k]) => k.startsWith('boundary'))![1].policy).Statement as Json[];
    expect(boundary.find((x) => x.Sid === 'DenyAssumeRolesInAccount')).toMatchObject({ Effect: 'Deny', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: `arn:aws:iam::${ACCOUNTS.dev}:role/*` });
    for (const statement of boundary.filter((x) => x.Effect === 'Allow')) {
      for (const action of [].concat(statement.Action) as string[]) {
        expect(action).not.toMatch(/^(kms:Decrypt\*|kms:\*|secretsmanager:Get\*|secretsmanager:\*)$/);
        if (action === 'kms:Decrypt' && statement.Condition === undefined) expect(statement.Resource).toMatch(/^\$\{aws_kms_key\.state_key/);
      }
    }
  });

  it("renders no '*' or 'service:*' action and no wildcard principal in any policy", () => {
    let statements = 0;
    for (const { json } of stacks) {
      for (const [type, resources] of Object.entries<Record<string, Json>>(json.resource ?? {})) {
        for (const config of Object.values(resources)) {
          for (const key of ['policy', 'assume_role_policy']) {
            if (typeof config[key] !== 'string') continue;
            for (const s of JSON.parse(config[key]).Statement) {
              if (s.Effect !== 'Allow') continue;
              statements += 1;
              const actions: string[] = [].concat(s.Action);
              const kmsKeyAdmin = type === 'aws_kms_key' && actions.join() === 'kms:*';
              if (!kmsKeyAdmin) for (const a of actions) expect(a).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
              expect(JSON.stringify(s.Principal ?? {})).not.toMatch(/"\*"/);
            }
          }
        }
      }
    }
    // Every account has deploy, plan and boundary policies plus key policies: an empty walk is a broken test.
    expect(statements).toBeGreaterThan(20);
  });

  it('protects prod and ops state with deletion protection, not dev', () => {
    expect(ofType(byName.get('prod-bootstrap'), 'aws_dynamodb_table')[0].deletion_protection_enabled).toBe(true);
    expect(ofType(byName.get('ops-bootstrap'), 'aws_dynamodb_table')[0].deletion_protection_enabled).toBe(true);
    expect(ofType(byName.get('dev-bootstrap'), 'aws_dynamodb_table')[0].deletion_protection_enabled).toBe(false);
  });

  it('outputs what the other apps consume', () => {
    expect(Object.keys(byName.get('dev-bootstrap').output).sort()).toEqual(
      ['deploy_role_arn', 'permissions_boundary_arn', 'plan_role_arn', 'state_bucket', 'state_key_alias', 'state_key_arn', 'state_lock_table'].sort(),
    );
    expect(Object.keys(byName.get('legacy-bootstrap').output).sort()).toEqual(
      ['dev', 'staging', 'prod'].flatMap((e) => [`legacy_migration_role_arn_${e}`, `legacy_plan_role_arn_${e}`]).sort(),
    );
  });

  it('keeps the first run local, under the git-ignored .state directory', () => {
    const app = Testing.app();
    const built = buildBootstrapApp(app, org, { BOOTSTRAP_BACKEND: 'local' });
    for (const stack of built) {
      const json = JSON.parse(Testing.synth(stack));
      expect(json.terraform.backend).toEqual({ local: { path: `../../../.state/${stack.node.id}.tfstate` } });
    }
    expect(() => bootstrapBackend({ BOOTSTRAP_BACKEND: 'remote' })).toThrow(/BOOTSTRAP_BACKEND 'remote' is not supported/);
  });
});
