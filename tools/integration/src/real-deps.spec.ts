import { realDeps } from './verify';

const DEPLOY_ROLE = { accessKeyId: 'ASIADEPLOYROLE000001', secretAccessKey: 'deploy-secret', sessionToken: 'deploy-session', expiration: new Date('2030-01-01T00:00:00Z') };

describe('realDeps', () => {
  it('builds every environment-account client on the assumed deploy role credentials, in the region', async () => {
    const clients = realDeps('us-east-1', {}).clientsFor(DEPLOY_ROLE);
    expect(Object.keys(clients).sort()).toEqual(['ec2', 'ecs', 'elbv2', 'rds', 'tagging']);
    const seen = await Promise.all(
      Object.entries(clients).map(async ([name, client]) => ({ name, region: await client.config.region(), credentials: await client.config.credentials() })),
    );
    expect(seen).toEqual(
      Object.keys(clients).map((name) => ({
        name,
        region: 'us-east-1',
        credentials: expect.objectContaining({ accessKeyId: DEPLOY_ROLE.accessKeyId, secretAccessKey: DEPLOY_ROLE.secretAccessKey, sessionToken: DEPLOY_ROLE.sessionToken }),
      })),
    );
  });

  it('keeps STS on the caller (ops) credentials and profile', async () => {
    const { sts } = realDeps('us-east-1', { AWS_PROFILE: 'ops-operator' });
    expect(await sts.config.region()).toBe('us-east-1');
    expect((sts.config as { profile?: string }).profile).toBe('ops-operator');
  });
});
