import { blocks, isLiteralString } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

/**
 * Where an aws_dms_endpoint holds a secret (provider schema): the endpoint's own password, and
 * the Kafka and Redis settings blocks' passwords.
 */
const SECRET_FIELDS: readonly { block?: string; field: string }[] = [
  { field: 'password' },
  { block: 'kafka_settings', field: 'sasl_password' },
  { block: 'kafka_settings', field: 'ssl_client_key_password' },
  { block: 'redis_settings', field: 'auth_password' },
];

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
    const literal = SECRET_FIELDS.filter(({ block, field }) =>
      block === undefined ? isLiteralString(endpoint.config[field]) : blocks(endpoint.config[block]).some((settings) => isLiteralString(settings[field])),
    ).map(({ block, field }) => (block === undefined ? field : `${block}.${field}`));
    return literal.length === 0 ? compliant : nonCompliant(`endpoint has a literal ${literal.join(' and ')}`);
  },
};
