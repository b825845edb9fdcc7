import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { Testing } from 'cdktf';
import { ENVIRONMENT_NAMES, Organisation, exampleOrganisationInput as exampleInput } from '@estate/config';
import { BaseStack, ROLE_MODE_CONTEXT, roleModeFrom } from './base-stack';

function synth(stack: BaseStack) {
  return JSON.parse(Testing.synth(stack));
}

describe('BaseStack', () => {
  const org = Organisation.fromInput(exampleInput());
  const accounts = { dev: '333333333333', staging: '444444444444', prod: '555555555555' };

  describe.each(ENVIRONMENT_NAMES)('in %s', (name) => {
    const env = org.environment(name);
    const stack = new BaseStack(Testing.app(), 'network', { target: env, organisation: org, tier: env.tier });
    const json = synth(stack);
    const provider = json.provider.aws[0];
    const backend = json.terraform.backend.s3;

    it('assumes the deploy role of its own account, pinned to that account', () => {
      expect(provider.assume_role[0].role_arn).toBe(`arn:aws:iam::${accounts[name]}:role/estate-deploy`);
      expect(provider.assume_role[0].external_id).toBe('estate-migration-2026');
      expect(provider.assume_role[0].session_name).toBe(`estate-${name}-network`);
      expect(provider.allowed_account_ids).toEqual([accounts[name]]);
      expect(provider.region).toBe('us-east-1');
    });

    it('tags everything by default', () => {
      expect(provider.default_tags[0].tags).toEqual({ Environment: name, Team: 'platform', CostCenter: 'CC-1001' });
    });

    it("keeps state in the environment's own bucket and key, locked with the S3 lockfile only", () => {
      expect(backend).toMatchObject({
        bucket: `${name}-tfstate-${accounts[name]}`,
        key: `${name}/network.tfstate`,
        region: 'us-east-1',
        encrypt: true,
        kms_key_id: `arn:aws:kms:us-east-1:${accounts[name]}:alias/${name}-tfstate`,
        use_lockfile: true,
      });
      expect(backend).not.toHaveProperty('dynamodb_table');
      expect(backend.assume_role.role_arn).toBe(`arn:aws:iam::${accounts[name]}:role/estate-deploy`);
    });
  });

  it('puts a preview copy under its own stack id and state key, in the same bucket', () => {
    const preview = Organisation.fromInput(exampleInput(), { environmentSuffix: 'pr42' });
    const stack = new BaseStack(Testing.app(), 'data', { target: preview.environment('staging'), organisation: preview });
    const json = synth(stack);
    expect(stack.node.id).toBe('staging-pr42-data');
    expect(json.terraform.backend.s3.key).toBe('staging-pr42/data.tfstate');
    expect(json.terraform.backend.s3.bucket).toBe('staging-tfstate-444444444444');
    expect(json.provider.aws[0].default_tags[0].tags.EnvironmentSuffix).toBe('pr42');
  });

  it('targets the ops account for account-level apps', () => {
    const json = synth(new BaseStack(Testing.app(), 'registry', { target: org.account('ops'), organisation: org }));
    expect(json.provider.aws[0].allowed_account_ids).toEqual(['222222222222']);
    expect(json.terraform.backend.s3.bucket).toBe('ops-tfstate-222222222222');
    expect(json.terraform.backend.s3.key).toBe('ops/registry.tfstate');
  });

  it("offers a legacy provider alias that chains through the deploy role into the environment's own legacy migration role", () => {
    const stack = new BaseStack(Testing.app(), 'data', { target: org.environment('dev'), organisation: org });
    new DataAwsVpc(stack, 'legacy-vpc', { provider: stack.legacyProvider, id: org.legacy.vpcId });
    const json = synth(stack);
    const legacy = json.provider.aws.find((p: { alias?: string }) => p.alias === 'legacy');
    expect(legacy.allowed_account_ids).toEqual(['111111111111']);
    expect(legacy.assume_role.map((r: { role_arn: string }) => r.role_arn)).toEqual([
      'arn:aws:iam::333333333333:role/estate-deploy',
      'arn:aws:iam::111111111111:role/estate-legacy-migration-dev',
    ]);
    expect(json.data.aws_vpc['legacy-vpc'].provider).toBe('aws.legacy');
    expect(stack.legacyProvider).toBe(stack.providerFor('legacy'));
  });

  describe('plan mode (ESTATE_ROLE=plan)', () => {
    const app = Testing.app({ context: { [ROLE_MODE_CONTEXT]: 'plan' } });
    const stack = new BaseStack(app, 'app', { target: org.environment('prod'), organisation: org });
    new DataAwsVpc(stack, 'legacy-vpc', { provider: stack.legacyProvider, id: org.legacy.vpcId });
    new DataAwsVpc(stack, 'peer-vpc', { provider: stack.providerFor('staging'), id: 'vpc-1' });
    const json = synth(stack);
    const roles = (alias?: string) => json.provider.aws.find((p: { alias?: string }) => p.alias === alias).assume_role.map((r: { role_arn: string }) => r.role_arn);

    it('uses only read-only plan roles: provider, backend, legacy chain and peers', () => {
      expect(roles(undefined)).toEqual(['arn:aws:iam::555555555555:role/estate-plan']);
      expect(json.terraform.backend.s3.assume_role.role_arn).toBe('arn:aws:iam::555555555555:role/estate-plan');
      expect(roles('legacy')).toEqual(['arn:aws:iam::555555555555:role/estate-plan', 'arn:aws:iam::111111111111:role/estate-legacy-migration-prod-plan']);
      expect(roles('staging')).toEqual(['arn:aws:iam::444444444444:role/estate-plan']);
      expect(JSON.stringify(json)).not.toMatch(/estate-deploy|estate-legacy-migration-prod"/);
    });

    it('reads the switch from ESTATE_ROLE, naming it when the value is wrong', () => {
      expect(roleModeFrom({})).toBe('deploy');
      expect(roleModeFrom({ ESTATE_ROLE: 'plan' })).toBe('plan');
      expect(roleModeFrom({ ESTATE_ROLE: 'deploy' })).toBe('deploy');
      expect(() => roleModeFrom({ ESTATE_ROLE: 'admin' })).toThrow(/ESTATE_ROLE 'admin' is not supported; expected 'deploy' .* or 'plan'/);
      expect(() => new BaseStack(Testing.app({ context: { [ROLE_MODE_CONTEXT]: 'read' } }), 'x', { target: org.environment('dev'), organisation: org })).toThrow(/ESTATE_ROLE\) 'read' is not supported/);
    });
  });

  it('uses a local backend when asked (first bootstrap run)', () => {
    const json = synth(
      new BaseStack(Testing.app(), 'bootstrap', {
        target: org.account('dev'),
        organisation: org,
        backend: { localPath: '/tmp/dev-bootstrap.tfstate' },
        assumeRoleArn: org.roleArn('dev', org.iam.bootstrapRoleName),
      }),
    );
    expect(json.terraform.backend).toEqual({ local: { path: '/tmp/dev-bootstrap.tfstate' } });
    expect(json.provider.aws[0].assume_role[0].role_arn).toBe('arn:aws:iam::333333333333:role/OrganizationAccountAccessRole');
  });

  it("puts the account's deploy boundary on roles the deploy role creates, not on bootstrap stacks", () => {
    const deployed = new BaseStack(Testing.app(), 'app', { target: org.environment('staging'), organisation: org });
    new IamRole(deployed, 'task', { name: 'staging-api-task', assumeRolePolicy: '{}' });
    new IamRole(deployed, 'own', { name: 'staging-own', assumeRolePolicy: '{}', permissionsBoundary: 'arn:aws:iam::444444444444:policy/custom' });
    const json = synth(deployed).resource.aws_iam_role;
    expect(json.task.permissions_boundary).toBe('arn:aws:iam::444444444444:policy/staging-deploy-boundary');
    expect(json.own.permissions_boundary).toBe('arn:aws:iam::444444444444:policy/custom');

    const bootstrap = new BaseStack(Testing.app(), 'bootstrap', {
      target: org.account('staging'),
      organisation: org,
      assumeRoleArn: org.roleArn('staging', org.iam.bootstrapRoleName),
    });
    new IamRole(bootstrap, 'deploy', { name: 'estate-deploy', assumeRolePolicy: '{}' });
    expect(synth(bootstrap).resource.aws_iam_role.deploy.permissions_boundary).toBeUndefined();
  });

  it('tags resources through the aspect', () => {
    const stack = new BaseStack(Testing.app(), 'data', { target: org.environment('dev'), organisation: org });
    new S3Bucket(stack, 'bucket', { bucket: 'dev-example' });
    expect(synth(stack).resource.aws_s3_bucket.bucket.tags).toEqual({ Environment: 'dev', Team: 'platform', CostCenter: 'CC-1001' });
  });
});
