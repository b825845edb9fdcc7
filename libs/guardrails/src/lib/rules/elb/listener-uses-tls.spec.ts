import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { finding, findings, resultFor, testStack } from '../test-support';
import { listenerUsesTls } from './listener-uses-tls';

const ALB = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/dev-alb/1';
const CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/abc';
const forward = [{ type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/dev-api/1' }];

describe('MIG-ELB-1 listener TLS', () => {
  it.each(['ELBSecurityPolicy-TLS13-1-2-2021-06', 'ELBSecurityPolicy-TLS13-1-3-2021-06', 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09'])('passes HTTPS with %s', (policy) => {
    const stack = testStack();
    new LbListener(stack, 'https', { loadBalancerArn: ALB, port: 443, protocol: 'HTTPS', sslPolicy: policy, certificateArn: CERT, defaultAction: forward });
    expect(resultFor(stack, listenerUsesTls, 'aws_lb_listener.https')).toEqual({ status: 'compliant' });
  });

  it('rejects HTTPS with a policy that allows TLS 1.0', () => {
    const stack = testStack();
    new LbListener(stack, 'https', { loadBalancerArn: ALB, port: 443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-2016-08', certificateArn: CERT, defaultAction: forward });
    expect(findings(stack, listenerUsesTls)).toEqual([
      finding(listenerUsesTls, 'aws_lb_listener.https', "HTTPS listener has ssl_policy 'ELBSecurityPolicy-2016-08', which is not a TLS 1.2+ TLS13 policy"),
    ]);
  });

  it('rejects the TLS13 policy that still allows TLS 1.0', () => {
    const stack = testStack();
    new LbListener(stack, 'https', { loadBalancerArn: ALB, port: 443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-0-2021-06', certificateArn: CERT, defaultAction: forward });
    expect(findings(stack, listenerUsesTls)).toHaveLength(1);
  });

  it('passes an HTTP listener that redirects to HTTPS', () => {
    const stack = testStack();
    new LbListener(stack, 'http', {
      loadBalancerArn: ALB,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
    expect(resultFor(stack, listenerUsesTls, 'aws_lb_listener.http')).toEqual({ status: 'compliant' });
  });

  it('rejects an HTTP listener that forwards', () => {
    const stack = testStack();
    new LbListener(stack, 'http', { loadBalancerArn: ALB, port: 80, protocol: 'HTTP', defaultAction: forward });
    expect(findings(stack, listenerUsesTls)).toEqual([
      finding(listenerUsesTls, 'aws_lb_listener.http', "HTTP listener on port 80 has default_action type 'forward' instead of a redirect to HTTPS"),
    ]);
  });
});
