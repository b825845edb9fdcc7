import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { DEV, finding, findings, PROD, resultFor, testStack } from '../test-support';
import { backupRetentionSufficient } from './backup-retention-sufficient';
import { databaseMultiAz } from './database-multi-az';
import { deletionProtectionEnabled } from './deletion-protection-enabled';
import { logRetentionSufficient } from './log-retention-sufficient';

const database = { identifier: 'prod-ledger', engine: 'postgres', instanceClass: 'db.r6g.large', allocatedStorage: 100 };

describe('production-only rules', () => {
  it('are marked productionOnly and skipped outside production', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', database);
    for (const rule of [deletionProtectionEnabled, databaseMultiAz, backupRetentionSufficient, logRetentionSufficient]) {
      expect(rule.productionOnly).toBe(true);
      expect(findings(stack, rule, DEV)).toEqual([]);
    }
  });
});

describe('MIG-PROD-1 deletion protection', () => {
  it('passes protected RDS, DynamoDB and ALB', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', { ...database, deletionProtection: true });
    new DynamodbTable(stack, 'table', { name: 'prod-sessions', hashKey: 'id', attribute: [{ name: 'id', type: 'S' }], deletionProtectionEnabled: true });
    new Lb(stack, 'alb', { name: 'prod-alb', enableDeletionProtection: true });
    for (const address of ['aws_db_instance.db', 'aws_dynamodb_table.table', 'aws_lb.alb']) {
      expect(resultFor(stack, deletionProtectionEnabled, address, PROD)).toEqual({ status: 'compliant' });
    }
  });

  it('rejects each unprotected resource in production', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', database);
    new DynamodbTable(stack, 'table', { name: 'prod-sessions', hashKey: 'id', attribute: [{ name: 'id', type: 'S' }] });
    new Lb(stack, 'alb', { name: 'prod-alb', enableDeletionProtection: false });
    expect(findings(stack, deletionProtectionEnabled, PROD)).toEqual([
      finding(deletionProtectionEnabled, 'aws_db_instance.db', 'deletion_protection is not set, expected true'),
      finding(deletionProtectionEnabled, 'aws_dynamodb_table.table', 'deletion_protection_enabled is not set, expected true'),
      finding(deletionProtectionEnabled, 'aws_lb.alb', 'enable_deletion_protection is false, expected true'),
    ]);
  });
});

describe('MIG-PROD-2 Multi-AZ', () => {
  it('passes multi_az = true', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', { ...database, multiAz: true });
    expect(resultFor(stack, databaseMultiAz, 'aws_db_instance.db', PROD)).toEqual({ status: 'compliant' });
  });

  it('rejects a single-AZ production database', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', { ...database, multiAz: false });
    expect(findings(stack, databaseMultiAz, PROD)).toEqual([finding(databaseMultiAz, 'aws_db_instance.db', 'database has multi_az false, expected true')]);
  });
});

describe('MIG-PROD-3 backup retention', () => {
  it('passes 7 days', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', { ...database, backupRetentionPeriod: 7 });
    expect(resultFor(stack, backupRetentionSufficient, 'aws_db_instance.db', PROD)).toEqual({ status: 'compliant' });
  });

  it('rejects 3 days', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', { ...database, backupRetentionPeriod: 3 });
    expect(findings(stack, backupRetentionSufficient, PROD)).toEqual([finding(backupRetentionSufficient, 'aws_db_instance.db', 'database has backup_retention_period 3, expected >= 7')]);
  });
});

describe('MIG-PROD-4 log retention', () => {
  it('passes 365 days and never-expire', () => {
    const stack = testStack();
    new CloudwatchLogGroup(stack, 'year', { name: '/ecs/prod-api', retentionInDays: 365 });
    new CloudwatchLogGroup(stack, 'forever', { name: '/ecs/prod-audit' });
    expect(resultFor(stack, logRetentionSufficient, 'aws_cloudwatch_log_group.year', PROD)).toEqual({ status: 'compliant' });
    expect(resultFor(stack, logRetentionSufficient, 'aws_cloudwatch_log_group.forever', PROD)).toEqual({ status: 'compliant' });
  });

  it('rejects 30 days in production', () => {
    const stack = testStack();
    new CloudwatchLogGroup(stack, 'logs', { name: '/ecs/prod-api', retentionInDays: 30 });
    expect(findings(stack, logRetentionSufficient, PROD)).toEqual([
      finding(logRetentionSufficient, 'aws_cloudwatch_log_group.logs', 'log group has retention_in_days 30, expected >= 365 (or unset: never expire)'),
    ]);
  });
});
