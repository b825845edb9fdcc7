import { compliant, nonCompliant, type Rule } from '../../types';

/** Log groups encrypt with a customer KMS key. */
export const logGroupEncryptedWithKms: Rule = {
  id: 'MIG-LOG-1',
  title: 'CloudWatch log groups are encrypted with a customer KMS key',
  severity: 'error',
  rationale: 'Logs carry request data, identifiers and sometimes personal data; a customer key lets access be limited and audited separately from logs:GetLogEvents.',
  fix: 'set kms_key_id on the aws_cloudwatch_log_group to a customer key whose policy allows logs.<region>.amazonaws.com (EncryptionKey servicePrincipals)',
  standard: 'cdk-nag NIST 800-53 R5 CloudWatchLogGroupEncrypted; AWS Config cloudwatch-log-group-encrypted',
  resourceTypes: ['aws_cloudwatch_log_group'],
  check(group) {
    const key = group.config['kms_key_id'];
    return key !== undefined && key !== null && key !== '' ? compliant : nonCompliant('log group has no kms_key_id');
  },
};
