import { SecureBucket } from '@estate/data';
import { CERTIFICATE_ARN, NETWORK, all, environment, only, testStack } from '../testing/fixtures';
import { DnsValidatedCertificate } from './dns-validated-certificate';
import { PublicLoadBalancer, type PublicLoadBalancerProps } from './public-load-balancer';

function build(name: 'dev' | 'prod', overrides: Partial<PublicLoadBalancerProps> = {}, withLogs = false) {
  const env = environment(name);
  const { stack, synth } = testStack();
  const logs = withLogs ? new SecureBucket(stack, 'alb-logs', { bucketName: `${name}-alb-logs-1`, kmsKeyArn: undefined }) : undefined;
  new PublicLoadBalancer(stack, 'alb', {
    naming: env.naming,
    name: 'api',
    network: NETWORK,
    settings: env.settings.loadBalancer,
    certificateArn: CERTIFICATE_ARN,
    target: { port: 8080, healthCheckPath: '/health' },
    accessLogsBucket: logs,
    ...overrides,
  });
  return synth();
}

describe('PublicLoadBalancer', () => {
  const dev = build('dev');
  const prod = build('prod', {}, true);

  it('is internet-facing in the public subnets and drops invalid header fields', () => {
    expect(only(dev, 'aws_lb')).toMatchObject({
      name: 'dev-api',
      internal: false,
      load_balancer_type: 'application',
      subnets: NETWORK.publicSubnetIds,
      drop_invalid_header_fields: true,
      enable_deletion_protection: false,
    });
  });

  it('serves HTTPS with a TLS 1.3/1.2 policy and the certificate, and HTTP only redirects to HTTPS', () => {
    const listeners = all(dev, 'aws_lb_listener');
    const https = listeners.find((l) => l.port === 443);
    const http = listeners.find((l) => l.port === 80);
    expect(https).toMatchObject({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificate_arn: CERTIFICATE_ARN });
    expect(https.default_action).toEqual([{ type: 'forward', target_group_arn: expect.stringMatching(/aws_lb_target_group/) }]);
    expect(http.default_action).toEqual([{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }]);
  });

  it('health-checks IP targets on the configured path', () => {
    const group = only(dev, 'aws_lb_target_group');
    expect(group).toMatchObject({ name: 'dev-api', target_type: 'ip', port: 8080, protocol: 'HTTP' });
    expect(group.health_check).toMatchObject({ path: '/health', matcher: '200-399' });
  });

  it('admits 80 and 443 from anywhere, described, and has no egress until a target is allowed', () => {
    const ingress = all(dev, 'aws_vpc_security_group_ingress_rule');
    expect(ingress.map((r) => [r.from_port, r.cidr_ipv4])).toEqual([
      [443, '0.0.0.0/0'],
      [80, '0.0.0.0/0'],
    ]);
    expect(ingress.every((r) => r.description.length > 0)).toBe(true);
    expect(all(dev, 'aws_vpc_security_group_egress_rule')).toEqual([]);
  });

  it('turns on deletion protection and access logs in prod, after the bucket lets the ELB account write', () => {
    const lb = only(prod, 'aws_lb');
    expect(lb.enable_deletion_protection).toBe(true);
    expect(lb.access_logs).toMatchObject({ enabled: true, prefix: 'prod-api' });
    expect(lb.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
    const policy = JSON.parse(only(prod, 'aws_s3_bucket_policy').policy);
    const delivery = policy.Statement.find((s: any) => s.Sid?.startsWith('AlbLogDelivery'));
    expect(delivery.Principal).toEqual({ AWS: 'arn:aws:iam::127311923021:root' });
    expect(delivery.Resource).toMatch(/\/prod-api\/AWSLogs\/\*$/);
  });

  it('rejects access logs without a bucket, an SSE-KMS bucket, an old TLS policy and a bad health path', () => {
    expect(() => build('prod')).toThrow(/settings.accessLogs is on but no accessLogsBucket/);
    const { stack } = testStack();
    const kms = new SecureBucket(stack, 'kms', { bucketName: 'prod-kms-logs', kmsKeyArn: 'arn:aws:kms:us-east-1:555555555555:key/abc' });
    expect(() => build('prod', { accessLogsBucket: kms })).toThrow(/is SSE-KMS; ALB log delivery writes only to SSE-S3/);
    expect(() => build('dev', { sslPolicy: 'ELBSecurityPolicy-2016-08' })).toThrow(/sslPolicy 'ELBSecurityPolicy-2016-08' is not a TLS 1.2\+/);
    expect(() => build('dev', { target: { port: 8080, healthCheckPath: 'health' } })).toThrow(/healthCheckPath 'health' must start with '\/'/);
    expect(() => build('dev', { certificateArn: 'arn:aws:iam::1:server-certificate/x' })).toThrow(/is not an ACM certificate ARN/);
  });
});

describe('DnsValidatedCertificate', () => {
  it('validates by DNS with records in the zone through the zone provider, and exposes the validated ARN', () => {
    const { stack, legacyProvider, synth } = testStack();
    const certificate = new DnsValidatedCertificate(stack, 'cert', { name: 'dev-api', domainName: 'api.dev.fintech.example.com', hostedZoneId: 'Z123', zoneProvider: legacyProvider });
    const json = synth();
    expect(only(json, 'aws_acm_certificate')).toMatchObject({ domain_name: 'api.dev.fintech.example.com', validation_method: 'DNS' });
    const record = only(json, 'aws_route53_record');
    expect(record).toMatchObject({ zone_id: 'Z123', provider: 'aws.legacy', ttl: 300 });
    expect(record.name).toMatch(/^\$\{tolist\(aws_acm_certificate\.cert_certificate_[A-F0-9]+\.domain_validation_options\)\.0\.resource_record_name\}$/);
    expect(only(json, 'aws_acm_certificate_validation').validation_record_fqdns).toEqual([expect.stringMatching(/aws_route53_record\..*\.fqdn/)]);
    expect(certificate.certificateArn).toMatch(/TOKEN/);
  });

  it('rejects a name that is not a DNS name', () => {
    const { stack } = testStack();
    expect(() => new DnsValidatedCertificate(stack, 'c', { name: 'dev-api', domainName: 'API.example', hostedZoneId: 'Z' })).toThrow(/'API.example' not a lowercase DNS name/);
  });
});
