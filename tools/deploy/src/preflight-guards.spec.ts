import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { checkCredentials, compareVersions, describeCredentialSources, findOnPath, locateTerraform, MINIMUM_TERRAFORM, PreflightError } from './preflight';

// Preflight at its edges: what it finds, what it refuses and what it says, each case on a
// boundary of a check (offline: a fake terraform on PATH and a loopback STS).

/** A directory holding an executable `name` that answers `version -json` (with TF_IN_AUTOMATION=1) with `version`. */
function fakeBinary(name: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
  return dir;
}
const answers = (version: string) =>
  `if [ "$1 $2 $#" = "version -json 2" ] && [ "$TF_IN_AUTOMATION" = 1 ]; then echo '{"terraform_version":"${version}"}'; else echo "unexpected: $* TF_IN_AUTOMATION=$TF_IN_AUTOMATION" >&2; exit 3; fi`;

describe('PreflightError', () => {
  it('lists every problem, one per line, under its own name', () => {
    const error = new PreflightError(['no terraform', 'no credentials']);
    expect(error.message).toBe('cannot continue:\n  - no terraform\n  - no credentials');
    expect(error.name).toBe('PreflightError');
    expect(error.problems).toEqual(['no terraform', 'no credentials']);
  });
});

describe('findOnPath and compareVersions', () => {
  it('skips empty PATH entries and finds the first match', () => {
    const dir = fakeBinary('terraform', 'exit 0');
    expect(findOnPath('terraform', { PATH: ['', dir, ''].join(delimiter) })).toBe(join(dir, 'terraform'));
    expect(findOnPath('terraform', { PATH: '' })).toBeUndefined();
    expect(findOnPath('terraform', {})).toBeUndefined();
  });

  it('compares major, minor and patch only', () => {
    expect(compareVersions('1.10.0.9', '1.10.0.1')).toBe(0);
    expect(compareVersions('1.10', '1.10.0')).toBe(0);
    expect(compareVersions('1.10.1', '1.10.0')).toBe(1);
  });
});

describe('locateTerraform', () => {
  it('accepts exactly the minimum version, asking with `version -json` in automation mode', () => {
    const dir = fakeBinary('terraform', answers(MINIMUM_TERRAFORM));
    expect(locateTerraform({ PATH: dir })).toEqual({ path: join(dir, 'terraform'), flavour: 'terraform', version: MINIMUM_TERRAFORM });
    expect(locateTerraform({ PATH: fakeBinary('terraform', answers('1.9.99')) })).toMatch(/^terraform 1\.9\.99 at .* is too old/);
  });

  it('falls back to OpenTofu and names it', () => {
    const dir = fakeBinary('tofu', answers('1.10.2'));
    expect(locateTerraform({ PATH: dir })).toEqual({ path: join(dir, 'tofu'), flavour: 'tofu', version: '1.10.2' });
    expect(locateTerraform({ PATH: fakeBinary('tofu', answers('1.6.0')) })).toMatch(/^tofu 1\.6\.0 at .*\/tofu is too old/);
  });

  it('prefers TERRAFORM_BINARY to PATH', () => {
    const configured = join(fakeBinary('terraform-1.11', answers('1.11.4')), 'terraform-1.11');
    expect(locateTerraform({ PATH: fakeBinary('terraform', answers('1.9.0')), TERRAFORM_BINARY: configured })).toMatchObject({ path: configured, version: '1.11.4' });
  });

  it('reports a binary that fails or prints something else, with what it said', () => {
    const failing = fakeBinary('terraform', 'echo "  broken install  " >&2; exit 1');
    expect(locateTerraform({ PATH: failing })).toBe(`'${join(failing, 'terraform')} version' failed: broken install`);
    const quietFailure = fakeBinary('terraform', 'echo "on stdout"; exit 1');
    expect(locateTerraform({ PATH: quietFailure })).toBe(`'${join(quietFailure, 'terraform')} version' failed: on stdout`);
    const chatty = fakeBinary('terraform', 'echo "Terraform v1.11.4"');
    expect(locateTerraform({ PATH: chatty })).toBe(`'${join(chatty, 'terraform')} version -json' printed something unexpected: Terraform v1.11.4\n`);
  });
});

describe('describeCredentialSources', () => {
  const home = () => mkdtempSync(join(tmpdir(), 'home-'));

  it('needs both halves of a key pair or of web identity', () => {
    const HOME = home();
    expect(describeCredentialSources({ HOME, AWS_ACCESS_KEY_ID: 'AKIA' })).toEqual([]);
    expect(describeCredentialSources({ HOME, AWS_SECRET_ACCESS_KEY: 'x' })).toEqual([]);
    expect(describeCredentialSources({ HOME, AWS_WEB_IDENTITY_TOKEN_FILE: '/t' })).toEqual([]);
    expect(describeCredentialSources({ HOME, AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' })).toEqual([]);
    expect(describeCredentialSources({ HOME, AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' })).toEqual(['web identity (AWS_WEB_IDENTITY_TOKEN_FILE)']);
  });

  it('takes either container credentials variable', () => {
    const HOME = home();
    expect(describeCredentialSources({ HOME, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials' })).toEqual(['container credentials']);
    expect(describeCredentialSources({ HOME, AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1' })).toEqual(['container credentials']);
  });

  it('finds a profile in either shared file, in HOME or where the variables point', () => {
    const HOME = home();
    mkdirSync(join(HOME, '.aws'));
    writeFileSync(join(HOME, '.aws', 'config'), '[default]\n');
    expect(describeCredentialSources({ HOME })).toEqual(["profile 'default' (shared config files)"]);
    const other = home();
    writeFileSync(join(other, 'creds'), '[ops]\n');
    expect(describeCredentialSources({ HOME: home(), AWS_SHARED_CREDENTIALS_FILE: join(other, 'creds'), AWS_PROFILE: 'ops' })).toEqual(["profile 'ops' (shared config files)"]);
    expect(describeCredentialSources({ HOME: home(), AWS_CONFIG_FILE: join(other, 'creds') })).toEqual(["profile 'default' (shared config files)"]);
    expect(describeCredentialSources({ HOME: home(), AWS_CONFIG_FILE: join(other, 'missing') })).toEqual([]);
  });

  it('lists every source in the order the SDK tries them', () => {
    const HOME = home();
    mkdirSync(join(HOME, '.aws'));
    writeFileSync(join(HOME, '.aws', 'credentials'), '[default]\n');
    expect(
      describeCredentialSources({ HOME, AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'x', AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'r', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2' }),
    ).toEqual(['environment (AWS_ACCESS_KEY_ID)', 'web identity (AWS_WEB_IDENTITY_TOKEN_FILE)', 'container credentials', "profile 'default' (shared config files)"]);
  });
});

describe('checkCredentials against a loopback STS', () => {
  let server: Server;
  let url = '';
  let mode: 'answer' | 'deny' | 'silent' = 'answer';
  const requests: string[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d)).on('end', () => {
        requests.push(body);
        if (mode === 'silent') return;
        if (mode === 'deny') {
          res.writeHead(403, { 'content-type': 'text/xml' }).end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml' }).end(
          '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::222222222222:assumed-role/estate-operator/alice</Arn><UserId>AROA:alice</UserId><Account>222222222222</Account></GetCallerIdentityResult></GetCallerIdentityResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
    process.env['AWS_ENDPOINT_URL_STS'] = url;
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAOPERATOR';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret';
    delete process.env['AWS_EC2_METADATA_DISABLED'];
  });
  afterEach(() => {
    for (const key of ['AWS_ENDPOINT_URL_STS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  const env = () => ({ HOME: mkdtempSync(join(tmpdir(), 'home-')), AWS_ACCESS_KEY_ID: 'AKIAOPERATOR', AWS_SECRET_ACCESS_KEY: 'secret' });

  it('returns the caller ARN from GetCallerIdentity, with instance metadata off only while it asks', async () => {
    mode = 'answer';
    process.env['AWS_EC2_METADATA_DISABLED'] = 'false';
    await expect(checkCredentials(env())).resolves.toEqual({ arn: 'arn:aws:sts::222222222222:assumed-role/estate-operator/alice' });
    expect(requests).toEqual([expect.stringContaining('Action=GetCallerIdentity')]);
    expect(process.env['AWS_EC2_METADATA_DISABLED']).toBe('false');
  });

  it('says which source failed and why when STS refuses', async () => {
    mode = 'deny';
    await expect(checkCredentials(env())).resolves.toBe(
      'AWS credentials from environment (AWS_ACCESS_KEY_ID) could not be confirmed with STS GetCallerIdentity: The security token included in the request is invalid.',
    );
    expect(requests).toHaveLength(1);
    expect(process.env['AWS_EC2_METADATA_DISABLED']).toBeUndefined();
  });

  it('gives up when STS does not answer in time', async () => {
    mode = 'silent';
    await expect(checkCredentials(env(), 300)).resolves.toBe(
      'AWS credentials from environment (AWS_ACCESS_KEY_ID) could not be confirmed with STS GetCallerIdentity: no answer from STS within 300 ms',
    );
  });
});
