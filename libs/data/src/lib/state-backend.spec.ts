import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { PermissionsBoundary, Role, awsPrincipal } from '@estate/iam';
import { StateBackend } from './state-backend';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const DEV = '333333333333';
const DEPLOY = `arn:aws:iam::${DEV}:role/estate-deploy`;
const target = { bucket: `dev-tfstate-${DEV}`, lockTable: 'dev-tfstate-lock', kmsKeyAlias: 'alias/dev-tfstate', region: 'us-east-1', roleArn: DEPLOY, planRoleArn: `arn:aws:iam::${DEV}:role/estate-plan` };

function build(deletionProtection?: boolean) {
  const stack = new TerraformStack(Testing.app(), 'bootstrap');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const backend = new StateBackend(stack, 'state', { target, accountId: DEV, deployRoleArns: [DEPLOY], deletionProtection });
  const boundary = new PermissionsBoundary(stack, 'boundary', { policyName: 'dev-deploy-boundary', accountId: DEV, description: 'cap' });
  backend.protectWith(boundary);
  const deploy = new Role(stack, 'deploy', { roleName: 'estate-deploy', description: 'd', assumedBy: awsPrincipal('arn:aws:iam::222222222222:root') });
  const plan = new Role(stack, 'plan', { roleName: 'estate-plan', description: 'p', assumedBy: awsPrincipal('arn:aws:iam::222222222222:root') });
  backend.grantStateAccess(deploy, 'dev');
  backend.grantStateRead(plan, 'dev');
  const json: Json = JSON.parse(Testing.synth(stack));
  return { json, backend, boundary, deploy, plan };
}
const one = (json: Json, type: string) => Object.values<Json>(json.resource[type])[0];

describe('StateBackend', () => {
  const { json, boundary, deploy, plan } = build();

  it('names the bucket, table and key alias from the organisation model', () => {
    expect(one(json, 'aws_s3_bucket').bucket).toBe(`dev-tfstate-${DEV}`);
    expect(one(json, 'aws_dynamodb_table').name).toBe('dev-tfstate-lock');
    expect(one(json, 'aws_kms_alias').name).toBe('alias/dev-tfstate');
    expect(one(json, 'aws_kms_key').enable_key_rotation).toBe(true);
  });

  it('encrypts the bucket with its own key and keeps noncurrent versions 90 days', () => {
    const sse = one(json, 'aws_s3_bucket_server_side_encryption_configuration').rule[0].apply_server_side_encryption_by_default;
    expect(sse).toEqual({ sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.state_key_5FD9E39E.arn}' });
    expect(one(json, 'aws_s3_bucket_lifecycle_configuration').rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
    expect(one(json, 'aws_s3_bucket_ownership_controls').rule.object_ownership).toBe('BucketOwnerEnforced');
    expect(one(json, 'aws_s3_bucket_versioning').versioning_configuration.status).toBe('Enabled');
  });

  it('denies insecure transport and deletions of state and versions to everyone but the deploy role', () => {
    const statements = JSON.parse(one(json, 'aws_s3_bucket_policy').policy).Statement;
    expect(statements.map((s: Json) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyStateDeletionExceptDeployRoles', 'DenyVersionDeletionExceptDeployRoles']);
    expect(statements[1]).toMatchObject({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::dev-tfstate-${DEV}/*.tfstate`, Condition: { ArnNotEquals: { 'aws:PrincipalArn': DEPLOY } } });
    expect(statements[2]).toMatchObject({ Effect: 'Deny', Action: 's3:DeleteObjectVersion', Condition: { ArnNotEquals: { 'aws:PrincipalArn': DEPLOY } } });
  });

  it('locks with a LockID table on demand, with PITR and the state key', () => {
    const table = one(json, 'aws_dynamodb_table');
    expect(table).toMatchObject({
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: '${aws_kms_key.state_key_5FD9E39E.arn}' },
      deletion_protection_enabled: false,
    });
    expect(table.lifecycle).toBeUndefined();
  });

  it('turns on deletion protection and prevent_destroy for production', () => {
    const prod = build(true).json;
    expect(one(prod, 'aws_dynamodb_table').deletion_protection_enabled).toBe(true);
    for (const type of ['aws_dynamodb_table', 'aws_s3_bucket', 'aws_kms_key']) expect(one(prod, type).lifecycle).toEqual({ prevent_destroy: true });
  });

  it('grants state access under the key prefix only, and plans only lock files', () => {
    const statements = deploy.policy.toJSON().Statement as Json[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::dev-tfstate-${DEV}/dev*` }),
        expect.objectContaining({
          Resource: `arn:aws:dynamodb:us-east-1:${DEV}:table/dev-tfstate-lock`,
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': `dev-tfstate-${DEV}/dev*` } },
        }),
      ]),
    );
    const planStatements = plan.policy.toJSON().Statement as Json[];
    expect(planStatements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 's3:GetObject', Resource: `arn:aws:s3:::dev-tfstate-${DEV}/dev*` }),
        expect.objectContaining({ Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::dev-tfstate-${DEV}/dev*.tflock` }),
      ]),
    );
    expect(() => build().backend.grantStateAccess(deploy, '*')).toThrow(/key prefix '\*' is invalid/);
  });

  it('denies, through the boundary, deleting or reconfiguring the backend', () => {
    const sids = boundary.statements.filter((s) => s.effect === 'Deny').map((s) => s.props.sid);
    expect(sids).toEqual(expect.arrayContaining(['DenyStateBucketChanges', 'DenyLockTableChanges', 'DenyStateKeyChanges']));
  });

  it('rejects a bad account id, alias or empty deploy role list', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new StateBackend(stack, 'a', { target: { ...target, kmsKeyAlias: 'dev-tfstate' }, accountId: '12', deployRoleArns: [] })).toThrow(
      /accountId '12' is not a 12-digit account id; kmsKeyAlias 'dev-tfstate' must start with alias\/; deployRoleArns is empty/,
    );
  });
});
