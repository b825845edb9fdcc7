import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** Replication instances (storage) and endpoints (connection settings) use a customer KMS key. */
export const dmsEncryptedWithKms: Rule = {
  id: 'MIG-DMS-1',
  title: 'DMS replication instances and endpoints use a customer KMS key',
  severity: 'error',
  rationale: 'The replication instance stores data in flight and endpoints store connection settings; with a customer key the target account controls both, not the default aws/dms key.',
  fix: 'set kms_key_arn to a customer key ARN on the aws_dms_replication_instance / aws_dms_endpoint',
  standard: 'AWS DMS User Guide: data encryption (customer managed key); AWS Well-Architected SEC08-BP02',
  resourceTypes: ['aws_dms_replication_instance', 'aws_dms_endpoint'],
  check(resource) {
    // S3 endpoints configure their own server-side encryption key instead.
    if (resource.type === 'aws_dms_endpoint' && resource.config['engine_name'] === 's3') return notApplicable;
    const key = resource.config['kms_key_arn'];
    return key !== undefined && key !== null && key !== '' ? compliant : nonCompliant(`${resource.type === 'aws_dms_endpoint' ? 'endpoint' : 'replication instance'} has no kms_key_arn`);
  },
};
