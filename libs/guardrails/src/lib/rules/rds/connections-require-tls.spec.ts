import { DbInstance, type DbInstanceConfig } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup, type DbParameterGroupParameter } from '@cdktf/provider-aws/lib/db-parameter-group';
import { RdsCluster, type RdsClusterConfig } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { nonCompliant, type RuleResult } from '../../types';
import { resultFor, testStack } from '../test-support';
import { connectionsRequireTls } from './connections-require-tls';

const COMPLIANT: RuleResult = { status: 'compliant' };
const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };
const DEFAULT_GROUP = "so it uses the engine's default parameter group, which this configuration does not control";

function group(family: string, parameter?: DbParameterGroupParameter[]): RuleResult {
  const stack = testStack();
  new DbParameterGroup(stack, 'params', { name: 'dev-ledger', family, parameter });
  return resultFor(stack, connectionsRequireTls, 'aws_db_parameter_group.params');
}

function instance(extra: Partial<DbInstanceConfig>): RuleResult {
  const stack = testStack();
  new DbInstance(stack, 'db', { identifier: 'dev-ledger', engine: 'postgres', instanceClass: 'db.t4g.medium', allocatedStorage: 20, ...extra });
  return resultFor(stack, connectionsRequireTls, 'aws_db_instance.db');
}

function cluster(extra: Partial<RdsClusterConfig>): RuleResult {
  const stack = testStack();
  new RdsCluster(stack, 'cluster', { clusterIdentifier: 'dev-ledger', engine: 'aurora-postgresql', ...extra });
  return resultFor(stack, connectionsRequireTls, 'aws_rds_cluster.cluster');
}

describe('MIG-RDS-3 parameter groups', () => {
  it('checks Aurora cluster parameter groups like instance parameter groups', () => {
    for (const [value, expected] of [
      ['1', COMPLIANT],
      ['0', nonCompliant("parameter group (family aurora-postgresql16) has rds.force_ssl '0', expected '1'")],
    ] as const) {
      const stack = testStack();
      new RdsClusterParameterGroup(stack, 'params', { name: 'dev-ledger', family: 'aurora-postgresql16', parameter: [{ name: 'rds.force_ssl', value }] });
      expect(resultFor(stack, connectionsRequireTls, 'aws_rds_cluster_parameter_group.params')).toEqual(expected);
    }
  });

  it('finds the TLS parameter among the other parameters of the group', () => {
    expect(group('postgres16', [{ name: 'log_statement', value: 'ddl' }, { name: 'rds.force_ssl', value: '1' }])).toEqual(COMPLIANT);
    expect(group('postgres16', [{ name: 'log_statement', value: '1' }, { name: 'rds.force_ssl', value: '0' }])).toEqual(
      nonCompliant("parameter group (family postgres16) has rds.force_ssl '0', expected '1'"),
    );
  });

  it("accepts require_secure_transport as 'ON' in any letter case, as MySQL writes it", () => {
    for (const value of ['1', 'ON', 'on']) expect(group('mysql8.0', [{ name: 'require_secure_transport', value }])).toEqual(COMPLIANT);
    expect(group('mysql8.0', [{ name: 'require_secure_transport', value: 'OFF' }])).toEqual(
      nonCompliant("parameter group (family mysql8.0) has require_secure_transport 'OFF', expected '1'"),
    );
  });

  it('asks SQL Server and MariaDB groups for their TLS parameter', () => {
    expect(group('sqlserver-se-16.0')).toEqual(nonCompliant("parameter group (family sqlserver-se-16.0) has rds.force_ssl not set, expected '1'"));
    expect(group('mariadb10.11', [{ name: 'require_secure_transport', value: '0' }])).toEqual(
      nonCompliant("parameter group (family mariadb10.11) has require_secure_transport '0', expected '1'"),
    );
  });

  it('is not applicable to families without such a parameter, or a family only known at apply time', () => {
    expect(group('oracle-ee-19')).toEqual(NOT_APPLICABLE);
    expect(group('${var.family}')).toEqual(NOT_APPLICABLE);
  });
});

describe('MIG-RDS-3 databases', () => {
  it('passes an instance on a group of its own, named literally or by reference', () => {
    expect(instance({ parameterGroupName: 'dev-ledger' })).toEqual(COMPLIANT);
    expect(instance({ parameterGroupName: '${aws_db_parameter_group.params.name}' })).toEqual(COMPLIANT);
  });

  it("rejects an instance on the engine's default group, named or left unset", () => {
    expect(instance({ parameterGroupName: 'default.postgres16' })).toEqual(nonCompliant("database uses the default parameter group 'default.postgres16'"));
    for (const parameterGroupName of ['', null as unknown as string]) {
      expect(instance({ parameterGroupName })).toEqual(nonCompliant(`database has no parameter_group_name, ${DEFAULT_GROUP}`));
    }
  });

  it('is not applicable to engines without a TLS parameter, but checks an engine only known at apply time', () => {
    expect(instance({ engine: 'oracle-ee' })).toEqual(NOT_APPLICABLE);
    expect(instance({ engine: '${var.engine}' })).toEqual(nonCompliant(`database has no parameter_group_name, ${DEFAULT_GROUP}`));
  });

  it('reads db_cluster_parameter_group_name on clusters', () => {
    expect(cluster({ dbClusterParameterGroupName: 'dev-ledger' })).toEqual(COMPLIANT);
    expect(cluster({})).toEqual(nonCompliant(`database has no db_cluster_parameter_group_name, ${DEFAULT_GROUP}`));
    expect(cluster({ engine: 'aurora-mysql', dbClusterParameterGroupName: 'default.aurora-mysql8.0' })).toEqual(
      nonCompliant("database uses the default parameter group 'default.aurora-mysql8.0'"),
    );
  });
});
