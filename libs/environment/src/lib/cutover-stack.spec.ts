import { synthEnvironment } from '../testing/environment';

const records = (json: any): any[] => Object.values(json.resource?.aws_route53_record ?? {});

describe('CutoverStack', () => {
  const prod = synthEnvironment('prod');
  const json = prod.synth(prod.stacks.cutover);

  it('pairs the legacy endpoint and the new load balancer under the public name; health checks exist but are attached by the runner', () => {
    const pair = records(json);
    expect(pair.map((r) => [r.name, r.set_identifier, r.weighted_routing_policy.weight])).toEqual([
      ['api.fintech.example.com', 'legacy', 100],
      ['api.fintech.example.com', 'migrated', 0],
    ]);
    expect(pair[0].records).toEqual(['legacy-api-1234567890.us-east-1.elb.amazonaws.com']);
    expect(pair[1].records[0]).toMatch(/terraform_remote_state|dns_name/);
    for (const r of pair) {
      expect(r.health_check_id).toBeUndefined();
      expect(r.lifecycle.ignore_changes).toEqual(['weighted_routing_policy', 'health_check_id']);
      expect(r.provider).toBe('aws.legacy');
    }
    expect(Object.keys(json.resource.aws_route53_health_check)).toHaveLength(2);
  });

  it('outputs what the migration runner reads', () => {
    expect(json.output.api_record_name.value).toBe('api.fintech.example.com');
    expect(json.output.api_set_identifiers.value).toEqual({ legacy: 'legacy', migrated: 'migrated' });
    expect(json.output.hosted_zone_id.value).toMatch(/data\.aws_route53_zone\./);
    expect(json.output.api_legacy_health_check_id.value).toMatch(/^\$\{aws_route53_health_check\..*legacy.*\.id\}$/);
    expect(json.output.api_migrated_health_check_id.value).toMatch(/^\$\{aws_route53_health_check\..*migrated.*\.id\}$/);
    expect(json.output.api_cutover.value).toMatchObject({ record_type: 'CNAME', ttl: 60, legacy: { set_identifier: 'legacy' } });
  });

  it('gives a preview copy only a plain record of its own name, no weighted pair', () => {
    const preview = synthEnvironment('dev', 'pr42');
    const out = preview.synth(preview.stacks.cutover);
    const plain = records(out);
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatchObject({ name: 'api-pr42.dev.fintech.example.com', type: 'CNAME' });
    expect(plain[0].set_identifier).toBeUndefined();
    expect(out.resource.aws_route53_health_check).toBeUndefined();
    expect(out.output.api_set_identifiers).toBeUndefined();
  });
});
