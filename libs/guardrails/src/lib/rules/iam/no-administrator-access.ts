import { list } from '../../inspect';
import { compliant, nonCompliant, type Rule } from '../../types';

const ADMINISTRATOR_ACCESS = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;

const POLICY_ARN_ATTRIBUTE: Readonly<Record<string, string>> = {
  aws_iam_role_policy_attachment: 'policy_arn',
  aws_iam_policy_attachment: 'policy_arn',
  aws_iam_user_policy_attachment: 'policy_arn',
  aws_iam_group_policy_attachment: 'policy_arn',
  aws_iam_role_policy_attachments_exclusive: 'policy_arns',
  aws_iam_role: 'managed_policy_arns',
  aws_ssoadmin_managed_policy_attachment: 'managed_policy_arn',
};

/** The AWS managed AdministratorAccess policy is attached to nothing. */
export const noAdministratorAccess: Rule = {
  id: 'MIG-IAM-8',
  title: 'AdministratorAccess is not attached',
  severity: 'error',
  rationale: 'AdministratorAccess is every action on every resource, including IAM and Organizations; pipelines and workloads need scoped policies, and break-glass access lives outside this code.',
  fix: 'attach a customer managed policy with the actions the role needs (PermissionSet in @estate/iam) instead of arn:aws:iam::aws:policy/AdministratorAccess',
  standard: 'AWS FSBP IAM.1 (full administrative privileges); cdk-nag AwsSolutions-IAM4',
  resourceTypes: Object.keys(POLICY_ARN_ATTRIBUTE),
  check(resource) {
    const attribute = POLICY_ARN_ATTRIBUTE[resource.type];
    const attached = list(resource.config[attribute]).filter((arn) => typeof arn === 'string' && ADMINISTRATOR_ACCESS.test(arn));
    return attached.length === 0 ? compliant : nonCompliant(`${attribute} attaches '${String(attached[0])}'`);
  },
};
