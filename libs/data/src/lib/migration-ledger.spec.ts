import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Naming } from '@estate/config';
import { Role, awsPrincipal } from '@estate/iam';
import { LEDGER_KEYS, MigrationLedger } from './migration-ledger';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const OPS = '222222222222';
const CI = `arn:aws:iam::${OPS}:role/estate-ci`;

describe('MigrationLedger', () => {
  const stack = new TerraformStack(Testing.app(), 'ops');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const ledger = new MigrationLedger(stack, 'ledger', { naming: new Naming('ops'), accountId: OPS, region: 'us-east-1' });
  const ci = new Role(stack, 'ci', { roleName: 'estate-ci', description: 'ci', assumedBy: awsPrincipal(`arn:aws:iam::${OPS}:root`) });
  ledger.grantReadWrite(ci, CI);
  ledger.grantPublish(ci, CI);
  const json: Json = JSON.parse(Testing.synth(stack));
  const one = (type: string) => Object.values<Json>(json.resource[type])[0];

  it('keys items by pk/sk with expiresAt as TTL, the names the runner uses', () => {
    expect(LEDGER_KEYS).toEqual({ partition: 'pk', sort: 'sk', ttl: 'expiresAt' });
    expect(one('aws_dynamodb_table')).toMatchObject({
      name: 'ops-migration-ledger',
      hash_key: 'pk',
      range_key: 'sk',
      attribute: [
        { name: 'pk', type: 'S' },
        { name: 'sk', type: 'S' },
      ],
      ttl: { attribute_name: 'expiresAt', enabled: true },
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    });
    expect(one('aws_dynamodb_table').server_side_encryption.kms_key_arn).toMatch(/^\$\{aws_kms_key\.ledger_key/);
  });

  it('encrypts the event topic with the ledger key', () => {
    expect(one('aws_sns_topic')).toMatchObject({ name: 'ops-migration-events' });
    expect(one('aws_sns_topic').kms_master_key_id).toMatch(/^\$\{aws_kms_key\.ledger_key/);
  });

  it('grants item access and publishing on the exact table and topic', () => {
    const statements = ci.policy.toJSON().Statement as Json[];
    expect(statements[0].Resource).toBe(`arn:aws:dynamodb:us-east-1:${OPS}:table/ops-migration-ledger`);
    expect(statements[0].Action).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query']));
    expect(statements[0].Action).not.toContain('dynamodb:DeleteTable');
    expect(statements[1]).toEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${OPS}:ops-migration-events` });
    expect(statements.some((s) => JSON.stringify(s.Action).includes('kms:'))).toBe(false);
  });

  it('admits the grantee to the key only through DynamoDB and SNS', () => {
    const statements = JSON.parse(one('aws_kms_key').policy).Statement as Json[];
    const uses = statements.filter((s) => s.Principal?.AWS === CI);
    expect(uses.map((s) => s.Condition.StringEquals['kms:ViaService'])).toEqual(['dynamodb.us-east-1.amazonaws.com', 'sns.us-east-1.amazonaws.com']);
  });

  it('rejects a bad account or region', () => {
    const bad = new TerraformStack(Testing.app(), 'bad');
    expect(() => new MigrationLedger(bad, 'a', { naming: new Naming('ops'), accountId: 'x', region: 'us-east-1' })).toThrow(/accountId 'x'/);
    expect(() => new MigrationLedger(bad, 'b', { naming: new Naming('ops'), accountId: OPS, region: 'mars' })).toThrow(/region 'mars'/);
  });
});
