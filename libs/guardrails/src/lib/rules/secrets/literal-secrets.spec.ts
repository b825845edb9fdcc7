import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { nonCompliant } from '../../types';
import { resultFor, testStack } from '../test-support';
import { noLiteralSecretValue } from './no-literal-secret-value';

describe('MIG-SEC-3 secret values (edges)', () => {
  it('leaves plain String parameters alone', () => {
    const stack = testStack();
    new SsmParameter(stack, 'param', { name: '/dev/api/log-level', type: 'String', value: 'info' });
    expect(resultFor(stack, noLiteralSecretValue, 'aws_ssm_parameter.param')).toEqual({ status: 'not-applicable' });
  });

  it('rejects a literal secret_binary, alone or with a secret_string', () => {
    const stack = testStack();
    new SecretsmanagerSecretVersion(stack, 'binary', { secretId: 'dev-api', secretBinary: 'c2VjcmV0' });
    new SecretsmanagerSecretVersion(stack, 'both', { secretId: 'dev-api', secretString: 'x', secretBinary: 'c2VjcmV0' });
    expect(resultFor(stack, noLiteralSecretValue, 'aws_secretsmanager_secret_version.binary')).toEqual(nonCompliant('secret version has a literal secret_binary'));
    expect(resultFor(stack, noLiteralSecretValue, 'aws_secretsmanager_secret_version.both')).toEqual(nonCompliant('secret version has a literal secret_string and secret_binary'));
  });
});
