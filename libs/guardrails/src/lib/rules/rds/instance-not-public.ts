import { bool } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

/** Databases are reachable only from inside the network. */
export const instanceNotPublic: Rule = {
  id: 'MIG-RDS-4',
  title: 'RDS instances are not publicly accessible',
  severity: 'error',
  rationale: 'A publicly accessible instance gets a public DNS address; one security-group mistake then exposes the database to the internet.',
  fix: 'set publicly_accessible = false (or leave it unset) and reach the database through the VPC, peering or a bastion',
  standard: 'AWS FSBP RDS.2',
  resourceTypes: ['aws_db_instance'],
  check(db) {
    return bool(db.config['publicly_accessible']) === true ? nonCompliant('database has publicly_accessible = true') : compliant;
  },
};
