import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DmsEndpoint } from '@cdktf/provider-aws/lib/dms-endpoint';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { TerraformVariable } from 'cdktf';
import { finding, findings, resultFor, testStack } from '../test-support';
import { noLiteralDatabasePassword } from './no-literal-database-password';
import { noLiteralDmsEndpointPassword } from './no-literal-dms-endpoint-password';
import { noLiteralSecretValue } from './no-literal-secret-value';
import { noSecretsInEnvironment } from './no-secrets-in-environment';
import { looksLikeSecretName } from './secret-values';

const database = { identifier: 'dev-ledger', engine: 'postgres', instanceClass: 'db.t4g.medium', allocatedStorage: 20, username: 'ledger' };
const endpoint = { endpointId: 'dev-legacy-source', endpointType: 'source', engineName: 'postgres', serverName: 'legacy.internal', port: 5432, username: 'dms' };

describe('MIG-SEC-1 database passwords', () => {
  it('passes an RDS-managed master password', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', { ...database, manageMasterUserPassword: true });
    expect(resultFor(stack, noLiteralDatabasePassword, 'aws_db_instance.db')).toEqual({ status: 'compliant' });
  });

  it('rejects a literal password without echoing it', () => {
    const stack = testStack();
    new DbInstance(stack, 'db', { ...database, password: 'hunter22hunter22' });
    const report = findings(stack, noLiteralDatabasePassword);
    expect(report).toEqual([finding(noLiteralDatabasePassword, 'aws_db_instance.db', 'database has a literal password (16 characters)')]);
    expect(report[0].message).not.toContain('hunter22');
  });
});

describe('MIG-SEC-2 DMS endpoint passwords', () => {
  it('passes an endpoint reading Secrets Manager', () => {
    const stack = testStack();
    new DmsEndpoint(stack, 'source', {
      ...endpoint,
      username: undefined,
      secretsManagerArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:dev-legacy',
      secretsManagerAccessRoleArn: 'arn:aws:iam::111111111111:role/dev-dms-secrets',
    });
    expect(resultFor(stack, noLiteralDmsEndpointPassword, 'aws_dms_endpoint.source')).toEqual({ status: 'compliant' });
  });

  it('rejects a literal password', () => {
    const stack = testStack();
    new DmsEndpoint(stack, 'source', { ...endpoint, password: 'legacy-pass' });
    expect(findings(stack, noLiteralDmsEndpointPassword)).toEqual([finding(noLiteralDmsEndpointPassword, 'aws_dms_endpoint.source', 'endpoint has a literal password')]);
  });

  it('rejects literal Kafka and Redis passwords, naming each settings field', () => {
    const stack = testStack();
    new DmsEndpoint(stack, 'kafka', {
      endpointId: 'dev-kafka',
      endpointType: 'target',
      engineName: 'kafka',
      kafkaSettings: { broker: 'b-1.kafka:9096', saslUsername: 'dms', saslPassword: 'kafka-pass', sslClientKeyPassword: 'key-pass' },
    });
    new DmsEndpoint(stack, 'redis', {
      endpointId: 'dev-redis',
      endpointType: 'target',
      engineName: 'redis',
      redisSettings: { serverName: 'redis.internal', port: 6379, authType: 'auth-token', authPassword: 'redis-pass' },
    });
    expect(findings(stack, noLiteralDmsEndpointPassword)).toEqual([
      finding(noLiteralDmsEndpointPassword, 'aws_dms_endpoint.kafka', 'endpoint has a literal kafka_settings.sasl_password and kafka_settings.ssl_client_key_password'),
      finding(noLiteralDmsEndpointPassword, 'aws_dms_endpoint.redis', 'endpoint has a literal redis_settings.auth_password'),
    ]);
  });

  it('passes Kafka and Redis passwords that come from variables', () => {
    const stack = testStack();
    const secret = new TerraformVariable(stack, 'broker_password', { type: 'string', sensitive: true });
    new DmsEndpoint(stack, 'kafka', {
      endpointId: 'dev-kafka',
      endpointType: 'target',
      engineName: 'kafka',
      kafkaSettings: { broker: 'b-1.kafka:9096', saslUsername: 'dms', saslPassword: secret.stringValue },
    });
    new DmsEndpoint(stack, 'redis', {
      endpointId: 'dev-redis',
      endpointType: 'target',
      engineName: 'redis',
      redisSettings: { serverName: 'redis.internal', port: 6379, authType: 'auth-token', authPassword: secret.stringValue },
    });
    expect(findings(stack, noLiteralDmsEndpointPassword)).toEqual([]);
  });
});

describe('MIG-SEC-3 secret values', () => {
  it('passes a secret version whose value comes from a variable', () => {
    const stack = testStack();
    const value = new TerraformVariable(stack, 'api_token', { type: 'string', sensitive: true });
    new SecretsmanagerSecretVersion(stack, 'version', { secretId: 'dev-api', secretString: value.stringValue });
    expect(resultFor(stack, noLiteralSecretValue, 'aws_secretsmanager_secret_version.version')).toEqual({ status: 'compliant' });
  });

  it('rejects a literal secret_string and a literal SecureString', () => {
    const stack = testStack();
    new SecretsmanagerSecretVersion(stack, 'version', { secretId: 'dev-api', secretString: '{"password":"x"}' });
    new SsmParameter(stack, 'param', { name: '/dev/api/token', type: 'SecureString', value: 'abc' });
    expect(findings(stack, noLiteralSecretValue)).toEqual([
      finding(noLiteralSecretValue, 'aws_secretsmanager_secret_version.version', 'secret version has a literal secret_string'),
      finding(noLiteralSecretValue, 'aws_ssm_parameter.param', 'SecureString parameter has a literal value'),
    ]);
  });
});

describe('MIG-SEC-4 secrets in environment variables', () => {
  it('tells secret names from pointers to secrets', () => {
    expect(['DB_PASSWORD', 'API_TOKEN', 'STRIPE_KEY', 'client_secret'].map(looksLikeSecretName)).toEqual([true, true, true, true]);
    expect(['DB_SECRET_ARN', 'KMS_KEY_ID', 'LOG_LEVEL', 'SECRET_NAME'].map(looksLikeSecretName)).toEqual([false, false, false, false]);
  });

  it('passes a task definition that takes the password from secrets', () => {
    const stack = testStack();
    new EcsTaskDefinition(stack, 'task', {
      family: 'dev-api',
      containerDefinitions: JSON.stringify([
        {
          name: 'api',
          environment: [{ name: 'DB_SECRET_ARN', value: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:dev-db' }, { name: 'LOG_LEVEL', value: 'info' }],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:dev-db:password::' }],
        },
      ]),
    });
    expect(resultFor(stack, noSecretsInEnvironment, 'aws_ecs_task_definition.task')).toEqual({ status: 'compliant' });
  });

  it('rejects a literal DB_PASSWORD in a container and an API_KEY in a function', () => {
    const stack = testStack();
    new EcsTaskDefinition(stack, 'task', { family: 'dev-api', containerDefinitions: JSON.stringify([{ name: 'api', environment: [{ name: 'DB_PASSWORD', value: 'x' }] }]) });
    new LambdaFunction(stack, 'fn', { functionName: 'dev-hook', role: 'arn:aws:iam::111111111111:role/dev-hook', environment: { variables: { API_KEY: 'abc', STAGE: 'dev' } } });
    expect(findings(stack, noSecretsInEnvironment)).toEqual([
      finding(noSecretsInEnvironment, 'aws_ecs_task_definition.task', "environment variable(s) DB_PASSWORD (container 'api') have literal values"),
      finding(noSecretsInEnvironment, 'aws_lambda_function.fn', 'function environment variable(s) API_KEY have literal values'),
    ]);
  });
});
