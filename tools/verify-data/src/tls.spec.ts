import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPostgres, type PostgresServer } from '@estate/testing';
import { Client } from 'pg';
import { ConnectionError } from './connection';
import { verifyDatabases } from './engine';

jest.setTimeout(120_000);
const run = promisify(execFile);

/**
 * A real PostgreSQL serving TLS with a certificate from a throwaway CA (openssl, which the
 * Debian postgresql package pulls in), for `localhost` only: the verifier must check the
 * chain against the CA it is given and the host name against the certificate.
 */
describe('TLS with certificate verification, against a real PostgreSQL', () => {
  let server: PostgresServer;
  let plain: PostgresServer;
  let dir: string;
  let caFile: string;
  let otherCa: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verify-tls-'));
    const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
    await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=verify test CA');
    await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=some other CA');
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
    await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
    caFile = join(dir, 'ca.pem');
    otherCa = join(dir, 'other.pem');
    // The server runs as `postgres` when we are root; its key must be its own and private.
    if (process.getuid?.() === 0) {
      const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
      const [, , uid, gid] = (line ?? '').split(':');
      for (const file of ['', 'server.key', 'server.crt']) chownSync(join(dir, file), Number(uid), Number(gid));
    }
    await run('chmod', ['600', join(dir, 'server.key')]);
    await run('chmod', ['755', dir]);

    [server, plain] = await Promise.all([startPostgres(), startPostgres()]);
    const admin = new Client({ connectionString: server.url() });
    await admin.connect();
    await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${join(dir, 'server.crt')}'`);
    await admin.query(`ALTER SYSTEM SET ssl_key_file = '${join(dir, 'server.key')}'`);
    await admin.query(`ALTER SYSTEM SET ssl = on`);
    await admin.query('SELECT pg_reload_conf()');
    await admin.end();
    for (const side of [server, plain]) {
      await side.createDatabase('app');
      const client = new Client({ connectionString: side.url('app') });
      await client.connect();
      await client.query(`CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g`);
      await client.end();
    }
  });
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), plain?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tlsUrl = (host: string, query = '') => `postgres://postgres@${host}:${server.port}/app${query}`;
  const plainUrl = () => `${plain.url('app')}?sslmode=disable`;
  const failure = (promise: Promise<unknown>): Promise<ConnectionError> => promise.then(() => new ConnectionError('both', 'expected a failure'), (e: unknown) => e as ConnectionError);

  it('verifies over TLS when the certificate chains to the given CA and names the host (verify-full, the default)', async () => {
    const report = await verifyDatabases({ url: tlsUrl('localhost'), caFile }, { url: plainUrl() }, { recheck: { attempts: 0 } });
    expect(report.identical).toBe(true);
    expect(report.tables[0]).toMatchObject({ table: 'public.t', sourceRows: 100, targetRows: 100 });
    // The CA can also come from the URL, as with libpq.
    const viaUrl = await verifyDatabases({ url: plainUrl() }, { url: tlsUrl('localhost', `?sslmode=verify-full&sslrootcert=${caFile}`) });
    expect(viaUrl.identical).toBe(true);
  });

  it('refuses a certificate from another CA, naming the side and where to get the RDS bundle', async () => {
    const error = await failure(verifyDatabases({ url: plainUrl() }, { url: tlsUrl('localhost'), caFile: otherCa }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.side).toBe('target');
    expect(error.message).toMatch(/^target: cannot connect to localhost:\d+ .*the server certificate was not accepted \(verify-full\)/);
    expect(error.message).toContain('https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem');
    const noCa = await failure(verifyDatabases({ url: tlsUrl('localhost') }, { url: plainUrl() }));
    expect(noCa.side).toBe('source');
    expect(noCa.message).toMatch(/self[- ]signed|unable to verify|unable to get local issuer/i);
  });

  it('refuses a host name the certificate does not name under verify-full, and accepts it under verify-ca', async () => {
    const error = await failure(verifyDatabases({ url: tlsUrl('127.0.0.1'), caFile }, { url: plainUrl() }));
    expect(error.side).toBe('source');
    expect(error.message).toMatch(/127\.0\.0\.1.*(not in the cert's list|does not match)/i);
    const report = await verifyDatabases({ url: tlsUrl('127.0.0.1', '?sslmode=verify-ca'), caFile }, { url: plainUrl() });
    expect(report.identical).toBe(true);
  });

  it("checks a tunnel's far end by the name it is given (serverName), and refuses a wrong one", async () => {
    // As through an SSM port-forwarding session: the URL is the local end, the certificate names the database.
    const report = await verifyDatabases({ url: tlsUrl('127.0.0.1'), caFile, serverName: 'localhost' }, { url: plainUrl() });
    expect(report.identical).toBe(true);
    const error = await failure(verifyDatabases({ url: plainUrl() }, { url: tlsUrl('127.0.0.1'), caFile, serverName: 'ledger.abc.us-east-1.rds.amazonaws.com' }));
    expect(error.side).toBe('target');
    expect(error.message).toMatch(/127\.0\.0\.1:\d+ \(a tunnel to ledger\.abc\.us-east-1\.rds\.amazonaws\.com\).*does not match certificate's altnames: Host: ledger\.abc/i);
  });

  it('says so when the server offers no TLS at all', async () => {
    const error = await failure(verifyDatabases({ url: plain.url('app'), caFile }, { url: plainUrl() }));
    expect(error.side).toBe('source');
    expect(error.message).toContain('the server does not offer TLS: use sslmode=disable only for a local server');
  });
});
