import { blocks, isLiteralString } from '../../inspect';
import { parsePolicy } from '../../policy';
import { compliant, nonCompliant, type ResourceView, type Rule, type StackView } from '../../types';
import { bucketLabel, bucketSettings, refersToBucket } from './bucket-settings';

/** Services that deliver logs into a bucket and accept only SSE-S3 (AES256) there. */
const LOG_DELIVERY_SERVICES = ['logging.s3.amazonaws.com', 'logdelivery.elasticloadbalancing.amazonaws.com'];
/** Load balancers (aws_alb is aws_lb's older name; aws_elb the Classic Load Balancer) and the blocks that send their logs to S3. */
const LOAD_BALANCER_TYPES = ['aws_lb', 'aws_alb', 'aws_elb'];
const LOAD_BALANCER_LOG_BLOCKS = ['access_logs', 'connection_logs'];
/** Regional Elastic Load Balancing accounts that write ALB access logs (regions created before Aug 2022). */
const ELB_LOG_ACCOUNTS = ['127311923021', '033677994240', '027434742980', '797873946194', '156460612806', '054676820928'];

/**
 * A bucket that receives S3 server access logs or load balancer logs (access and connection
 * logs of an ALB/NLB, access logs of a Classic Load Balancer): those services
 * write only to SSE-S3 buckets, so AES256 is the correct setting there.
 */
export function isLogDeliveryBucket(bucket: ResourceView, stack: StackView): boolean {
  if (stack.resources.some((r) => r.type === 'aws_s3_bucket_logging' && refersToBucket(r.config['target_bucket'], bucket))) return true;
  const logsToBucket = (lb: ResourceView) =>
    LOAD_BALANCER_LOG_BLOCKS.some((block) => blocks(lb.config[block]).some((logs) => refersToBucket(logs['bucket'], bucket)));
  if (stack.resources.some((r) => LOAD_BALANCER_TYPES.includes(r.type) && logsToBucket(r))) return true;
  return bucketSettings(stack, 'aws_s3_bucket_policy', bucket).some((policy) => {
    const parsed = parsePolicy(policy.config['policy']);
    if (!parsed.readable) return false;
    return parsed.statements.some(
      (s) =>
        s.effect === 'Allow' &&
        (s.principals?.service.some((p) => LOG_DELIVERY_SERVICES.includes(p)) ||
          s.principals?.aws.some((p) => ELB_LOG_ACCOUNTS.some((account) => p === account || p === `arn:aws:iam::${account}:root`))),
    );
  });
}

/** Default encryption is SSE-KMS with a customer key (SSE-S3 only on log-delivery buckets). */
export const bucketEncryptedWithKms: Rule = {
  id: 'MIG-S3-2',
  title: 'S3 buckets encrypt by default with a customer KMS key',
  severity: 'error',
  rationale:
    'SSE-KMS with a customer key puts reads behind a key policy and CloudTrail-logged KMS calls; SSE-S3 is always on and protects only against lost disks. Log-delivery buckets (S3 server access logs, ALB logs) are the exception: those services write only to SSE-S3 buckets.',
  fix: "add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm 'aws:kms' and kms_master_key_id set to a customer key (SecureBucket with kmsKeyArn)",
  standard: 'AWS FSBP S3.17 (and S3.4); issue 3: KMS for state and data buckets',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const configs = bucketSettings(stack, 'aws_s3_bucket_server_side_encryption_configuration', bucket);
    if (configs.length === 0) {
      return nonCompliant(`${bucketLabel(bucket)} has no aws_s3_bucket_server_side_encryption_configuration (only the implicit SSE-S3 default)`);
    }
    const defaults = configs.flatMap((c) => blocks(c.config['rule'])).flatMap((r) => blocks(r['apply_server_side_encryption_by_default']));
    if (defaults.length === 0) return nonCompliant(`${bucketLabel(bucket)} has an encryption configuration without apply_server_side_encryption_by_default`);
    for (const d of defaults) {
      const algorithm = d['sse_algorithm'];
      if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') {
        if (d['kms_master_key_id'] === undefined || d['kms_master_key_id'] === null || d['kms_master_key_id'] === '') {
          return nonCompliant(`${bucketLabel(bucket)} uses ${algorithm} without kms_master_key_id, i.e. the AWS managed aws/s3 key`);
        }
      } else if (algorithm === 'AES256') {
        if (!isLogDeliveryBucket(bucket, stack)) return nonCompliant(`${bucketLabel(bucket)} uses sse_algorithm 'AES256' (SSE-S3), not SSE-KMS`);
      } else {
        return nonCompliant(`${bucketLabel(bucket)} has sse_algorithm ${isLiteralString(algorithm) ? `'${algorithm}'` : 'computed'}, expected 'aws:kms'`);
      }
    }
    return compliant;
  },
};
