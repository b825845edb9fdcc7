import { LbListener, type LbListenerConfig, type LbListenerDefaultAction } from '@cdktf/provider-aws/lib/lb-listener';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { listenerUsesTls as rule } from './listener-uses-tls';

const NLB = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/dev-nlb/1';
const CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/abc';
const MODERN = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
const forward: LbListenerDefaultAction = { type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/dev-api/1' };
const toHttps: LbListenerDefaultAction = { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } };

function check(config: Partial<LbListenerConfig>, override?: [string, unknown]) {
  const stack = testStack();
  const listener = new LbListener(stack, 'listener', { loadBalancerArn: NLB, defaultAction: [forward], ...config });
  if (override) listener.addOverride(...override);
  return resultFor(stack, rule, 'aws_lb_listener.listener');
}

const NOT_TLS13 = 'which is not a TLS 1.2+ TLS13 policy';
const notRedirect = (types: string) => nonCompliant(`HTTP listener on port 80 has default_action type ${types} instead of a redirect to HTTPS`);

describe('MIG-ELB-1 TLS listeners (network load balancers)', () => {
  it('passes TLS with a TLS13 1.2 policy', () => {
    expect(check({ port: 443, protocol: 'TLS', sslPolicy: MODERN, certificateArn: CERT })).toEqual({ status: 'compliant' });
  });

  it('names the protocol when a TLS listener has an old policy', () => {
    expect(check({ port: 443, protocol: 'TLS', sslPolicy: 'ELBSecurityPolicy-TLS-1-1-2017-01', certificateArn: CERT })).toEqual(
      nonCompliant(`TLS listener has ssl_policy 'ELBSecurityPolicy-TLS-1-1-2017-01', ${NOT_TLS13}`),
    );
  });

  it.each(['TCP', 'UDP', 'TCP_UDP'])('does not judge %s listeners, even with a certificate', (protocol) => {
    expect(check({ port: 443, protocol, certificateArn: CERT })).toEqual({ status: 'not-applicable' });
    expect(check({ port: 53, protocol })).toEqual({ status: 'not-applicable' });
  });
});

describe('MIG-ELB-1 listeners without a protocol (the provider infers it from the certificate)', () => {
  it('treats a listener with a certificate as HTTPS and names the AWS default policy when none is set', () => {
    expect(check({ port: 443, certificateArn: CERT })).toEqual(
      nonCompliant(`HTTPS listener has ssl_policy 'unset (defaults to ELBSecurityPolicy-2016-08, TLS 1.0)', ${NOT_TLS13}`),
    );
  });

  it('passes such a listener with a TLS13 policy', () => {
    expect(check({ port: 443, certificateArn: CERT, sslPolicy: MODERN })).toEqual({ status: 'compliant' });
  });

  it('treats a listener without a certificate as HTTP', () => {
    expect(check({ port: 80 })).toEqual(notRedirect("'forward'"));
    expect(check({ port: 80, defaultAction: [toHttps] })).toEqual({ status: 'compliant' });
  });
});

describe('MIG-ELB-1 ssl_policy values', () => {
  it('accepts only a policy written as a string', () => {
    expect(check({ port: 443, protocol: 'HTTPS', certificateArn: CERT }, ['ssl_policy', [MODERN]])).toEqual(
      nonCompliant(`HTTPS listener has ssl_policy ["${MODERN}"], ${NOT_TLS13}`),
    );
  });
});

describe('MIG-ELB-1 HTTP default actions', () => {
  it('rejects an HTTP listener without a default action', () => {
    expect(check({ port: 80, protocol: 'HTTP' }, ['default_action', null])).toEqual(notRedirect('not set'));
  });

  it('rejects a redirect to HTTPS followed by another action, naming every action type', () => {
    expect(check({ port: 80, protocol: 'HTTP', defaultAction: [toHttps, forward] })).toEqual(notRedirect("'redirect', 'forward'"));
  });

  it('rejects a redirect that keeps HTTP', () => {
    expect(check({ port: 80, protocol: 'HTTP', defaultAction: [{ type: 'redirect', redirect: { host: 'www.example.com', protocol: 'HTTP', statusCode: 'HTTP_301' } }] })).toEqual(
      notRedirect("'redirect'"),
    );
  });

  it('rejects a redirect without its redirect block', () => {
    expect(check({ port: 80, protocol: 'HTTP', defaultAction: [{ type: 'redirect' }] })).toEqual(notRedirect("'redirect'"));
  });

  it('rejects a forward that carries a stray redirect block', () => {
    expect(check({ port: 80, protocol: 'HTTP', defaultAction: [{ ...forward, redirect: { protocol: 'HTTPS', statusCode: 'HTTP_301' } }] })).toEqual(notRedirect("'forward'"));
  });
});
