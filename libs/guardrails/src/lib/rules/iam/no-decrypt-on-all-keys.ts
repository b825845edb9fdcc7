import { actionMatches, readablePolicies, POLICY_RESOURCE_TYPES, type Statement } from '../../policy';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

const DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];

/** `*`, or a KMS ARN whose key part is a wildcard (`arn:aws:kms:us-east-1:123456789012:key/*`). */
function coversAllKeys(resource: string): boolean {
  return resource === '*' || /^arn:[^:]+:(kms|\*):[^:]*:[^:]*:(key\/)?\*$/.test(resource);
}

/** Services through which decryption on every key of the account is acceptable: only Secrets Manager. */
const MEDIATING_SERVICES = /^secretsmanager\.[a-z0-9-]+\.amazonaws\.com$/;

/**
 * Whether the statement limits decryption to requests Secrets Manager makes for the
 * caller (`StringEquals kms:ViaService secretsmanager.<region>.amazonaws.com`): RDS needs
 * that to create a managed master secret with a customer key, and the principal still
 * cannot call kms:Decrypt itself.
 */
function onlyViaSecretsManager(s: Statement): boolean {
  const values = Object.entries(s.conditions)
    .filter(([operator]) => operator === 'StringEquals')
    .flatMap(([, keys]) => Object.entries(keys).filter(([key]) => key.toLowerCase() === 'kms:viaservice').flatMap(([, v]) => v));
  return values.length > 0 && values.every((v) => MEDIATING_SERVICES.test(v));
}

/**
 * Identity policies do not let a principal decrypt with every key. Key policies are
 * exempt: there `Resource: "*"` means the key the policy is attached to. So is decryption
 * only through Secrets Manager (`kms:ViaService`): the principal reads the secrets its
 * Secrets Manager permissions name, never a key directly.
 */
export const noDecryptOnAllKeys: Rule = {
  id: 'MIG-IAM-5',
  title: 'Identity policies do not allow kms:Decrypt on all keys',
  severity: 'error',
  rationale: 'Decrypt on every key lets one compromised role read every encrypted bucket, database snapshot and secret the key policies admit; name the keys.',
  fix: 'set Resource to the ARNs of the keys the principal needs (EncryptionKey.grantDecrypt(role) does this)',
  standard: 'AWS FSBP KMS.1, KMS.2; cdk-nag AwsSolutions-IAM5',
  resourceTypes: POLICY_RESOURCE_TYPES,
  check(resource) {
    const policies = readablePolicies(resource).filter(({ policy }) => policy.kind === 'identity');
    if (policies.length === 0) return notApplicable;
    const problems = policies.flatMap(({ policy, statements }) =>
      statements
        .filter((s) => s.effect === 'Allow')
        .filter((s) => s.actions.some((a) => DECRYPT_ACTIONS.some((d) => actionMatches(a, d))))
        .filter((s) => s.resources.some(coversAllKeys))
        .filter((s) => !onlyViaSecretsManager(s))
        .map((s) => `${policy.where} ${s.label} allows decryption (${s.actions.join(', ')}) on Resource ${s.resources.filter(coversAllKeys).map((r) => `'${r}'`).join(', ')}`),
    );
    return problems.length === 0 ? compliant : nonCompliant(problems.join('; '));
  },
};
