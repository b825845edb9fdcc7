import { bool, show } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** Symmetric customer keys rotate their key material yearly (or sooner). */
export const keyRotationEnabled: Rule = {
  id: 'MIG-KMS-1',
  title: 'Symmetric KMS keys have automatic rotation on',
  severity: 'error',
  rationale: 'Rotation limits how much data one key version protects and is required by most audit frameworks; AWS keeps old versions so nothing needs re-encrypting.',
  fix: 'set enable_key_rotation = true on the aws_kms_key (EncryptionKey in @estate/iam does this)',
  standard: 'AWS FSBP KMS.4; cdk-nag AwsSolutions-KMS5',
  resourceTypes: ['aws_kms_key'],
  check(key) {
    const spec = key.config['customer_master_key_spec'] ?? 'SYMMETRIC_DEFAULT';
    const usage = key.config['key_usage'] ?? 'ENCRYPT_DECRYPT';
    // Asymmetric and HMAC keys cannot rotate automatically.
    if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') return notApplicable;
    if (key.config['custom_key_store_id'] !== undefined) return notApplicable;
    return bool(key.config['enable_key_rotation']) === true
      ? compliant
      : nonCompliant(`KMS key has enable_key_rotation ${show(key.config['enable_key_rotation'])}, expected true`);
  },
};
