import { environment, all, testStack } from '../testing/fixtures';
import { healthCheckedSides, WeightedCutoverRecords, type WeightedCutoverRecordsProps } from './weighted-cutover-records';

function build(overrides: Partial<WeightedCutoverRecordsProps> = {}) {
  const env = environment('dev');
  const { stack, legacyProvider, synth } = testStack();
  const records = new WeightedCutoverRecords(stack, 'api', {
    naming: env.naming,
    name: 'api',
    recordName: 'api.dev.fintech.example.com',
    zoneId: 'ZLEGACY',
    zoneProvider: legacyProvider,
    legacy: { dnsName: 'legacy-api-1234567890.us-east-1.elb.amazonaws.com' },
    migrated: { dnsName: 'dev-api-1.us-east-1.elb.amazonaws.com' },
    healthCheckPath: '/health',
    ...overrides,
  });
  return { json: synth(), records };
}

describe('WeightedCutoverRecords', () => {
  const { json } = build();
  const records = all(json, 'aws_route53_record');
  const checks = json.resource.aws_route53_health_check;

  it('pairs a legacy and a migrated weighted record for the same name, 100 / 0, in the legacy zone', () => {
    expect(records.map((r) => [r.set_identifier, r.name, r.type, r.records, r.weighted_routing_policy.weight])).toEqual([
      ['legacy', 'api.dev.fintech.example.com', 'CNAME', ['legacy-api-1234567890.us-east-1.elb.amazonaws.com'], 100],
      ['migrated', 'api.dev.fintech.example.com', 'CNAME', ['dev-api-1.us-east-1.elb.amazonaws.com'], 0],
    ]);
    for (const r of records) expect(r).toMatchObject({ zone_id: 'ZLEGACY', provider: 'aws.legacy', ttl: 60 });
  });

  it('creates an HTTPS health check per endpoint but attaches none at 100 / 0, so a failing legacy side never sends traffic to the new one', () => {
    expect(Object.values<any>(checks).map((c) => [c.type, c.port, c.resource_path, c.fqdn])).toEqual([
      ['HTTPS', 443, '/health', 'legacy-api-1234567890.us-east-1.elb.amazonaws.com'],
      ['HTTPS', 443, '/health', 'dev-api-1.us-east-1.elb.amazonaws.com'],
    ]);
    for (const r of records) expect(r.health_check_id).toBeUndefined();
  });

  it('attaches both health checks when both sides start with weight', () => {
    const split = all(build({ initialWeights: { legacy: 50, migrated: 50 } }).json, 'aws_route53_record');
    for (const r of split) {
      const key = /aws_route53_health_check\.([^.]+)\.id/.exec(r.health_check_id)![1];
      expect(checks[key]).toMatchObject({ fqdn: r.records[0] });
    }
  });

  it('checks both sides only while both carry weight', () => {
    expect(healthCheckedSides({ legacy: 100, migrated: 0 })).toEqual([]);
    expect(healthCheckedSides({ legacy: 0, migrated: 100 })).toEqual([]);
    expect(healthCheckedSides({ legacy: 75, migrated: 25 })).toEqual(['legacy', 'migrated']);
  });

  it('leaves the weights and the health-check association to the migration runner after creation', () => {
    for (const r of records) expect(r.lifecycle).toEqual({ ignore_changes: ['weighted_routing_policy', 'health_check_id'] });
  });

  it('takes initial weights from configuration and rejects impossible ones', () => {
    const custom = build({ initialWeights: { legacy: 75, migrated: 25 } });
    expect(all(custom.json, 'aws_route53_record').map((r) => r.weighted_routing_policy.weight)).toEqual([75, 25]);
    expect(() => build({ initialWeights: { legacy: 0, migrated: 0 } })).toThrow(/initial weights are both 0/);
    expect(() => build({ initialWeights: { legacy: 300, migrated: 0 } })).toThrow(/initial legacy weight 300 must be a whole number 0..255/);
    expect(() => build({ legacy: { dnsName: 'api.dev.fintech.example.com' } })).toThrow(/is the record's own name/);
  });
});
