import { isLiteralString } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

const PASSWORD_ATTRIBUTE: Readonly<Record<string, string>> = {
  aws_db_instance: 'password',
  aws_rds_cluster: 'master_password',
};

/** Database master passwords are not written into the configuration. */
export const noLiteralDatabasePassword: Rule = {
  id: 'MIG-SEC-1',
  title: 'Database master passwords are not literals',
  severity: 'error',
  rationale: 'A literal password lives in git, in the synthesized JSON and in plan output; RDS can generate and rotate it in Secrets Manager instead.',
  fix: 'remove the password and set manage_master_user_password = true (optionally master_user_secret_kms_key_id), or use password_wo from an ephemeral source',
  standard: 'cdk-nag AwsSolutions-SMG4 / DOC3 intent; AWS Well-Architected SEC02-BP03 (store secrets securely)',
  resourceTypes: Object.keys(PASSWORD_ATTRIBUTE),
  check(db) {
    const attribute = PASSWORD_ATTRIBUTE[db.type];
    return isLiteralString(db.config[attribute]) ? nonCompliant(`database has a literal ${attribute} (${String(db.config[attribute]).length} characters)`) : compliant;
  },
};
