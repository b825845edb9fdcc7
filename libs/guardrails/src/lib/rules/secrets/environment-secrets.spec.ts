import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { Fn, TerraformVariable } from 'cdktf';
import { stackView } from '../../engine';
import { nonCompliant, type RuleResult } from '../../types';
import { DEV, resultFor, testStack } from '../test-support';
import { noSecretsInEnvironment } from './no-secrets-in-environment';
import { isLiteralSecret, looksLikeSecretName } from './secret-values';

const COMPLIANT: RuleResult = { status: 'compliant' };
const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };
const UNREADABLE = nonCompliant('container_definitions is not JSON at synth time, so its environment cannot be checked for secrets');

function task(containerDefinitions: string): RuleResult {
  const stack = testStack();
  new EcsTaskDefinition(stack, 'task', { family: 'dev-api', containerDefinitions });
  return resultFor(stack, noSecretsInEnvironment, 'aws_ecs_task_definition.task');
}

function fn(variables?: Record<string, string>): RuleResult {
  const stack = testStack();
  new LambdaFunction(stack, 'fn', { functionName: 'dev-hook', role: 'arn:aws:iam::111111111111:role/dev-hook', environment: variables ? { variables } : undefined });
  return resultFor(stack, noSecretsInEnvironment, 'aws_lambda_function.fn');
}

describe('secret-looking names and values', () => {
  it('only treats a pointer suffix (_ARN, _ID, _REF...) at the end of the name as a pointer', () => {
    expect(['OAUTH_REFRESH_TOKEN', 'AZURE_IDENTITY_TOKEN', 'DB_PASSWORD_ARN_BACKUP'].map(looksLikeSecretName)).toEqual([true, true, true]);
    expect(['OAUTH_TOKEN_REF', 'DB_PASSWORD_PATH', 'API_KEY_REGION'].map(looksLikeSecretName)).toEqual([false, false, false]);
  });

  it('only treats KEY at the end of the name as a secret', () => {
    expect(['KEYCLOAK_URL', 'KEY_ROTATION_DAYS'].map(looksLikeSecretName)).toEqual([false, false]);
    expect(['SIGNING_KEY', 'apikey'].map(looksLikeSecretName)).toEqual([true, true]);
  });

  it('counts literal strings as secrets, but not ARNs, expressions or empty values', () => {
    expect(['hunter2', 'key-arn:x'].map(isLiteralSecret)).toEqual([true, true]);
    expect(['arn:aws:secretsmanager:us-east-1:111111111111:secret:dev-db', '${var.db_password}', '', undefined, 42].map(isLiteralSecret)).toEqual([false, false, false, false, false]);
  });
});

describe('MIG-SEC-4 function environment', () => {
  it('is not applicable to a function without environment variables', () => {
    expect(fn()).toEqual(NOT_APPLICABLE);
    expect(fn({})).toEqual(NOT_APPLICABLE);
  });

  it('passes settings, ARNs of secrets and values from variables', () => {
    const stack = testStack();
    const password = new TerraformVariable(stack, 'db_password', { type: 'string', sensitive: true });
    new LambdaFunction(stack, 'fn', {
      functionName: 'dev-hook',
      role: 'arn:aws:iam::111111111111:role/dev-hook',
      environment: { variables: { STAGE: 'dev', DB_SECRET: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:dev-db', DB_PASSWORD: password.stringValue } },
    });
    expect(resultFor(stack, noSecretsInEnvironment, 'aws_lambda_function.fn')).toEqual(COMPLIANT);
  });

  it('names every literal secret of the function', () => {
    expect(fn({ API_KEY: 'abc', STAGE: 'dev', WEBHOOK_SECRET: 's3cr3t' })).toEqual(nonCompliant('function environment variable(s) API_KEY, WEBHOOK_SECRET have literal values'));
  });
});

describe('MIG-SEC-4 container environment', () => {
  it('is not applicable to containers without environment variables', () => {
    expect(task(JSON.stringify([{ name: 'api', image: 'api:1' }, { name: 'sidecar', environment: [] }]))).toEqual(NOT_APPLICABLE);
  });

  it('is not applicable to a task definition view without container_definitions', () => {
    const view = stackView(testStack());
    const resource = { type: 'aws_ecs_task_definition', name: 'task', address: 'aws_ecs_task_definition.task', path: 'test/task', config: { family: 'dev-api' } };
    expect(noSecretsInEnvironment.check(resource, view, DEV)).toEqual(NOT_APPLICABLE);
  });

  it('cannot check definitions built at apply time, or that are not a JSON list', () => {
    expect(task(Fn.jsonencode([{ name: 'api' }]))).toEqual(UNREADABLE);
    expect(task('[${jsonencode(local.api_container)}]')).toEqual(UNREADABLE);
    expect(task(JSON.stringify({ name: 'api', environment: [{ name: 'DB_PASSWORD', value: 'x' }] }))).toEqual(UNREADABLE);
  });

  it('skips empty entries', () => {
    expect(task(JSON.stringify([null, { name: 'api', environment: [null, { name: 'DB_PASSWORD', value: 'x' }] }]))).toEqual(
      nonCompliant("environment variable(s) DB_PASSWORD (container 'api') have literal values"),
    );
  });

  it('names every literal secret with its container, and a container without a name as ?', () => {
    expect(
      task(
        JSON.stringify([
          { name: 'api', environment: [{ name: 'DB_PASSWORD', value: 'x' }, { name: 'LOG_LEVEL', value: 'info' }] },
          { environment: [{ name: 'API_TOKEN', value: 'y' }, { value: 'no name' }] },
        ]),
      ),
    ).toEqual(nonCompliant("environment variable(s) DB_PASSWORD (container 'api'), API_TOKEN (container '?') have literal values"));
  });
});
