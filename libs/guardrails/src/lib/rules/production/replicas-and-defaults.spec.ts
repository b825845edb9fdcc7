import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbInstance, type DbInstanceConfig } from '@cdktf/provider-aws/lib/db-instance';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { nonCompliant, type Rule, type RuleResult } from '../../types';
import { PROD, resultFor, testStack } from '../test-support';
import { backupRetentionSufficient } from './backup-retention-sufficient';
import { databaseMultiAz } from './database-multi-az';
import { deletionProtectionEnabled } from './deletion-protection-enabled';
import { logRetentionSufficient } from './log-retention-sufficient';

const database = { identifier: 'prod-ledger-replica', engine: 'postgres', instanceClass: 'db.r6g.large' };

function instance(rule: Rule, extra: Partial<DbInstanceConfig>): RuleResult {
  const stack = testStack();
  new DbInstance(stack, 'db', { ...database, ...extra });
  return resultFor(stack, rule, 'aws_db_instance.db', PROD);
}

function logGroup(retentionInDays: number | null): RuleResult {
  const stack = testStack();
  new CloudwatchLogGroup(stack, 'logs', { name: '/ecs/prod-api', retentionInDays: retentionInDays as number });
  return resultFor(stack, logRetentionSufficient, 'aws_cloudwatch_log_group.logs', PROD);
}

describe('production rules and read replicas', () => {
  it('leave a read replica to its source', () => {
    for (const rule of [deletionProtectionEnabled, databaseMultiAz, backupRetentionSufficient]) {
      expect(instance(rule, { replicateSourceDb: 'prod-ledger' })).toEqual({ status: 'not-applicable' });
    }
  });

  it('still check a primary instance without those settings', () => {
    expect(instance(deletionProtectionEnabled, {})).toEqual(nonCompliant('deletion_protection is not set, expected true'));
    expect(instance(databaseMultiAz, {})).toEqual(nonCompliant('database has multi_az not set, expected true'));
    expect(instance(backupRetentionSufficient, {})).toEqual(nonCompliant('database has backup_retention_period not set, expected >= 7'));
  });

  it('check deletion protection on clusters and tables', () => {
    const stack = testStack();
    new RdsCluster(stack, 'cluster', { clusterIdentifier: 'prod-ledger', engine: 'aurora-postgresql', deletionProtection: false });
    new DynamodbTable(stack, 'table', { name: 'prod-sessions', hashKey: 'id', attribute: [{ name: 'id', type: 'S' }], deletionProtectionEnabled: true });
    expect(resultFor(stack, deletionProtectionEnabled, 'aws_rds_cluster.cluster', PROD)).toEqual(nonCompliant('deletion_protection is false, expected true'));
    expect(resultFor(stack, deletionProtectionEnabled, 'aws_dynamodb_table.table', PROD)).toEqual({ status: 'compliant' });
  });
});

describe('MIG-PROD-4 log retention (edges)', () => {
  it('passes 0 and null, which mean never expire', () => {
    expect(logGroup(0)).toEqual({ status: 'compliant' });
    expect(logGroup(null)).toEqual({ status: 'compliant' });
  });

  it('rejects one day less than a year', () => {
    expect(logGroup(364)).toEqual(nonCompliant('log group has retention_in_days 364, expected >= 365 (or unset: never expire)'));
  });
});
