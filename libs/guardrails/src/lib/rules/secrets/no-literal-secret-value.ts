import { isLiteralString } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** Secret stores are not filled with values written into the configuration. */
export const noLiteralSecretValue: Rule = {
  id: 'MIG-SEC-3',
  title: 'Secrets Manager and SecureString values are not literals',
  severity: 'error',
  rationale: 'A secret whose value is in the code is not secret: it is in git history, the synthesized JSON and the state file.',
  fix: 'create the secret empty and let its owner (RDS managed password, rotation Lambda, an operator) set the value, or use secret_string_wo / value_wo from an ephemeral resource',
  standard: 'AWS Well-Architected SEC02-BP03; checkov CKV_SECRET family',
  resourceTypes: ['aws_secretsmanager_secret_version', 'aws_ssm_parameter'],
  check(resource) {
    if (resource.type === 'aws_ssm_parameter') {
      if (resource.config['type'] !== 'SecureString') return notApplicable;
      return isLiteralString(resource.config['value']) ? nonCompliant('SecureString parameter has a literal value') : compliant;
    }
    const literal = ['secret_string', 'secret_binary'].filter((a) => isLiteralString(resource.config[a]));
    return literal.length === 0 ? compliant : nonCompliant(`secret version has a literal ${literal.join(' and ')}`);
  },
};
