import { bool, show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** RDS instances and clusters encrypt storage with a customer KMS key. */
export const storageEncryptedWithKms: Rule = {
  id: 'MIG-RDS-1',
  title: 'RDS storage is encrypted with a customer KMS key',
  severity: 'error',
  rationale:
    'Storage encryption covers the volume, automated backups, replicas and snapshots; a customer key (not aws/rds) is what lets snapshots be shared with another account and access be revoked. It cannot be turned on later without a restore.',
  fix: 'set storage_encrypted = true and kms_key_id to a customer key ARN on the aws_db_instance / aws_rds_cluster',
  standard: 'AWS FSBP RDS.3; cdk-nag AwsSolutions-RDS2',
  resourceTypes: ['aws_db_instance', 'aws_rds_cluster'],
  check(db) {
    // A same-region read replica inherits its source's encryption; the source is checked.
    if (db.config['replicate_source_db'] !== undefined) return notApplicable;
    const problems: string[] = [];
    if (bool(db.config['storage_encrypted']) !== true) problems.push(`storage_encrypted is ${show(db.config['storage_encrypted'])}, expected true`);
    if (db.config['kms_key_id'] === undefined || db.config['kms_key_id'] === '') problems.push('kms_key_id is not set (would use the AWS managed aws/rds key)');
    return problems.length === 0 ? compliant : nonCompliant(`database ${problems.join('; ')}`);
  },
};
