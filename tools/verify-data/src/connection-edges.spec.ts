import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { checkServerVersion, clientConfig, connect, ConnectionError, MINIMUM_SERVER_VERSION, RDS_CA_HINT, redactUrl } from './connection';

/** What the fake server does once the client has sent its startup message. */
type Behaviour =
  | { readonly kind: 'refuse-tls' }
  | { readonly kind: 'fail-startup'; readonly message: string }
  | { readonly kind: 'version'; readonly num: string; readonly version: string }
  | { readonly kind: 'fail-query'; readonly message: string };

/** One backend protocol message: type byte, length, body. */
const message = (type: string, body: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
};
const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');
const errorResponse = (text: string) => message('E', Buffer.concat([Buffer.from('S'), cstring('FATAL'), Buffer.from('C'), cstring('XX000'), Buffer.from('M'), cstring(text), Buffer.from([0])]));
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const ready = () => message('Z', Buffer.from('I'));
const field = (name: string) => Buffer.concat([cstring(name), int32(0), int16(0), int32(25), int16(-1), int32(-1), int16(0)]);
const cell = (text: string) => Buffer.concat([int32(Buffer.byteLength(text)), Buffer.from(text)]);

/**
 * A stand-in for a PostgreSQL server that speaks just enough of the wire protocol (and TLS, with a
 * throwaway certificate for `localhost`) to make `connect` meet each kind of failure it describes.
 */
function speak(socket: Duplex, behaviour: () => Behaviour, secureContext: SecureContext): void {
  let buffer = Buffer.alloc(0);
  let started = false;
  socket.on('error', () => undefined);
  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        if (code === 80877103) {
          if (behaviour().kind === 'refuse-tls') {
            socket.write('N');
            continue;
          }
          socket.write('S');
          socket.removeListener('data', onData);
          speak(new TLSSocket(socket as Socket, { isServer: true, secureContext }), behaviour, secureContext);
          return;
        }
        started = true;
        const b = behaviour();
        if (b.kind === 'fail-startup') {
          socket.end(errorResponse(b.message));
          return;
        }
        socket.write(Buffer.concat([message('R', int32(0)), message('K', Buffer.concat([int32(1), int32(2)])), ready()]));
        continue;
      }
      if (buffer.length < 5 || buffer.length < buffer.readInt32BE(1) + 1) return;
      const type = String.fromCharCode(buffer[0]);
      buffer = buffer.subarray(buffer.readInt32BE(1) + 1);
      if (type === 'X') {
        socket.end();
        return;
      }
      if (type !== 'Q') continue;
      const b = behaviour();
      if (b.kind === 'version') {
        socket.write(
          Buffer.concat([
            message('T', Buffer.concat([int16(2), field('num'), field('version')])),
            message('D', Buffer.concat([int16(2), cell(b.num), cell(b.version)])),
            message('C', cstring('SELECT 1')),
            ready(),
          ]),
        );
      } else {
        socket.write(Buffer.concat([errorResponse(b.kind === 'fail-query' ? b.message : 'unexpected'), ready()]));
      }
    }
  };
  socket.on('data', onData);
}

describe('connect, against a fake server that fails in each way', () => {
  let dir: string;
  let caFile: string;
  let server: Server;
  let port: number;
  let behaviour: Behaviour = { kind: 'refuse-tls' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verify-conn-edges-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
      { cwd: dir, stdio: 'ignore' },
    );
    caFile = join(dir, 'cert.pem');
    const secureContext = createSecureContext({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(caFile) });
    server = createServer((socket) => speak(socket, () => behaviour, secureContext));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const failure = (promise: Promise<unknown>): Promise<ConnectionError> =>
    promise.then(
      () => new ConnectionError('both', 'expected a failure'),
      (e: unknown) => e as ConnectionError,
    );
  const tlsUrl = (query = '') => `postgres://app:secret@localhost:${port}/ledger${query}`;
  const plainUrl = () => `postgres://app:secret@127.0.0.1:${port}/ledger?sslmode=disable`;

  it('hints at TLS when the server offers none, and at the RDS bundle when the certificate is refused', async () => {
    behaviour = { kind: 'refuse-tls' };
    const noTls = await failure(connect('source', { url: tlsUrl(), caFile }));
    expect(noTls).toBeInstanceOf(ConnectionError);
    expect(noTls.side).toBe('source');
    expect(noTls.message).toBe(
      `source: cannot connect to localhost:${port} (postgres://app:***@localhost:${port}/ledger): The server does not support SSL connections; the server does not offer TLS: use sslmode=disable only for a local server`,
    );
    behaviour = { kind: 'fail-startup', message: 'never reached' };
    // No CA given: Node's own CAs do not know the throwaway certificate.
    const refused = await failure(connect('target', { url: tlsUrl('?sslmode=verify-ca') }));
    expect(refused.side).toBe('target');
    expect(refused.message).toMatch(new RegExp(`^target: cannot connect to localhost:${port} \\(postgres://app:\\*\\*\\*@localhost:${port}/ledger\\?sslmode=verify-ca\\): .*self[- ]signed`));
    expect(refused.message.endsWith(`; the server certificate was not accepted (verify-ca). ${RDS_CA_HINT}`)).toBe(true);
  });

  it.each([
    ['self signed in chain', true],
    ['SELF-SIGNED', true],
    ['unable to verify the first one', true],
    ['bad certificate', true],
    ["Hostname/IP does not match the cert's altnames", true],
    ['ERR_TLS_CERT_ALTNAME_INVALID', true],
    ['err_tls_cert_x', true],
    ['password authentication failed for user "app"', false],
  ])('after a TLS handshake, hints at the certificate for a server error %p only when it is about certificates', async (text, hinted) => {
    behaviour = { kind: 'fail-startup', message: text };
    const error = await failure(connect('source', { url: tlsUrl(), caFile }));
    const hint = hinted ? `; the server certificate was not accepted (verify-full). ${RDS_CA_HINT}` : '';
    expect(error.message).toBe(`source: cannot connect to localhost:${port} (postgres://app:***@localhost:${port}/ledger): ${text}${hint}`);
  });

  it('gives no certificate hint without TLS, and names the far end of a tunnel', async () => {
    behaviour = { kind: 'fail-startup', message: 'certificate authentication failed for user "app"' };
    const plain = await failure(connect('target', { url: plainUrl() }));
    expect(plain.message).toBe(`target: cannot connect to 127.0.0.1:${port} (postgres://app:***@127.0.0.1:${port}/ledger?sslmode=disable): certificate authentication failed for user "app"`);
    behaviour = { kind: 'fail-startup', message: 'the server does not support SSL here' };
    const sslText = await failure(connect('target', { url: plainUrl() }));
    expect(sslText.message).toBe(
      `target: cannot connect to 127.0.0.1:${port} (postgres://app:***@127.0.0.1:${port}/ledger?sslmode=disable): the server does not support SSL here; the server does not offer TLS: use sslmode=disable only for a local server`,
    );
    behaviour = { kind: 'fail-startup', message: 'too many connections' };
    const tunnel = await failure(connect('source', { url: `postgres://app@127.0.0.1:${port}/ledger`, caFile, serverName: 'localhost' }));
    expect(tunnel.message).toBe(`source: cannot connect to 127.0.0.1:${port} (a tunnel to localhost) (postgres://app@127.0.0.1:${port}/ledger): too many connections`);
  });

  it('refuses a server older than PostgreSQL 14 after connecting, and names the side of a failed version query', async () => {
    behaviour = { kind: 'version', num: '130011', version: '13.11' };
    const old = await failure(connect('target', { url: plainUrl() }));
    expect(old).toBeInstanceOf(ConnectionError);
    expect(old.message).toBe('target: PostgreSQL 13.11 is too old: the verifier needs PostgreSQL 14 or newer (hash_record_extended, TID range scans)');
    behaviour = { kind: 'fail-query', message: 'unrecognized configuration parameter "server_version_num"' };
    const query = await failure(connect('source', { url: plainUrl() }));
    expect(query).toBeInstanceOf(ConnectionError);
    expect(query.side).toBe('source');
    expect(query.message).toBe('source: unrecognized configuration parameter "server_version_num"');
    behaviour = { kind: 'version', num: '160004', version: '16.4' };
    const client = await connect('source', { url: plainUrl() });
    await client.end();
  });
});

describe('clientConfig, option by option', () => {
  let dir: string;
  let ca: string;
  let junk: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'verify-conn-edges-'));
    ca = join(dir, 'ca.pem');
    junk = join(dir, 'junk.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(junk, 'no certificate here');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Ssl = { ca?: string; rejectUnauthorized: boolean; servername?: string; checkServerIdentity: (host: string, cert: object) => Error | undefined };
  const sslOf = (config: ReturnType<typeof clientConfig>) => config.ssl as Ssl;
  const certFor = (name: string) => ({ subject: { CN: name }, subjectaltname: `DNS:${name}` });

  it('builds exactly these settings without TLS', () => {
    expect(clientConfig('source', { url: 'postgresql://me:pw@db:6000/my%20db?sslmode=disable' })).toEqual({
      host: 'db',
      port: 6000,
      user: 'me',
      password: 'pw',
      database: 'my db',
      application_name: 'estate-verify-data',
      ssl: false,
      tls: 'disable',
    });
    expect(clientConfig('target', { url: 'postgres://db/?sslmode=disable' }, 'probe')).toEqual({
      host: 'db',
      port: 5432,
      user: undefined,
      password: undefined,
      database: undefined,
      application_name: 'probe',
      ssl: false,
      tls: 'disable',
    });
    // The URL's application_name wins over the caller's.
    expect(clientConfig('target', { url: 'postgres://db/x?sslmode=disable&application_name=mine' }, 'probe').application_name).toBe('mine');
  });

  it('accepts verify-full spelled out, like the default', () => {
    const config = clientConfig('source', { url: 'postgres://u@db.internal/x?sslmode=verify-full' });
    expect(config.tls).toBe('verify-full');
    expect(sslOf(config)).toMatchObject({ ca: undefined, rejectUnauthorized: true, servername: 'db.internal' });
    expect(sslOf(config).checkServerIdentity('db.internal', certFor('other.example'))?.message).toMatch(/does not match certificate's altnames/);
    expect(clientConfig('source', { url: 'postgres://u@db.internal/x' }).tls).toBe('verify-full');
  });

  it('prefers the caFile option over sslrootcert in the URL', () => {
    const config = clientConfig('source', { url: `postgres://u@h/x?sslrootcert=${junk}`, caFile: ca });
    expect(sslOf(config).ca).toBe('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(() => clientConfig('source', { url: `postgres://u@h/x?sslrootcert=${junk}` })).toThrow(new ConnectionError('source', `CA file '${junk}' holds no PEM certificate`));
  });

  it('checks the certificate against serverName instead of the URL host (a tunnel), and sends SNI only for names', () => {
    const tunnel = clientConfig('target', { url: 'postgres://u@127.0.0.1:15432/x', serverName: 'ledger.abc.rds.amazonaws.com' });
    expect(sslOf(tunnel).servername).toBe('ledger.abc.rds.amazonaws.com');
    expect(sslOf(tunnel).checkServerIdentity('127.0.0.1', certFor('ledger.abc.rds.amazonaws.com'))).toBeUndefined();
    expect(sslOf(tunnel).checkServerIdentity('127.0.0.1', certFor('127.0.0.1'))?.message).toMatch(/ledger\.abc\.rds\.amazonaws\.com/);
    const byIp = clientConfig('target', { url: 'postgres://u@db.internal/x', serverName: '10.1.2.3' });
    expect(sslOf(byIp).servername).toBeUndefined();
    expect(sslOf(byIp).checkServerIdentity('db.internal', certFor('db.internal'))?.message).toMatch(/10\.1\.2\.3/);
  });

  it('refuses a URL without a host, and names the side', () => {
    expect(() => clientConfig('target', { url: 'postgres:///ledger' })).toThrow(new ConnectionError('target', "'postgres:///ledger' has no host"));
    expect(() => clientConfig('source', { url: 'postgresql://?sslmode=disable' })).toThrow(new ConnectionError('source', "'postgresql://?sslmode=disable' has no host"));
  });

  it('redacts the password in the messages about the URL', () => {
    expect(() => clientConfig('source', { url: 'postgres://u:secret@h/x?sslmode=require' })).toThrow(/^source: sslmode=require does not verify/);
    expect(() => clientConfig('source', { url: 'postgres://u:secret@h/x?foo=1' })).toThrow(
      new ConnectionError('source', "unknown URL parameter 'foo' in 'postgres://u:***@h/x?foo=1'; supported: sslmode, sslrootcert, application_name"),
    );
    expect(() => clientConfig('target', { url: 'postgres://u:secret@' })).toThrow(
      new ConnectionError('target', "'postgres://u:***@' is not a URL; expected postgres://user:password@host:port/database"),
    );
  });

  it('refuses every mode that does not verify the certificate', () => {
    for (const mode of ['allow', 'prefer', 'require', 'VERIFY-FULL', '']) {
      expect(() => clientConfig('target', { url: `postgres://u@h/x?sslmode=${mode}` })).toThrow(
        new ConnectionError(
          'target',
          `sslmode=${mode} does not verify the server certificate; use sslmode=verify-full (the default) or verify-ca, or sslmode=disable for a local server without TLS`,
        ),
      );
    }
  });
});

describe('checkServerVersion at the edges', () => {
  it('needs a whole version number of at least 140000', () => {
    expect(MINIMUM_SERVER_VERSION).toBe(140000);
    expect(() => checkServerVersion('source', '139999', '13.99')).toThrow(
      new ConnectionError('source', 'PostgreSQL 13.99 is too old: the verifier needs PostgreSQL 14 or newer (hash_record_extended, TID range scans)'),
    );
    expect(() => checkServerVersion('target', '150000.5', '15?')).toThrow(/^target: PostgreSQL 15\? is too old/);
    expect(() => checkServerVersion('target', '', '?')).toThrow(/^target: PostgreSQL \? is too old/);
  });
});

describe('ConnectionError', () => {
  it('prefixes the side, except for both', () => {
    const one = new ConnectionError('target', 'boom');
    expect([one.message, one.side, one.name, one instanceof Error]).toEqual(['target: boom', 'target', 'ConnectionError', true]);
    const both = new ConnectionError('both', 'source: a; target: b');
    expect([both.message, both.side]).toEqual(['source: a; target: b', 'both']);
  });
});

describe('redactUrl at the edges', () => {
  it('hides passwords with colons, empty passwords and users, and leaves other schemes alone', () => {
    expect(redactUrl('postgres://app:pa:ss@db/x')).toBe('postgres://app:***@db/x');
    expect(redactUrl('postgres://:pw@db/x')).toBe('postgres://:***@db/x');
    expect(redactUrl('postgres://app:@db/x')).toBe('postgres://app:***@db/x');
    expect(redactUrl('postgres://db:5432/x')).toBe('postgres://db:5432/x');
    expect(redactUrl('mysql://app:pw@db/x')).toBe('mysql://app:pw@db/x');
  });
});
