import { Token } from 'cdktf';
import { exampleOrganisationInput, type LegacyConfig } from '@estate/config';
import { dataSources, testStack } from '../testing/synth';
import { LegacyLookups } from './legacy-lookups';

const LEGACY = exampleOrganisationInput().legacy as LegacyConfig;

function build(legacy: LegacyConfig = LEGACY) {
  const t = testStack();
  const lookups = new LegacyLookups(t.stack, 'legacy', { provider: t.legacy, legacy });
  return { t, lookups };
}

describe('LegacyLookups', () => {
  it('reads everything as data sources on the legacy provider alias and creates no resource', () => {
    const { t, lookups } = build();
    const name = LEGACY.databases[0].name;
    const handles = [lookups.vpcId, lookups.routeTableIds, lookups.hostedZone.zoneId, lookups.databaseInstance(name).address];
    expect(handles.every((h) => Token.isUnresolved(h))).toBe(true);
    lookups.databaseSnapshot(name);
    lookups.shareKey(name);
    lookups.databaseSecret(name);
    const json = t.synth();
    expect(json.resource).toBeUndefined();
    const types = ['aws_vpc', 'aws_route_tables', 'aws_route53_zone', 'aws_db_instance', 'aws_db_snapshot', 'aws_kms_key', 'aws_secretsmanager_secret'];
    expect(Object.keys(json.data).sort()).toEqual([...types].sort());
    for (const type of types) {
      const found = dataSources(json, type);
      expect(found).toHaveLength(1);
      expect(found[0].config.provider).toBe('aws.legacy');
    }
  });

  it('takes every identifier from the organisation model', () => {
    const legacy: LegacyConfig = {
      ...LEGACY,
      vpcId: 'vpc-0fedcba9876543210',
      vpcCidr: '10.60.0.0/16',
      hostedZoneName: 'corp.example.org',
      databases: [
        { ...LEGACY.databases[0], name: 'orders', instanceIdentifier: 'old-orders', snapshotIdentifier: 'old-orders-final', shareKmsKey: 'alias/orders-share', secretName: 'old/orders' },
      ],
    };
    const { t, lookups } = build(legacy);
    expect(Token.isUnresolved(lookups.routeTableIds)).toBe(true);
    expect(Token.isUnresolved(lookups.hostedZone.zoneId)).toBe(true);
    lookups.databaseSnapshot('orders');
    lookups.shareKey('orders');
    lookups.databaseSecret('orders');
    const json = t.synth();
    const [vpc] = dataSources(json, 'aws_vpc');
    expect(vpc.config).toMatchObject({ id: 'vpc-0fedcba9876543210', cidr_block: '10.60.0.0/16' });
    expect(dataSources(json, 'aws_route_tables')[0].config.vpc_id).toBe(`\${data.aws_vpc.${vpc.name}.id}`);
    expect(dataSources(json, 'aws_route53_zone')[0].config).toMatchObject({ name: 'corp.example.org', private_zone: false });
    expect(dataSources(json, 'aws_db_snapshot')[0].config).toMatchObject({ db_snapshot_identifier: 'old-orders-final', snapshot_type: 'manual' });
    expect(dataSources(json, 'aws_kms_key')[0].config.key_id).toBe('alias/orders-share');
    expect(dataSources(json, 'aws_secretsmanager_secret')[0].config.name).toBe('old/orders');
  });

  it('looks up only what is asked for, once', () => {
    const { t, lookups } = build();
    const name = LEGACY.databases[0].name;
    expect(lookups.databaseInstance(name)).toBe(lookups.databaseInstance(name));
    lookups.databaseSecurityGroupIds(name);
    const json = t.synth();
    expect(Object.keys(json.data)).toEqual(['aws_db_instance']);
    expect(dataSources(json, 'aws_db_instance')[0].config.db_instance_identifier).toBe(LEGACY.databases[0].instanceIdentifier);
  });

  it('names the known databases when asked for an unknown one', () => {
    expect(() => build().lookups.databaseSnapshot('payments')).toThrow("LegacyLookups legacy: no legacy database 'payments'; legacy.databases has ledger");
  });

  it('rejects a legacy VPC id or CIDR that cannot be right', () => {
    expect(() => build({ ...LEGACY, vpcId: 'vpc-xyz', vpcCidr: '10.50.0.1/16' })).toThrow(
      /legacy.vpcId 'vpc-xyz' is not a VPC id.*legacy.vpcCidr: '10.50.0.1\/16' has host bits set/,
    );
  });
});
