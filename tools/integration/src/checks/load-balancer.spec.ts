import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type { Server } from 'node:http';
import { describeWithTool } from '@estate/testing';
import { probe } from '../http-probe';
import type { ServiceOutputs } from '../outputs';
import { close, listen, LOOPBACK, selfSignedCertificate, TEST_HOST, type Handler, type SelfSigned } from '../test-fixtures';
import { checkLoadBalancer } from './load-balancer';

const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:333333333333:loadbalancer/app/dev-api/50dc6c495c0c9188';

// The load balancer "DNS name" is the loopback address: the probe connects there and sends
// the service's public name as Host and SNI, exactly as it does against a real ALB.
const service: ServiceOutputs = { name: 'api', healthCheckPath: '/health', publicHost: TEST_HOST, albDnsName: LOOPBACK, clusterName: 'dev-api', serviceName: 'dev-api' };

const httpsListener: Listener = {
  ListenerArn: `${LB_ARN.replace(':loadbalancer/', ':listener/')}/1`, LoadBalancerArn: LB_ARN, Port: 443, Protocol: 'HTTPS',
  SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', DefaultActions: [{ Type: 'forward', TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:333333333333:targetgroup/dev-api/1' }],
};
const httpListener: Listener = {
  ListenerArn: `${LB_ARN.replace(':loadbalancer/', ':listener/')}/2`, LoadBalancerArn: LB_ARN, Port: 80, Protocol: 'HTTP',
  DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }],
};

function recordedLoadBalancer(state: 'active' | 'provisioning' = 'active', listeners: Listener[] = [httpsListener, httpListener]) {
  elbv2.on(DescribeLoadBalancersCommand).resolves({
    LoadBalancers: [
      { LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:333333333333:loadbalancer/app/other/1', DNSName: 'other-1.us-east-1.elb.amazonaws.com', LoadBalancerName: 'other', State: { Code: 'active' } },
      { LoadBalancerArn: LB_ARN, DNSName: LOOPBACK, LoadBalancerName: 'dev-api', Scheme: 'internet-facing', Type: 'application', State: { Code: state } },
    ],
  });
  elbv2.on(DescribeListenersCommand, { LoadBalancerArn: LB_ARN }).resolves({ Listeners: listeners });
}

const tls = selfSignedCertificate();
const healthy: Handler = (req, res) => {
  res.writeHead(req.url === '/health' && req.headers.host === TEST_HOST ? 200 : 404).end('ok');
};
const redirect =
  (status: number, location: (host: string, url: string) => string): Handler =>
  (req, res) => {
    res.writeHead(status, { location: location(String(req.headers.host), String(req.url)) }).end();
  };

const servers: Server[] = [];
async function start(handler: Handler, cert?: SelfSigned): Promise<number> {
  const { server, port } = await listen(handler, cert);
  servers.push(server);
  return port;
}
async function closedPort(): Promise<number> {
  const { server, port } = await listen(healthy);
  await close(server);
  return port;
}

beforeEach(() => elbv2.reset());
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

const describeTls = describeWithTool('openssl', tls !== undefined);

describeTls('checkLoadBalancer over real local servers', () => {
  const cert = tls as SelfSigned;

  it('passes when HTTPS answers 2xx for the public name and HTTP redirects to https', async () => {
    recordedLoadBalancer();
    const ports = { https: await start(healthy, cert), http: await start(redirect(301, (h, u) => `https://${h}${u}`)) };
    const rows = await checkLoadBalancer(service, { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client, probe, ports, ca: cert.cert });
    expect(rows.map((r) => [r.check, r.status])).toEqual([
      ['alb-listeners', 'pass'],
      ['alb-https', 'pass'],
      ['alb-http-redirect', 'pass'],
    ]);
    expect(rows[1].detail).toContain(': 200');
    expect(rows[2].detail).toContain(`301 to https://${TEST_HOST}/health`);
  });

  it('fails when the load balancer does not answer HTTPS', async () => {
    recordedLoadBalancer();
    const ports = { https: await closedPort(), http: await start(redirect(302, (h, u) => `https://${h}${u}`)) };
    const rows = await checkLoadBalancer(service, { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client, probe, ports, ca: cert.cert });
    expect(rows.find((r) => r.check === 'alb-https')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no HTTPS answer \(.*ECONNREFUSED/) });
    expect(rows.find((r) => r.check === 'alb-http-redirect')?.status).toBe('pass');
  });

  it('fails when the health path answers 5xx over HTTPS', async () => {
    recordedLoadBalancer();
    const ports = { https: await start((_, res) => res.writeHead(503).end(), cert), http: await start(redirect(301, (h, u) => `https://${h}${u}`)) };
    const rows = await checkLoadBalancer(service, { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client, probe, ports, ca: cert.cert });
    expect(rows.find((r) => r.check === 'alb-https')).toMatchObject({ status: 'fail', detail: expect.stringContaining('503, expected 2xx') });
  });

  it('fails when the certificate is not valid for the public name', async () => {
    recordedLoadBalancer();
    const other = selfSignedCertificate('other.example.test') as SelfSigned;
    const ports = { https: await start(healthy, other), http: await start(redirect(301, (h, u) => `https://${h}${u}`)) };
    const rows = await checkLoadBalancer(service, { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client, probe, ports, ca: other.cert });
    expect(rows.find((r) => r.check === 'alb-https')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no HTTPS answer .*(altnames|ERR_TLS_CERT_ALTNAME_INVALID)/) });
  });

  it('fails when HTTP serves the page instead of redirecting', async () => {
    recordedLoadBalancer();
    const ports = { https: await start(healthy, cert), http: await start(healthy) };
    const rows = await checkLoadBalancer(service, { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client, probe, ports, ca: cert.cert });
    expect(rows.find((r) => r.check === 'alb-http-redirect')).toMatchObject({ status: 'fail', detail: expect.stringContaining('200, expected 301 or 302') });
  });

  it('fails when HTTP redirects somewhere other than https', async () => {
    recordedLoadBalancer();
    const ports = { https: await start(healthy, cert), http: await start(redirect(301, (h, u) => `http://${h}/login?next=${u}`)) };
    const rows = await checkLoadBalancer(service, { elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client, probe, ports, ca: cert.cert });
    expect(rows.find((r) => r.check === 'alb-http-redirect')).toMatchObject({ status: 'fail', detail: expect.stringContaining("to 'http://api.dev.example.test/login?next=/health', expected an https:// location") });
  });
});

describe('checkLoadBalancer listeners (ELBv2)', () => {
  // No server listens here: the HTTP rows fail, the listener row is what these tests look at.
  const deps = async () => ({ elbv2: elbv2 as unknown as ElasticLoadBalancingV2Client, probe, ports: { https: await closedPort(), http: await closedPort() } });

  it('fails when the HTTP listener forwards instead of redirecting', async () => {
    recordedLoadBalancer('active', [httpsListener, { ...httpListener, DefaultActions: httpsListener.DefaultActions }]);
    const [row] = await checkLoadBalancer(service, await deps());
    expect(row).toMatchObject({ check: 'alb-listeners', status: 'fail', detail: "dev-api: the HTTP listener's default action is forward, expected only a redirect to HTTPS" });
  });

  it('fails when there is no HTTPS listener', async () => {
    recordedLoadBalancer('active', [httpListener]);
    const [row] = await checkLoadBalancer(service, await deps());
    expect(row).toMatchObject({ status: 'fail', detail: 'dev-api: no HTTPS listener on 443' });
  });

  it('fails when the load balancer is still provisioning', async () => {
    recordedLoadBalancer('provisioning');
    const [row] = await checkLoadBalancer(service, await deps());
    expect(row).toMatchObject({ status: 'fail', detail: 'dev-api is provisioning, expected active' });
  });

  it('pages through load balancers and fails when none has the DNS name', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({ LoadBalancers: [{ DNSName: 'a.elb.amazonaws.com', State: { Code: 'active' } }], NextMarker: 'm1' })
      .resolvesOnce({ LoadBalancers: [{ DNSName: 'b.elb.amazonaws.com', State: { Code: 'active' } }] });
    const [row] = await checkLoadBalancer(service, await deps());
    expect(row).toMatchObject({ status: 'fail', detail: `no load balancer with DNS name ${LOOPBACK} in this account and region` });
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm1']);
  });

  it('fails without a DNS name output and probes nothing', async () => {
    const rows = await checkLoadBalancer({ ...service, albDnsName: undefined }, await deps());
    expect(rows).toEqual([{ check: 'alb', target: 'api', status: 'fail', detail: 'no load balancer DNS name in the outputs (see the outputs rows)' }]);
    expect(elbv2.calls()).toHaveLength(0);
  });
});
