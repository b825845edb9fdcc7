import { bool } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';
import { bucketLabel, bucketSettings } from './bucket-settings';

const FLAGS = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'] as const;

/** Every bucket has an aws_s3_bucket_public_access_block with all four flags on. */
export const bucketBlocksPublicAccess: Rule = {
  id: 'MIG-S3-1',
  title: 'S3 buckets block public access (all four flags)',
  severity: 'error',
  rationale: 'A bucket policy or ACL mistake must not be able to publish data; the public access block overrides both.',
  fix: 'add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true (SecureBucket in @estate/data does this)',
  standard: 'AWS FSBP S3.8; cdk-nag AwsSolutions-S2',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const blocks = bucketSettings(stack, 'aws_s3_bucket_public_access_block', bucket);
    if (blocks.length === 0) return nonCompliant(`${bucketLabel(bucket)} has no aws_s3_bucket_public_access_block`);
    const off = FLAGS.filter((flag) => !blocks.some((b) => bool(b.config[flag]) === true));
    return off.length === 0 ? compliant : nonCompliant(`${bucketLabel(bucket)} has public access block flag(s) ${off.join(', ')} not set to true`);
  },
};
