import { compliant, nonCompliant, type Rule } from '../../types';

/** Snapshot copies (e.g. from the legacy account) are re-encrypted with a customer key of the target account. */
export const snapshotCopiesEncrypted: Rule = {
  id: 'MIG-RDS-2',
  title: 'RDS snapshot copies are encrypted with a customer KMS key',
  severity: 'error',
  rationale:
    'A snapshot copy without kms_key_id keeps the source encryption (or none, for an unencrypted legacy snapshot); copying into the target account is the moment to encrypt with a key that account controls.',
  fix: 'set kms_key_id to a customer key ARN of the target account on the aws_db_snapshot_copy / aws_rds_cluster_snapshot_copy',
  standard: 'AWS FSBP RDS.4',
  resourceTypes: ['aws_db_snapshot_copy', 'aws_rds_cluster_snapshot_copy'],
  check(copy) {
    const key = copy.config['kms_key_id'];
    return key !== undefined && key !== null && key !== '' ? compliant : nonCompliant('snapshot copy has no kms_key_id');
  },
};
