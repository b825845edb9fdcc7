import { blocks, show } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

/** Repositories encrypt images with a customer KMS key. */
export const repositoryEncryptedWithKms: Rule = {
  id: 'MIG-ECR-1',
  title: 'ECR repositories are encrypted with a customer KMS key',
  severity: 'error',
  rationale: 'Images contain application code and configuration; the default AES256 gives no key-level access control. Encryption cannot be changed after the repository exists.',
  fix: "set encryption_configuration { encryption_type = 'KMS', kms_key = <customer key ARN> } on the aws_ecr_repository",
  standard: 'AWS Security Hub ECR.5 (NIST 800-53 r5; not in FSBP); AWS Config ecr-repository-cmk-encryption-enabled',
  resourceTypes: ['aws_ecr_repository'],
  check(repository) {
    const config = blocks(repository.config['encryption_configuration'])[0];
    const type = config?.['encryption_type'];
    if (type !== 'KMS' && type !== 'KMS_DSSE') return nonCompliant(`repository has encryption_type ${show(type ?? 'AES256 (default)')}, expected 'KMS'`);
    if (!config?.['kms_key']) return nonCompliant('repository uses KMS without kms_key (the AWS managed aws/ecr key)');
    return compliant;
  },
};
