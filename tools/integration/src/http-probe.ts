import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeRequest {
  readonly scheme: 'http' | 'https';
  /** Where to connect: the load balancer's DNS name (or 127.0.0.1 in tests). */
  readonly connectTo: string;
  readonly port: number;
  /** Host header and TLS server name: the public name the certificate is for. */
  readonly host: string;
  readonly path: string;
  /** Extra trusted CA certificates (PEM), for tests with a self-signed certificate. @default - the system trust store */
  readonly ca?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export interface ProbeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
}

export type HttpProbe = (request: ProbeRequest) => Promise<ProbeResponse>;

/**
 * One GET without following redirects. The connection goes to `connectTo` while the Host
 * header and TLS SNI name `host`, so the load balancer's certificate is verified against the
 * service's public name even before DNS points that name at the new load balancer.
 */
export const probe: HttpProbe = (req) =>
  new Promise((resolve, reject) => {
    const options = {
      host: req.connectTo,
      port: req.port,
      path: req.path,
      method: 'GET',
      headers: { host: req.host, 'user-agent': 'estate-integration' },
      timeout: req.timeoutMs ?? 10000,
    };
    const handle = (res: import('node:http').IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    };
    const r =
      req.scheme === 'https'
        ? httpsRequest({ ...options, servername: req.host, ca: req.ca, rejectUnauthorized: true }, handle)
        : httpRequest(options, handle);
    r.on('timeout', () => r.destroy(new Error(`no answer within ${options.timeout} ms`)));
    r.on('error', reject);
    r.end();
  });
