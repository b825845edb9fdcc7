import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { HttpProbe } from '../http-probe';
import type { ServiceOutputs } from '../outputs';
import { errorText, fail, pass, type CheckRow } from '../types';

export interface LoadBalancerDeps {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly probe: HttpProbe;
  /** @default 443 and 80; tests point them at local servers */
  readonly ports?: { readonly https: number; readonly http: number };
  /** Extra trusted CA (tests). */
  readonly ca?: string;
}

/** 301/302 as the ALB's redirect action sends them. */
const REDIRECT_STATUSES = [301, 302];

/**
 * The service's load balancer, live: it is active with an HTTPS listener and an HTTP
 * listener that only redirects to HTTPS (ELBv2), it answers the health path over HTTPS with
 * 2xx for the service's public name (certificate verified), and plain HTTP gets a 301/302
 * to an https:// location.
 */
export async function checkLoadBalancer(service: ServiceOutputs, deps: LoadBalancerDeps): Promise<CheckRow[]> {
  const target = service.name;
  if (!service.albDnsName) return [fail('alb', target, 'no load balancer DNS name in the outputs (see the outputs rows)')];
  const dns = service.albDnsName;
  const ports = deps.ports ?? { https: 443, http: 80 };
  const rows: CheckRow[] = [await listenerRow(target, dns, deps.elbv2)];

  const url = `https://${service.publicHost}${service.healthCheckPath} via ${dns}`;
  try {
    const res = await deps.probe({ scheme: 'https', connectTo: dns, port: ports.https, host: service.publicHost, path: service.healthCheckPath, ca: deps.ca });
    rows.push(
      res.status >= 200 && res.status < 300
        ? pass('alb-https', target, `${url}: ${res.status}`)
        : fail('alb-https', target, `${url}: ${res.status}, expected 2xx from the health path`),
    );
  } catch (error) {
    rows.push(fail('alb-https', target, `${url}: no HTTPS answer (${errorText(error)})`));
  }

  const httpUrl = `http://${service.publicHost}${service.healthCheckPath} via ${dns}`;
  try {
    const res = await deps.probe({ scheme: 'http', connectTo: dns, port: ports.http, host: service.publicHost, path: service.healthCheckPath });
    const location = String(res.headers.location ?? '');
    if (!REDIRECT_STATUSES.includes(res.status)) {
      rows.push(fail('alb-http-redirect', target, `${httpUrl}: ${res.status}, expected 301 or 302 to https://`));
    } else if (!location.startsWith('https://')) {
      rows.push(fail('alb-http-redirect', target, `${httpUrl}: ${res.status} to '${location}', expected an https:// location`));
    } else {
      rows.push(pass('alb-http-redirect', target, `${httpUrl}: ${res.status} to ${location}`));
    }
  } catch (error) {
    rows.push(fail('alb-http-redirect', target, `${httpUrl}: no HTTP answer (${errorText(error)})`));
  }
  return rows;
}

async function listenerRow(target: string, dns: string, elbv2: ElasticLoadBalancingV2Client): Promise<CheckRow> {
  try {
    const lb = await findByDnsName(elbv2, dns);
    if (!lb) return fail('alb-listeners', target, `no load balancer with DNS name ${dns} in this account and region`);
    if (lb.State?.Code !== 'active') return fail('alb-listeners', target, `${lb.LoadBalancerName} is ${lb.State?.Code ?? 'in an unknown state'}, expected active`);
    const { Listeners = [] } = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    const https = Listeners.find((l) => l.Protocol === 'HTTPS' && l.Port === 443);
    const http = Listeners.find((l) => l.Protocol === 'HTTP' && l.Port === 80);
    const problems: string[] = [];
    if (!https) problems.push('no HTTPS listener on 443');
    if (!http) problems.push('no HTTP listener on 80');
    else if (!http.DefaultActions?.length || !http.DefaultActions.every((a) => a.Type === 'redirect' && a.RedirectConfig?.Protocol === 'HTTPS')) {
      problems.push(`the HTTP listener's default action is ${http.DefaultActions?.map((a) => a.Type).join('+') || 'missing'}, expected only a redirect to HTTPS`);
    }
    return problems.length
      ? fail('alb-listeners', target, `${lb.LoadBalancerName}: ${problems.join('; ')}`)
      : pass('alb-listeners', target, `${lb.LoadBalancerName} active; HTTPS:443 (${https?.SslPolicy ?? 'no policy'}), HTTP:80 redirects to HTTPS`);
  } catch (error) {
    return fail('alb-listeners', target, `DescribeLoadBalancers/DescribeListeners failed: ${errorText(error)}`);
  }
}

/** ELBv2 cannot filter by DNS name: page through the account's load balancers. */
async function findByDnsName(elbv2: ElasticLoadBalancingV2Client, dns: string): Promise<LoadBalancer | undefined> {
  let marker: string | undefined;
  do {
    const page = await elbv2.send(new DescribeLoadBalancersCommand({ Marker: marker }));
    const found = page.LoadBalancers?.find((lb) => lb.DNSName?.toLowerCase() === dns.toLowerCase());
    if (found) return found;
    marker = page.NextMarker;
  } while (marker);
  return undefined;
}
