import { isLiteralString } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';

/** The argument that holds the AWS name of each named resource type. */
export const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_s3_bucket: 'bucket',
  aws_db_instance: 'identifier',
  aws_rds_cluster: 'cluster_identifier',
  aws_db_parameter_group: 'name',
  aws_rds_cluster_parameter_group: 'name',
  aws_db_subnet_group: 'name',
  aws_db_option_group: 'name',
  aws_db_snapshot: 'db_snapshot_identifier',
  aws_db_snapshot_copy: 'target_db_snapshot_identifier',
  aws_dms_replication_instance: 'replication_instance_id',
  aws_dms_replication_subnet_group: 'replication_subnet_group_id',
  aws_dms_endpoint: 'endpoint_id',
  aws_dms_replication_task: 'replication_task_id',
  aws_iam_role: 'name',
  aws_iam_policy: 'name',
  aws_iam_instance_profile: 'name',
  aws_ecs_cluster: 'name',
  aws_ecs_service: 'name',
  aws_ecs_task_definition: 'family',
  aws_ecr_repository: 'name',
  aws_cloudwatch_log_group: 'name',
  aws_security_group: 'name',
  aws_lb: 'name',
  aws_lb_target_group: 'name',
  aws_dynamodb_table: 'name',
  aws_kms_alias: 'name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_cloudwatch_composite_alarm: 'alarm_name',
  aws_cloudwatch_dashboard: 'dashboard_name',
  aws_sns_topic: 'name',
  aws_sqs_queue: 'name',
  aws_secretsmanager_secret: 'name',
  aws_ssm_parameter: 'name',
  aws_lambda_function: 'function_name',
};

/**
 * A name carries the prefix when it starts with it, or when one of its `/`-separated
 * segments does (log groups such as `/aws/rds/instance/dev-db/postgresql`, parameter
 * paths) or equals the qualifier (`/dev-pr42/app/...`). `alias/` is not part of a KMS alias name.
 */
export function carriesPrefix(name: string, prefix: string): boolean {
  const bare = name.replace(/^alias\//, '');
  if (bare.startsWith(prefix)) return true;
  const qualifier = prefix.replace(/-$/, '');
  return bare.split('/').some((segment) => segment.startsWith(prefix) || segment === qualifier);
}

/** Named resources (and `Name` tags) start with the environment prefix, suffix included. */
export const namesCarryEnvironmentPrefix: Rule = {
  id: 'MIG-NAME-1',
  title: 'Resource names start with the environment prefix (and preview suffix)',
  severity: 'error',
  rationale:
    'Names are unique per account and region: without the prefix a preview copy (dev-pr42-) collides with its environment, and people cannot tell which environment a resource belongs to.',
  fix: "build the name with naming.resource(kind, name) from @estate/config (gives '<env>-<name>' or '<env>-<suffix>-<name>')",
  standard: 'Estate naming convention (libs/config Naming); AWS Tagging Best Practices (Name tag)',
  resourceTypes: [],
  check(resource, _stack, context) {
    const attribute = NAME_ATTRIBUTES[resource.type];
    const checked: [string, unknown][] = [];
    if (attribute) {
      checked.push([attribute, resource.config[attribute]]);
      if (resource.config[`${attribute}_prefix`] !== undefined) checked.push([`${attribute}_prefix`, resource.config[`${attribute}_prefix`]]);
    }
    const tags = resource.config['tags'] as Record<string, unknown> | undefined;
    if (tags && tags['Name'] !== undefined) checked.push(['tag Name', tags['Name']]);
    const literal = checked.filter(([, value]) => isLiteralString(value)) as [string, string][];
    if (literal.length === 0) return notApplicable;
    const wrong = literal.filter(([, value]) => !carriesPrefix(value, context.namePrefix));
    if (wrong.length === 0) return compliant;
    return nonCompliant(
      wrong.map(([where, value]) => `${where} '${value}' does not start with '${context.namePrefix}'`).join('; '),
    );
  },
};
