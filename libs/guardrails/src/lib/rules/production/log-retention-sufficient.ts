import { num, show } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

export const MIN_LOG_RETENTION_DAYS = 365;

/** Production log groups keep events for at least a year (0/unset means never expire). */
export const logRetentionSufficient: Rule = {
  id: 'MIG-PROD-4',
  title: `Production log groups retain events for at least ${MIN_LOG_RETENTION_DAYS} days`,
  severity: 'error',
  rationale: 'Audits (PCI DSS 10.5.1, SOC 2) and incident investigations need a year of logs; shorter retention silently deletes the evidence.',
  fix: `set retention_in_days to ${MIN_LOG_RETENTION_DAYS} or more (e.g. 400 or 731) on the production aws_cloudwatch_log_group`,
  standard: 'AWS FSBP CloudWatch.16; cdk-nag NIST 800-53 CloudWatchLogGroupRetentionPeriod',
  resourceTypes: ['aws_cloudwatch_log_group'],
  productionOnly: true,
  check(group) {
    const value = group.config['retention_in_days'];
    if (value === undefined || value === null) return compliant;
    const days = num(value);
    if (days === 0 || (days !== undefined && days >= MIN_LOG_RETENTION_DAYS)) return compliant;
    return nonCompliant(`log group has retention_in_days ${show(value)}, expected >= ${MIN_LOG_RETENTION_DAYS} (or unset: never expire)`);
  },
};
