import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCredentials, compareVersions, describeCredentialSources, locateTerraform } from './preflight';

/** A directory holding an executable `terraform` that prints the given version. */
function fakeTerraformDir(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tf-'));
  const bin = join(dir, 'terraform');
  writeFileSync(bin, `#!/bin/sh\necho '{"terraform_version":"${version}"}'\n`);
  chmodSync(bin, 0o755);
  return dir;
}

describe('preflight', () => {
  it('says how to get terraform when none is on PATH', () => {
    expect(locateTerraform({ PATH: mkdtempSync(join(tmpdir(), 'empty-')) })).toMatch(
      /no 'terraform' or 'tofu' on PATH: install Terraform >= 1\.10\.0 .* or OpenTofu, or set TERRAFORM_BINARY/,
    );
  });

  it('accepts a terraform new enough for lockfile locking', () => {
    const found = locateTerraform({ PATH: fakeTerraformDir('1.11.4') });
    expect(found).toMatchObject({ flavour: 'terraform', version: '1.11.4' });
  });

  it('rejects a terraform too old for lockfile locking', () => {
    expect(locateTerraform({ PATH: fakeTerraformDir('1.9.8') })).toMatch(/terraform 1\.9\.8 at .* is too old: .* needs >= 1\.10\.0/);
  });

  it('rejects a TERRAFORM_BINARY that does not exist', () => {
    expect(locateTerraform({ PATH: '', TERRAFORM_BINARY: '/nowhere/terraform' })).toBe("TERRAFORM_BINARY '/nowhere/terraform' does not exist");
  });

  it('compares versions numerically', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.10.0', '1.10.0')).toBe(0);
    expect(compareVersions('0.15.5', '1.10.0')).toBeLessThan(0);
  });

  it('says what to set when there are no credentials at all, without touching the network', async () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    await expect(checkCredentials({ HOME: home })).resolves.toMatch(/^no AWS credentials: set AWS_PROFILE/);
  });

  it('lists where credentials would come from', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    expect(describeCredentialSources({ HOME: home, AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'x' })).toEqual(['environment (AWS_ACCESS_KEY_ID)']);
    expect(describeCredentialSources({ HOME: home })).toEqual([]);
  });
});
