import { show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

const DATABASE_ENGINES = ['postgres', 'aurora-postgresql', 'mysql', 'aurora', 'mariadb', 'oracle', 'sqlserver', 'db2', 'sybase', 'mongodb', 'docdb', 'redshift'];
const TLS_MODES = ['require', 'verify-ca', 'verify-full'];

/** Database endpoints connect with TLS. */
export const endpointsUseTls: Rule = {
  id: 'MIG-DMS-2',
  title: 'DMS database endpoints use TLS',
  severity: 'error',
  rationale: 'Migration traffic carries the whole database, often across accounts over peering; without TLS it is readable on the wire.',
  fix: "set ssl_mode = 'verify-full' (or 'require'/'verify-ca') on the aws_dms_endpoint; the target database must force TLS as well (MIG-RDS-3)",
  standard: 'AWS FSBP DMS.9',
  resourceTypes: ['aws_dms_endpoint'],
  check(endpoint) {
    const engine = endpoint.config['engine_name'];
    if (typeof engine === 'string' && !DATABASE_ENGINES.includes(engine)) return notApplicable;
    const mode = endpoint.config['ssl_mode'];
    return typeof mode === 'string' && TLS_MODES.includes(mode) ? compliant : nonCompliant(`endpoint has ssl_mode ${show(mode ?? 'none (default)')}, expected 'verify-full', 'verify-ca' or 'require'`);
  },
};
