import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { checkDeployRole } from './deploy-role';

const sts = mockClient(STSClient);
const client = sts as unknown as STSClient;
const target = { roleArn: 'arn:aws:iam::333333333333:role/estate-deploy', externalId: 'estate-migration-2026', opsAccountId: '222222222222' };
const ciCaller = { UserId: 'AROAEXAMPLE:gha', Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/estate-ci/gha' };

beforeEach(() => sts.reset());

describe('checkDeployRole', () => {
  it('assumes the deploy role from ops with the external id and returns its credentials', async () => {
    sts.on(GetCallerIdentityCommand).resolves(ciCaller);
    sts.on(AssumeRoleCommand, { RoleArn: target.roleArn, ExternalId: 'estate-migration-2026' }).resolves({
      Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2026-01-01T00:15:00Z') },
      AssumedRoleUser: { AssumedRoleId: 'AROADEPLOY:estate-integration', Arn: 'arn:aws:sts::333333333333:assumed-role/estate-deploy/estate-integration' },
    });
    const { row, credentials } = await checkDeployRole(target, client);
    expect(row).toEqual({
      check: 'deploy-role',
      target: target.roleArn,
      status: 'pass',
      detail: 'assumed from arn:aws:sts::222222222222:assumed-role/estate-ci/gha with the external id as arn:aws:sts::333333333333:assumed-role/estate-deploy/estate-integration',
    });
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', sessionToken: 'token' });
  });

  it('fails when the role refuses the caller', async () => {
    sts.on(GetCallerIdentityCommand).resolves(ciCaller);
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(new Error('User: arn:aws:sts::222222222222:assumed-role/estate-ci/gha is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/estate-deploy'), { name: 'AccessDenied' }),
    );
    const { row, credentials } = await checkDeployRole(target, client);
    expect(credentials).toBeUndefined();
    expect(row.status).toBe('fail');
    expect(row.detail).toMatch(/^arn:aws:sts::222222222222:assumed-role\/estate-ci\/gha cannot assume it with the external id: AccessDenied: User: .* is not authorized/);
  });

  it('fails when the caller is not in the ops account, without trying to assume', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '333333333333', Arn: 'arn:aws:sts::333333333333:assumed-role/admin/me' });
    const { row } = await checkDeployRole(target, client);
    expect(row.detail).toBe('caller arn:aws:sts::333333333333:assumed-role/admin/me is in account 333333333333, not ops (222222222222): run with the ops CI or operator role to check the assume path');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
