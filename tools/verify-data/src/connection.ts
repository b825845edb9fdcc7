import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Client, type ClientConfig } from 'pg';

/** Which database a connection, a failure or a figure belongs to. */
export type Side = 'source' | 'target';

/**
 * How to reach one side. TLS follows libpq's `sslmode` with verification always on:
 * absent or `verify-full` = TLS, certificate chain checked against the CA bundle and the
 * host name checked against the certificate; `verify-ca` = chain only; `disable` = no TLS
 * (a local server). `require`, `prefer` and `allow` are refused: they do not check the
 * certificate, which is exactly what a migration across accounts must not skip.
 */
export interface ConnectionConfig {
  /** `postgres://user:password@host:port/database[?sslmode=...&sslrootcert=/path/ca.pem]` */
  readonly url: string;
  /** PEM file with the CA certificates to trust, e.g. the RDS global bundle. @default - `sslrootcert` in the URL, else Node's built-in CAs (which do not include the RDS CAs) */
  readonly caFile?: string;
  /**
   * The name the server certificate must carry when `url` reaches the server through a tunnel
   * (`127.0.0.1:<local port>` of an SSM port-forwarding session): SNI and the host-name check
   * use it instead of the URL's host. @default - the URL's host
   */
  readonly serverName?: string;
}

export type TlsMode = 'verify-full' | 'verify-ca' | 'disable';

/** A connection problem, with the side it happened on. */
export class ConnectionError extends Error {
  constructor(
    readonly side: Side | 'both',
    message: string,
  ) {
    super(side === 'both' ? message : `${side}: ${message}`);
    this.name = 'ConnectionError';
  }
}

export const RDS_CA_HINT =
  'RDS certificates are signed by the Amazon RDS CAs: download https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem and pass it with --ca-file (or sslrootcert=... in the URL, or PGSSLROOTCERT)';

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^/]*@/, '$1:***@');
}

/** node-postgres settings for one side: parsed, TLS mode checked, CA file read. Throws naming the side. */
export function clientConfig(side: Side, config: ConnectionConfig, applicationName = 'estate-verify-data'): ClientConfig & { readonly tls: TlsMode } {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new ConnectionError(side, `'${redactUrl(config.url)}' is not a URL; expected postgres://user:password@host:port/database`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConnectionError(side, `'${redactUrl(config.url)}' must start with postgres:// or postgresql://`);
  }
  if (!url.hostname) throw new ConnectionError(side, `'${redactUrl(config.url)}' has no host`);
  const known = new Set(['sslmode', 'sslrootcert', 'application_name']);
  for (const key of url.searchParams.keys()) {
    if (!known.has(key)) throw new ConnectionError(side, `unknown URL parameter '${key}' in '${redactUrl(config.url)}'; supported: ${[...known].join(', ')}`);
  }
  const sslmode = url.searchParams.get('sslmode') ?? 'verify-full';
  if (sslmode !== 'verify-full' && sslmode !== 'verify-ca' && sslmode !== 'disable') {
    throw new ConnectionError(
      side,
      `sslmode=${sslmode} does not verify the server certificate; use sslmode=verify-full (the default) or verify-ca, or sslmode=disable for a local server without TLS`,
    );
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const base: ClientConfig = {
    host: hostname,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    application_name: url.searchParams.get('application_name') ?? applicationName,
  };
  if (sslmode === 'disable') return { ...base, ssl: false, tls: 'disable' };

  const caFile = config.caFile ?? url.searchParams.get('sslrootcert') ?? undefined;
  const certificateName = config.serverName ?? hostname;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new ConnectionError(side, `cannot read CA file '${caFile}': ${(error as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConnectionError(side, `CA file '${caFile}' holds no PEM certificate`);
  }
  return {
    ...base,
    tls: sslmode,
    ssl: {
      ca,
      rejectUnauthorized: true,
      // SNI only for names; the identity check below covers IP addresses through the certificate's IP SANs.
      servername: isIP(certificateName) ? undefined : certificateName,
      checkServerIdentity: sslmode === 'verify-ca' ? () => undefined : (_host: string, cert: PeerCertificate) => checkServerIdentity(certificateName, cert),
    },
  };
}

/** The oldest PostgreSQL the engine runs on: `hash_record_extended` and TID range scans are 14+. */
export const MINIMUM_SERVER_VERSION = 140000;

/** Refuses a server older than PostgreSQL 14, naming the side and the version. */
export function checkServerVersion(side: Side, versionNum: string, version: string): void {
  const n = Number(versionNum);
  if (!Number.isInteger(n) || n < MINIMUM_SERVER_VERSION) {
    throw new ConnectionError(side, `PostgreSQL ${version} is too old: the verifier needs PostgreSQL 14 or newer (hash_record_extended, TID range scans)`);
  }
}

/** Opens one connection, with the side and a hint in any failure. */
export async function connect(side: Side, config: ConnectionConfig): Promise<Client> {
  const settings = clientConfig(side, config);
  const client = new Client(settings);
  // A dropped connection later surfaces as a query error; do not crash the process on the event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const message = (error as Error).message || String(error);
    const where = `${settings.host}:${settings.port}${config.serverName ? ` (a tunnel to ${config.serverName})` : ''}`;
    const tlsHint =
      /self[- ]signed|unable to verify|certificate|altnames|CERT_/i.test(message) && settings.tls !== 'disable'
        ? `; the server certificate was not accepted (${settings.tls}). ${RDS_CA_HINT}`
        : /does not support SSL|The server does not support SSL/i.test(message)
          ? '; the server does not offer TLS: use sslmode=disable only for a local server'
          : '';
    throw new ConnectionError(side, `cannot connect to ${where} (${redactUrl(config.url)}): ${message}${tlsHint}`);
  }
  try {
    const { rows } = await client.query<{ num: string; version: string }>(`SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`);
    checkServerVersion(side, rows[0].num, rows[0].version);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error instanceof ConnectionError ? error : new ConnectionError(side, (error as Error).message);
  }
  return client;
}
