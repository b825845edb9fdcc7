import { blocks } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';
import { bucketLabel, bucketSettings } from './bucket-settings';

/** At least one enabled lifecycle rule (expire old versions, abort stale uploads, tier data). */
export const bucketLifecycleConfigured: Rule = {
  id: 'MIG-S3-5',
  title: 'S3 buckets have an enabled lifecycle rule',
  severity: 'warning',
  rationale: 'With versioning on, noncurrent versions and abandoned multipart uploads accumulate forever; a lifecycle rule bounds cost and retention.',
  fix: "add an aws_s3_bucket_lifecycle_configuration for the bucket with at least one rule whose status is 'Enabled' (e.g. noncurrent_version_expiration and abort_incomplete_multipart_upload)",
  standard: 'AWS FSBP S3.13',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const settings = bucketSettings(stack, 'aws_s3_bucket_lifecycle_configuration', bucket);
    if (settings.length === 0) return nonCompliant(`${bucketLabel(bucket)} has no aws_s3_bucket_lifecycle_configuration`);
    const rules = settings.flatMap((s) => blocks(s.config['rule']));
    return rules.some((r) => r['status'] === 'Enabled') ? compliant : nonCompliant(`${bucketLabel(bucket)} has a lifecycle configuration without an enabled rule`);
  },
};
