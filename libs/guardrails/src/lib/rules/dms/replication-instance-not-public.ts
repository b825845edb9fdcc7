import { bool } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

/** Replication instances have no public address. */
export const replicationInstanceNotPublic: Rule = {
  id: 'MIG-DMS-3',
  title: 'DMS replication instances are not publicly accessible',
  severity: 'error',
  rationale: 'The replication instance holds credentials to both databases and the data in flight; it belongs in private subnets.',
  fix: 'set publicly_accessible = false on the aws_dms_replication_instance (AWS defaults to public when unset)',
  standard: 'AWS FSBP DMS.1; cdk-nag NIST 800-53 DMSReplicationNotPublic',
  resourceTypes: ['aws_dms_replication_instance'],
  check(instance) {
    const value = bool(instance.config['publicly_accessible']);
    if (value === false) return compliant;
    return nonCompliant(`replication instance has publicly_accessible ${value === true ? '= true' : 'unset (the AWS API defaults to true)'}`);
  },
};
