import { isLiteralString } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

/** DMS endpoints read credentials from Secrets Manager, not from a literal password. */
export const noLiteralDmsEndpointPassword: Rule = {
  id: 'MIG-SEC-2',
  title: 'DMS endpoint passwords are not literals',
  severity: 'error',
  rationale: 'Endpoint passwords for the legacy databases would sit in git and state in clear text; DMS can read them from Secrets Manager through a role.',
  fix: 'remove password/username and set secrets_manager_arn and secrets_manager_access_role_arn on the aws_dms_endpoint',
  standard: 'AWS DMS User Guide: using secrets to access endpoints; AWS Well-Architected SEC02-BP03',
  resourceTypes: ['aws_dms_endpoint'],
  check(endpoint) {
    const literal = ['password', 'ssl_client_key_password'].filter((a) => isLiteralString(endpoint.config[a]));
    return literal.length === 0 ? compliant : nonCompliant(`endpoint has a literal ${literal.join(' and ')}`);
  },
};
