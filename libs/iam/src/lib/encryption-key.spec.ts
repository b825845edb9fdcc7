import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { EncryptionKey } from './encryption-key';
import { PolicyStatement } from './policy-document';
import { servicePrincipal } from './principals';
import { Role } from './role';

function build(body: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  body(stack);
  const json = JSON.parse(Testing.synth(stack));
  const key = Object.values<{ policy: string; enable_key_rotation: boolean; deletion_window_in_days: number }>(json.resource.aws_kms_key)[0];
  return { json, key, policy: JSON.parse(key.policy) as { Statement: { Sid: string; Principal: Record<string, unknown>; Condition?: Record<string, Record<string, unknown>> }[] } };
}

describe('EncryptionKey', () => {
  it('rotates, keeps a 30-day deletion window and is administered by its own account', () => {
    const { json, key, policy } = build((s) => new EncryptionKey(s, 'key', { alias: 'dev-data', description: 'data' }));
    expect(key.enable_key_rotation).toBe(true);
    expect(key.deletion_window_in_days).toBe(30);
    expect(policy.Statement[0]).toMatchObject({ Sid: 'AccountAdministers', Principal: { AWS: expect.stringMatching(/^arn:aws:iam::\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:root$/) } });
    expect(Object.values<{ name: string }>(json.resource.aws_kms_alias)[0].name).toBe('alias/dev-data');
  });

  it('lets CloudWatch Logs use it only for log groups of this account, other services only for this account', () => {
    const { policy } = build(
      (s) => new EncryptionKey(s, 'key', { alias: 'dev-logs', description: 'logs', servicePrincipals: ['logs.us-east-1.amazonaws.com', 'sns.amazonaws.com'] }),
    );
    const logs = policy.Statement.find((st) => st.Sid === 'LogsUseForThisAccount');
    expect(logs?.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(logs?.Condition?.['ArnLike']['kms:EncryptionContext:aws:logs:arn']).toMatch(/^arn:aws:logs:us-east-1:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:log-group:\*$/);
    const others = policy.Statement.find((st) => st.Sid === 'ServicesUseForThisAccount');
    expect(others?.Principal).toEqual({ Service: 'sns.amazonaws.com' });
    expect(Object.keys(others?.Condition?.['StringEquals'] ?? {})).toEqual(['aws:SourceAccount']);
  });

  it('adds other accounts only when asked, and checks their ids', () => {
    const { policy } = build((s) => new EncryptionKey(s, 'key', { alias: 'legacy-share', description: 'share' }).grantUseToAccounts(['333333333333']));
    expect(policy.Statement.find((st) => st.Sid === 'OtherAccountsUse')?.Principal).toEqual({ AWS: 'arn:aws:iam::333333333333:root' });
    expect(() => build((s) => new EncryptionKey(s, 'key', { alias: 'x-share', description: 'share' }).grantUseToAccounts(['3333']))).toThrow(
      "EncryptionKey key: '3333' is not a 12-digit account id",
    );
  });

  it('grants decrypt on this key only', () => {
    const { json } = build((s) => {
      const key = new EncryptionKey(s, 'key', { alias: 'dev-data', description: 'data' });
      const role = new Role(s, 'role', { roleName: 'dev-reader', description: 'reads', assumedBy: servicePrincipal('ecs-tasks.amazonaws.com') });
      const statement = key.grantDecrypt(role);
      expect(statement).toBeInstanceOf(PolicyStatement);
    });
    const policy = JSON.parse(Object.values<{ policy: string }>(json.resource.aws_iam_role_policy)[0].policy);
    expect(policy.Statement).toEqual([{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: expect.stringMatching(/^\$\{aws_kms_key\.[\w-]+\.arn\}$/) }]);
  });

  it.each([
    ['aws/rds', /alias 'aws\/rds' is invalid/],
    ['has space', /alias 'has space' is invalid/],
  ])('rejects the alias %s', (alias, message) => {
    expect(() => build((s) => new EncryptionKey(s, 'key', { alias, description: 'x' }))).toThrow(message);
  });

  it('rejects a deletion window outside 7..30 days', () => {
    expect(() => build((s) => new EncryptionKey(s, 'key', { alias: 'dev-x', description: 'x', deletionWindowDays: 3 }))).toThrow('deletionWindowDays 3 is outside 7..30');
  });
});
