import { blocks } from '../../inspect';
import { compliant, nonCompliant, notApplicable, type Rule } from '../../types';
import { isLiteralSecret, looksLikeSecretName } from './secret-values';

function containerEnvironment(definitions: unknown): { container: string; name: string; value: unknown }[] | 'unreadable' {
  if (typeof definitions !== 'string') return [];
  if (definitions.trim().startsWith('${')) return 'unreadable';
  let parsed: unknown;
  try {
    parsed = JSON.parse(definitions);
  } catch {
    return 'unreadable';
  }
  if (!Array.isArray(parsed)) return 'unreadable';
  return parsed.flatMap((c: Record<string, unknown>) =>
    (Array.isArray(c?.['environment']) ? (c['environment'] as Record<string, unknown>[]) : []).map((e) => ({
      container: String(c['name'] ?? '?'),
      name: String(e?.['name'] ?? ''),
      value: e?.['value'],
    })),
  );
}

/**
 * Task and function environment variables whose name says "secret" (PASSWORD,
 * SECRET, TOKEN, …KEY) do not carry a literal value.
 */
export const noSecretsInEnvironment: Rule = {
  id: 'MIG-SEC-4',
  title: 'Container and function environment variables carry no literal secrets',
  severity: 'error',
  rationale: 'Environment variables are visible to anyone with ecs:DescribeTaskDefinition or lambda:GetFunctionConfiguration, and land in git and state.',
  fix: 'pass the value through the container definition secrets list (valueFrom = Secrets Manager / SSM ARN) or read it from Secrets Manager at start-up; keep only non-secret settings in environment',
  standard: 'AWS FSBP ECS.8; AWS Config ecs-no-environment-secrets',
  resourceTypes: ['aws_ecs_task_definition', 'aws_lambda_function'],
  check(resource) {
    if (resource.type === 'aws_lambda_function') {
      const variables = blocks(resource.config['environment']).flatMap((e) => Object.entries((e['variables'] ?? {}) as Record<string, unknown>));
      if (variables.length === 0) return notApplicable;
      const bad = variables.filter(([name, value]) => looksLikeSecretName(name) && isLiteralSecret(value)).map(([name]) => name);
      return bad.length === 0 ? compliant : nonCompliant(`function environment variable(s) ${bad.join(', ')} have literal values`);
    }
    const environment = containerEnvironment(resource.config['container_definitions']);
    if (environment === 'unreadable') return nonCompliant('container_definitions is not JSON at synth time, so its environment cannot be checked for secrets');
    if (environment.length === 0) return notApplicable;
    const bad = environment.filter((e) => looksLikeSecretName(e.name) && isLiteralSecret(e.value)).map((e) => `${e.name} (container '${e.container}')`);
    return bad.length === 0 ? compliant : nonCompliant(`environment variable(s) ${bad.join(', ')} have literal values`);
  },
};
