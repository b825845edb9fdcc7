import { blocks, bool } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

/** Tables use SSE with a customer KMS key, not the AWS owned default. */
export const tableEncryptedWithKms: Rule = {
  id: 'MIG-DDB-1',
  title: 'DynamoDB tables are encrypted with a customer KMS key',
  severity: 'error',
  rationale: 'The default AWS owned key gives no key policy, no CloudTrail record of use and no way to revoke access; a customer key does.',
  fix: 'set server_side_encryption { enabled = true, kms_key_arn = <customer key ARN> } on the aws_dynamodb_table',
  standard: 'AWS Config dynamodb-table-encrypted-kms (NIST 800-53 SC-13/SC-28); AWS Well-Architected SEC08-BP02',
  resourceTypes: ['aws_dynamodb_table'],
  check(table) {
    const sse = blocks(table.config['server_side_encryption'])[0];
    if (!sse || bool(sse['enabled']) !== true) return nonCompliant('table has no server_side_encryption { enabled = true } (uses the AWS owned key)');
    if (!sse['kms_key_arn']) return nonCompliant('table has server_side_encryption enabled without kms_key_arn (uses the AWS managed aws/dynamodb key)');
    return compliant;
  },
};
