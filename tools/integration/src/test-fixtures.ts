import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '@estate/deploy';

/** Local servers for the HTTP checks: loopback only, never anything else. */
export const LOOPBACK = '127.0.0.1';
export const TEST_HOST = 'api.dev.example.test';

export interface SelfSigned {
  readonly key: string;
  readonly cert: string;
}

/** A throwaway certificate for TEST_HOST made with openssl, or undefined when openssl is missing. */
export function selfSignedCertificate(host = TEST_HOST): SelfSigned | undefined {
  if (!findOnPath('openssl')) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'integration-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
    '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`,
  ], { stdio: 'ignore' });
  if (!existsSync(join(dir, 'cert.pem'))) return undefined;
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts a server on 127.0.0.1 and an ephemeral port (HTTPS when given a certificate). */
export async function listen(handler: Handler, tls?: SelfSigned): Promise<{ server: Server; port: number }> {
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}
