import { DescribeServicesCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { ServiceOutputs } from '../outputs';
import { checkEcsService } from './ecs-service';

const ecs = mockClient(ECSClient);
const client = ecs as unknown as ECSClient;
const service: ServiceOutputs = { name: 'api', healthCheckPath: '/health', publicHost: 'api.dev.fintech.example.com', albDnsName: 'x', clusterName: 'dev-cluster', serviceName: 'dev-api' };
const recorded = (overrides: Partial<Service>): Service => ({
  serviceArn: 'arn:aws:ecs:us-east-1:333333333333:service/dev-cluster/dev-api',
  serviceName: 'dev-api',
  clusterArn: 'arn:aws:ecs:us-east-1:333333333333:cluster/dev-cluster',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  launchType: 'FARGATE',
  ...overrides,
});

beforeEach(() => ecs.reset());

describe('checkEcsService', () => {
  it('passes when running equals desired', async () => {
    ecs.on(DescribeServicesCommand, { cluster: 'dev-cluster', services: ['dev-api'] }).resolves({ services: [recorded({})], failures: [] });
    expect(await checkEcsService(service, client)).toEqual({ check: 'ecs-service', target: 'dev-api', status: 'pass', detail: 'running 2 of desired 2, pending 0' });
  });

  it('fails when fewer tasks run than desired', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [recorded({ runningCount: 1, pendingCount: 1 })] });
    expect(await checkEcsService(service, client)).toMatchObject({ status: 'fail', detail: 'running 1 of desired 2, pending 1: running must equal desired' });
  });

  it('fails when the service is scaled to zero', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [recorded({ desiredCount: 0, runningCount: 0 })] });
    expect(await checkEcsService(service, client)).toMatchObject({ status: 'fail', detail: expect.stringContaining('scaled to zero') });
  });

  it('fails when the service is draining', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [recorded({ status: 'DRAINING' })] });
    expect(await checkEcsService(service, client)).toMatchObject({ status: 'fail', detail: expect.stringContaining('status DRAINING, expected ACTIVE') });
  });

  it('fails with ECS\'s reason when the service is missing', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:333333333333:service/dev-cluster/dev-api', reason: 'MISSING' }] });
    expect(await checkEcsService(service, client)).toMatchObject({ status: 'fail', detail: 'not found in cluster dev-cluster: MISSING' });
  });

  it('fails when the cluster does not exist', async () => {
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
    expect(await checkEcsService(service, client)).toMatchObject({ status: 'fail', detail: 'DescribeServices failed: ClusterNotFoundException: Cluster not found.' });
  });
});
