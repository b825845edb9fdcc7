import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A problem that stops a command before it touches anything, with how to fix it. */
export class PreflightError extends Error {
  constructor(
    public readonly problems: readonly string[],
  ) {
    super(`cannot continue:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PreflightError';
  }
}

export interface TerraformBinary {
  readonly path: string;
  readonly flavour: 'terraform' | 'tofu';
  readonly version: string;
}

/** Lowest version with S3-native state locking (`use_lockfile`), which every backend uses. */
export const MINIMUM_TERRAFORM = '1.10.0';

/** Finds an executable on PATH (no shell). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The Terraform (or OpenTofu) binary to drive: TERRAFORM_BINARY if set, else `terraform`,
 * else `tofu` on PATH; its version must support S3 lockfile locking.
 * Returns a problem string instead of throwing so all problems are reported together.
 */
export function locateTerraform(env: NodeJS.ProcessEnv = process.env): TerraformBinary | string {
  const configured = env['TERRAFORM_BINARY'];
  const path = configured ?? findOnPath('terraform', env) ?? findOnPath('tofu', env);
  if (!path) {
    return `no 'terraform' or 'tofu' on PATH: install Terraform >= ${MINIMUM_TERRAFORM} (https://developer.hashicorp.com/terraform/install) or OpenTofu, or set TERRAFORM_BINARY`;
  }
  if (configured && !existsSync(configured)) return `TERRAFORM_BINARY '${configured}' does not exist`;
  const result = spawnSync(path, ['version', '-json'], { encoding: 'utf8', env: { ...env, TF_IN_AUTOMATION: '1' } });
  if (result.status !== 0) return `'${path} version' failed: ${(result.stderr || result.stdout || String(result.error)).trim()}`;
  let version: string;
  try {
    version = (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    return `'${path} version -json' printed something unexpected: ${result.stdout.slice(0, 200)}`;
  }
  const flavour = /tofu$/.test(path) ? 'tofu' : 'terraform';
  if (compareVersions(version, MINIMUM_TERRAFORM) < 0) {
    return `${flavour} ${version} at ${path} is too old: the S3 backends use lockfile locking, which needs >= ${MINIMUM_TERRAFORM}`;
  }
  return { path, flavour, version };
}

/** Where credentials could come from, in the order the AWS SDK and Terraform look. */
export function describeCredentialSources(env: NodeJS.ProcessEnv): string[] {
  const sources: string[] = [];
  if (env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']) sources.push('environment (AWS_ACCESS_KEY_ID)');
  if (env['AWS_WEB_IDENTITY_TOKEN_FILE'] && env['AWS_ROLE_ARN']) sources.push('web identity (AWS_WEB_IDENTITY_TOKEN_FILE)');
  if (env['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'] || env['AWS_CONTAINER_CREDENTIALS_FULL_URI']) sources.push('container credentials');
  const home = env['HOME'] ?? '';
  const files = [env['AWS_SHARED_CREDENTIALS_FILE'] ?? join(home, '.aws', 'credentials'), env['AWS_CONFIG_FILE'] ?? join(home, '.aws', 'config')];
  if (files.some((f) => f && existsSync(f))) sources.push(`profile '${env['AWS_PROFILE'] ?? 'default'}' (shared config files)`);
  return sources;
}

/**
 * Resolves AWS credentials the way Terraform will (environment, web identity, profiles,
 * SSO, container), with the instance metadata service switched off so nothing probes
 * the network, then confirms them with STS. Returns the caller ARN or a problem string.
 */
export async function checkCredentials(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15000): Promise<{ arn: string } | string> {
  const sources = describeCredentialSources(env);
  if (sources.length === 0) {
    return 'no AWS credentials: set AWS_PROFILE (after `aws sso login`), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run in CI with the GitHub OIDC role (see docs/accounts.md)';
  }
  const previous = process.env['AWS_EC2_METADATA_DISABLED'];
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  try {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const credentials = fromNodeProviderChain({ profile: env['AWS_PROFILE'] });
    const client = new STSClient({ credentials, region: env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1', maxAttempts: 1 });
    const identity = await Promise.race([
      client.send(new GetCallerIdentityCommand({})),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer from STS within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { arn: identity.Arn ?? 'unknown' };
  } catch (error) {
    return `AWS credentials from ${sources.join(', ')} could not be confirmed with STS GetCallerIdentity: ${(error as Error).message}`;
  } finally {
    if (previous === undefined) delete process.env['AWS_EC2_METADATA_DISABLED'];
    else process.env['AWS_EC2_METADATA_DISABLED'] = previous;
  }
}
