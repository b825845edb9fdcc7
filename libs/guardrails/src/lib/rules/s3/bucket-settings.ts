import { isLiteralString } from '../../inspect';
import type { ResourceView, StackView } from '../../types';

/** True when `value` points at `bucket`: a `${aws_s3_bucket.x.*}` reference or its literal name. */
export function refersToBucket(value: unknown, bucket: ResourceView): boolean {
  if (typeof value !== 'string') return false;
  if (value.includes(`\${${bucket.address}.`)) return true;
  const name = bucket.config['bucket'];
  return isLiteralString(name) && (value === name || value === `arn:aws:s3:::${name}`);
}

/**
 * The provider-v5+ settings resources of `type` (aws_s3_bucket_versioning, ..._policy,
 * ...) that configure `bucket`, found by reference or by literal bucket name.
 */
export function bucketSettings(stack: StackView, type: string, bucket: ResourceView): ResourceView[] {
  return stack.resources.filter((r) => r.type === type && refersToBucket(r.config['bucket'], bucket));
}

/** `bucket 'dev-assets'`, or the address when the name is computed. */
export function bucketLabel(bucket: ResourceView): string {
  const name = bucket.config['bucket'];
  return isLiteralString(name) ? `bucket '${name}'` : `bucket ${bucket.address}`;
}
