import { blocks, isLiteralString, show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type ResourceView, type Rule } from '../../types';

/** The parameter that makes the engine refuse unencrypted connections, by parameter group family. */
function tlsParameter(family: string): { name: string; value: string } | undefined {
  if (/^(postgres|aurora-postgresql|sqlserver)/.test(family)) return { name: 'rds.force_ssl', value: '1' };
  if (/^(mysql|mariadb|aurora-mysql)/.test(family)) return { name: 'require_secure_transport', value: '1' };
  return undefined;
}

function checkGroup(group: ResourceView) {
  const family = group.config['family'];
  if (!isLiteralString(family)) return notApplicable;
  const wanted = tlsParameter(family);
  if (!wanted) return notApplicable;
  const parameter = blocks(group.config['parameter']).find((p) => p['name'] === wanted.name);
  const value = parameter?.['value'];
  if (String(value).toUpperCase() === wanted.value || (wanted.value === '1' && String(value).toUpperCase() === 'ON')) return compliant;
  return nonCompliant(`parameter group (family ${family}) has ${wanted.name} ${parameter ? show(value) : 'not set'}, expected '${wanted.value}'`);
}

/**
 * Parameter groups force TLS (rds.force_ssl=1 for PostgreSQL/SQL Server,
 * require_secure_transport=1 for MySQL/MariaDB), and instances/clusters use a
 * group of their own rather than the engine default.
 */
export const connectionsRequireTls: Rule = {
  id: 'MIG-RDS-3',
  title: 'RDS parameter groups force TLS connections',
  severity: 'error',
  rationale: 'Clients may otherwise connect without TLS and send credentials and data in clear text inside the VPC and over peering.',
  fix: "attach an aws_db_parameter_group (or aws_rds_cluster_parameter_group) with parameter { name = 'rds.force_ssl', value = '1' } (PostgreSQL) or require_secure_transport = '1' (MySQL) via parameter_group_name",
  standard: 'AWS RDS User Guide: requiring SSL/TLS (rds.force_ssl); NIST 800-53 SC-8',
  resourceTypes: ['aws_db_parameter_group', 'aws_rds_cluster_parameter_group', 'aws_db_instance', 'aws_rds_cluster'],
  check(resource) {
    if (resource.type === 'aws_db_parameter_group' || resource.type === 'aws_rds_cluster_parameter_group') return checkGroup(resource);
    const attribute = resource.type === 'aws_db_instance' ? 'parameter_group_name' : 'db_cluster_parameter_group_name';
    const engine = resource.config['engine'];
    if (isLiteralString(engine) && !tlsParameter(engine)) return notApplicable;
    const name = resource.config[attribute];
    if (name === undefined || name === null || name === '') return nonCompliant(`database has no ${attribute}, so it uses the engine's default parameter group, which this configuration does not control`);
    if (isLiteralString(name) && name.startsWith('default.')) return nonCompliant(`database uses the default parameter group '${name}'`);
    return compliant;
  },
};
