import { bool, show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** Production RDS instances run a standby in a second availability zone. */
export const databaseMultiAz: Rule = {
  id: 'MIG-PROD-2',
  title: 'Production RDS instances are Multi-AZ',
  severity: 'error',
  rationale: 'A single-AZ database is down for the whole of an AZ outage or instance failure; Multi-AZ fails over in about a minute.',
  fix: 'set multi_az = true on the production aws_db_instance',
  standard: 'AWS FSBP RDS.5; cdk-nag AwsSolutions-RDS3',
  resourceTypes: ['aws_db_instance'],
  productionOnly: true,
  check(db) {
    if (db.config['replicate_source_db'] !== undefined) return notApplicable;
    return bool(db.config['multi_az']) === true ? compliant : nonCompliant(`database has multi_az ${show(db.config['multi_az'])}, expected true`);
  },
};
