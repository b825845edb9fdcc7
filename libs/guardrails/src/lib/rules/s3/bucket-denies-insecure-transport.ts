import { conditionValues, parsePolicy, type Statement } from '../../policy';
import { compliant, nonCompliant, type Rule } from '../../types';
import { bucketLabel, bucketSettings } from './bucket-settings';

/** A Deny for everyone, all S3 actions, bucket and objects, when aws:SecureTransport is false. */
function deniesInsecureTransport(s: Statement): string | undefined {
  if (s.effect !== 'Deny') return 'is not a Deny';
  if (!s.principals?.wildcard) return 'does not apply to every principal (Principal "*")';
  if (!s.actions.some((a) => a === '*' || a.toLowerCase() === 's3:*')) return `denies only ${s.actions.join(', ')}, not s3:*`;
  const secure = conditionValues(s, 'aws:SecureTransport').map((v) => v.toLowerCase());
  if (!secure.includes('false')) return 'has no condition aws:SecureTransport = false';
  const objects = s.resources.some((r) => r === '*' || r.endsWith('/*'));
  const bucketLevel = s.resources.some((r) => r === '*' || !r.endsWith('/*'));
  if (!objects || !bucketLevel) return `covers ${objects ? 'objects' : 'the bucket'} only; list both the bucket ARN and <bucket ARN>/*`;
  return undefined;
}

/** The bucket policy denies every request made without TLS. */
export const bucketDeniesInsecureTransport: Rule = {
  id: 'MIG-S3-3',
  title: 'S3 bucket policies deny requests without TLS',
  severity: 'error',
  rationale: 'S3 accepts plain HTTP unless the bucket policy refuses it; data and credentials would cross the network unencrypted.',
  fix: "add to the bucket policy a statement { Effect: Deny, Principal: '*', Action: 's3:*', Resource: [bucket ARN, bucket ARN + '/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } } (SecureBucket does this)",
  standard: 'AWS FSBP S3.5; cdk-nag AwsSolutions-S10',
  resourceTypes: ['aws_s3_bucket'],
  check(bucket, stack) {
    const policies = bucketSettings(stack, 'aws_s3_bucket_policy', bucket);
    if (policies.length === 0) return nonCompliant(`${bucketLabel(bucket)} has no aws_s3_bucket_policy, so requests over plain HTTP are allowed`);
    const problems: string[] = [];
    for (const policy of policies) {
      const parsed = parsePolicy(policy.config['policy']);
      if (!parsed.readable) {
        problems.push(`bucket policy ${policy.address} ${parsed.reason}, so the TLS deny cannot be confirmed`);
        continue;
      }
      const reasons = parsed.statements.map((s) => ({ s, reason: deniesInsecureTransport(s) }));
      if (reasons.some((r) => r.reason === undefined)) return compliant;
      const near = reasons.filter((r) => r.s.effect === 'Deny' && JSON.stringify(r.s.conditions).includes('SecureTransport'));
      problems.push(
        near.length > 0
          ? `bucket policy ${policy.address} ${near.map((r) => `${r.s.label} ${r.reason}`).join('; ')}`
          : `bucket policy ${policy.address} has no statement denying aws:SecureTransport = false`,
      );
    }
    return nonCompliant(`${bucketLabel(bucket)}: ${problems.join('; ')}`);
  },
};
