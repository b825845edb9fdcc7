/** Where the bootstrap stacks keep their own state. */
export type BootstrapBackend = 's3' | 'local';

/**
 * `BOOTSTRAP_BACKEND=local` for the very first run in an account (the bucket does not
 * exist yet), anything else (unset, `s3`) for every later run. Unknown values fail.
 */
export function bootstrapBackend(env: NodeJS.ProcessEnv = process.env): BootstrapBackend {
  const value = env['BOOTSTRAP_BACKEND']?.trim() ?? '';
  if (value === '' || value === 's3') return 's3';
  if (value === 'local') return 'local';
  throw new Error(`BOOTSTRAP_BACKEND '${value}' is not supported; expected 'local' (first run, before the bucket exists) or 's3' (default)`);
}

/**
 * The local state file of `stackName`, relative to the directory Terraform runs in
 * (`apps/backend-bootstrap/cdktf.out/stacks/<stack>`): `apps/backend-bootstrap/.state/<stack>.tfstate`,
 * which is git-ignored.
 */
export function localStatePath(stackName: string): string {
  return `../../../.state/${stackName}.tfstate`;
}
