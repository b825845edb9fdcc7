import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerVersion, clientConfig, ConnectionError, redactUrl } from './connection';

describe('clientConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'verify-conn-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses the URL and verifies the certificate and host name by default', () => {
    const config = clientConfig('source', { url: 'postgres://app%40x:p%3Ass@db.internal:6432/ledger', caFile: join(dir, 'ca.pem') });
    expect(config).toMatchObject({ host: 'db.internal', port: 6432, user: 'app@x', password: 'p:ss', database: 'ledger', application_name: 'estate-verify-data', tls: 'verify-full' });
    const ssl = config.ssl as { ca: string; rejectUnauthorized: boolean; servername?: string; checkServerIdentity: (h: string, c: object) => Error | undefined };
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(ssl.ca).toContain('BEGIN CERTIFICATE');
    expect(ssl.servername).toBe('db.internal');
    // verify-full checks the name; a certificate for another host is refused.
    expect(ssl.checkServerIdentity('db.internal', { subject: { CN: 'other.example' }, subjectaltname: 'DNS:other.example' })?.message).toMatch(/does not match certificate's altnames/);
    expect(ssl.checkServerIdentity('db.internal', { subject: { CN: 'db.internal' }, subjectaltname: 'DNS:db.internal' })).toBeUndefined();
  });

  it('defaults the port to 5432 and sends no SNI to an IP address', () => {
    const config = clientConfig('target', { url: 'postgresql://u@10.0.0.5/db' });
    expect(config.port).toBe(5432);
    const v6 = clientConfig('target', { url: 'postgres://u@[::1]:5433/db?sslmode=verify-ca' });
    expect(v6).toMatchObject({ host: '::1', port: 5433, tls: 'verify-ca' });
    expect((v6.ssl as { servername?: string }).servername).toBeUndefined();
    expect(clientConfig('target', { url: 'postgres://u@h' })).toMatchObject({ database: undefined, password: undefined, user: 'u' });
    expect((config.ssl as { servername?: string }).servername).toBeUndefined();
    expect((config.ssl as { ca?: string }).ca).toBeUndefined();
  });

  it('checks only the chain under verify-ca, and uses no TLS under disable', () => {
    const ca = clientConfig('source', { url: `postgres://u@h/db?sslmode=verify-ca&sslrootcert=${join(dir, 'ca.pem')}` });
    expect(ca.tls).toBe('verify-ca');
    expect((ca.ssl as { checkServerIdentity: (h: string, c: object) => unknown }).checkServerIdentity('h', { subject: { CN: 'x' } })).toBeUndefined();
    expect((ca.ssl as { ca: string }).ca).toContain('BEGIN CERTIFICATE');
    const plain = clientConfig('source', { url: 'postgres://u@h/db?sslmode=disable&application_name=probe' });
    expect(plain).toMatchObject({ ssl: false, tls: 'disable', application_name: 'probe' });
  });

  it('refuses modes that skip verification, unknown parameters, bad URLs and CA files, naming the side', () => {
    expect(() => clientConfig('target', { url: 'postgres://u@h/db?sslmode=require' })).toThrow(
      'target: sslmode=require does not verify the server certificate; use sslmode=verify-full (the default) or verify-ca, or sslmode=disable for a local server without TLS',
    );
    expect(() => clientConfig('source', { url: 'postgres://u@h/db?sslmode=prefer' })).toThrow(/^source: sslmode=prefer does not verify/);
    expect(() => clientConfig('source', { url: 'postgres://u@h/db?connect_timeout=3' })).toThrow(
      "source: unknown URL parameter 'connect_timeout' in 'postgres://u@h/db?connect_timeout=3'; supported: sslmode, sslrootcert, application_name",
    );
    expect(() => clientConfig('source', { url: 'not a url' })).toThrow("source: 'not a url' is not a URL; expected postgres://user:password@host:port/database");
    expect(() => clientConfig('source', { url: 'mysql://u:secret@h/db' })).toThrow("source: 'mysql://u:secret@h/db' must start with postgres:// or postgresql://");
    expect(() => clientConfig('target', { url: 'postgres://u@h/db', caFile: join(dir, 'missing.pem') })).toThrow(/^target: cannot read CA file '.*missing\.pem': ENOENT/);
    expect(() => clientConfig('target', { url: 'postgres://u@h/db', caFile: join(dir, 'junk.pem') })).toThrow(/^target: CA file '.*junk\.pem' holds no PEM certificate$/);
    const error = (() => {
      try {
        clientConfig('target', { url: 'postgres://u@h/db?sslmode=allow' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).side).toBe('target');
  });
});

describe('checkServerVersion', () => {
  it('accepts PostgreSQL 14 and newer, and names the side and version of an older server', () => {
    expect(() => checkServerVersion('source', '140000', '14.0')).not.toThrow();
    expect(() => checkServerVersion('target', '160004', '16.4')).not.toThrow();
    expect(() => checkServerVersion('target', '130011', '13.11')).toThrow(
      'target: PostgreSQL 13.11 is too old: the verifier needs PostgreSQL 14 or newer (hash_record_extended, TID range scans)',
    );
    expect(() => checkServerVersion('source', 'x', '?')).toThrow(/^source: PostgreSQL \? is too old/);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:s3cr3t@db:5432/ledger?sslmode=disable')).toBe('postgres://app:***@db:5432/ledger?sslmode=disable');
    expect(redactUrl('postgresql://app:p@ss@db/x')).toBe('postgresql://app:***@db/x');
    expect(redactUrl('postgres://app@db/x')).toBe('postgres://app@db/x');
  });
});
