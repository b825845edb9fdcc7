import { num, show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

export const MIN_BACKUP_RETENTION_DAYS = 7;

/** Production databases keep automated backups for at least a week. */
export const backupRetentionSufficient: Rule = {
  id: 'MIG-PROD-3',
  title: `Production databases keep automated backups for at least ${MIN_BACKUP_RETENTION_DAYS} days`,
  severity: 'error',
  rationale: 'Point-in-time recovery only reaches back as far as the retention period; corruption is often noticed days later.',
  fix: `set backup_retention_period to ${MIN_BACKUP_RETENTION_DAYS} or more (up to 35) on the production aws_db_instance / aws_rds_cluster`,
  standard: 'AWS FSBP RDS.11; cdk-nag AwsSolutions-RDS13',
  resourceTypes: ['aws_db_instance', 'aws_rds_cluster'],
  productionOnly: true,
  check(db) {
    if (db.config['replicate_source_db'] !== undefined) return notApplicable;
    const days = num(db.config['backup_retention_period']);
    // Unset: instances default to 0 days (API) or 1 (console), clusters to 1.
    return days !== undefined && days >= MIN_BACKUP_RETENTION_DAYS
      ? compliant
      : nonCompliant(`database has backup_retention_period ${show(db.config['backup_retention_period'])}, expected >= ${MIN_BACKUP_RETENTION_DAYS}`);
  },
};
