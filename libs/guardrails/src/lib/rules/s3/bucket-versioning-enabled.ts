import { blocks } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';
import { bucketLabel, bucketSettings } from './bucket-settings';

/** Versioning is Enabled, so overwrites and deletes can be undone. */
export const bucketVersioningEnabled: Rule = {
  id: 'MIG-S3-4',
  title: 'S3 buckets have versioning enabled',
  severity: 'error',
  rationale: 'Without versioning an overwrite or delete (by mistake, by a bad deploy or by ransomware) destroys the only copy; state and migration data must survive that.',
  fix: "add an aws_s3_bucket_versioning for the bucket with versioning_configuration { status = 'Enabled' } and a lifecycle rule that expires noncurrent versions",
  standard: 'AWS FSBP S3.14',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const settings = bucketSettings(stack, 'aws_s3_bucket_versioning', bucket);
    if (settings.length === 0) return nonCompliant(`${bucketLabel(bucket)} has no aws_s3_bucket_versioning (versioning is off)`);
    const statuses = settings.flatMap((s) => blocks(s.config['versioning_configuration'])).map((v) => v['status']);
    if (statuses.includes('Enabled')) return compliant;
    return nonCompliant(`${bucketLabel(bucket)} has versioning status ${statuses.map((s) => `'${String(s)}'`).join(', ') || 'not set'}, expected 'Enabled'`);
  },
};
