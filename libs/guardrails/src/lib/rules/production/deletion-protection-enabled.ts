import { bool, show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

const ATTRIBUTE: Readonly<Record<string, string>> = {
  aws_db_instance: 'deletion_protection',
  aws_rds_cluster: 'deletion_protection',
  aws_lb: 'enable_deletion_protection',
  aws_alb: 'enable_deletion_protection',
  aws_dynamodb_table: 'deletion_protection_enabled',
};

/** Production databases, tables and load balancers cannot be deleted by one mistaken apply. */
export const deletionProtectionEnabled: Rule = {
  id: 'MIG-PROD-1',
  title: 'Production RDS, DynamoDB tables and load balancers have deletion protection',
  severity: 'error',
  rationale: 'A rename, a refactor that changes a construct id, or a destroy run would otherwise delete customer data or take the service down in one apply.',
  fix: 'set deletion_protection = true (RDS), deletion_protection_enabled = true (DynamoDB) or enable_deletion_protection = true (load balancer) in production',
  standard: 'AWS FSBP RDS.8, RDS.7, DynamoDB.6, ELB.6; cdk-nag AwsSolutions-RDS10',
  resourceTypes: Object.keys(ATTRIBUTE),
  productionOnly: true,
  check(resource) {
    // A read replica is protected through its source; clusters carry it for their instances.
    if (resource.type === 'aws_db_instance' && resource.config['replicate_source_db'] !== undefined) return notApplicable;
    const attribute = ATTRIBUTE[resource.type];
    return bool(resource.config[attribute]) === true ? compliant : nonCompliant(`${attribute} is ${show(resource.config[attribute])}, expected true`);
  },
};
