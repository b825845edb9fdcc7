import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { ServiceOutputs } from '../outputs';
import { errorText, fail, pass, type CheckRow } from '../types';

/** The ECS service exists, is ACTIVE, wants at least one task, and runs as many as it wants. */
export async function checkEcsService(service: ServiceOutputs, ecs: ECSClient): Promise<CheckRow> {
  const target = service.serviceName ?? service.name;
  if (!service.clusterName || !service.serviceName) {
    return fail('ecs-service', target, 'no ECS cluster or service name in the outputs (see the outputs rows)');
  }
  try {
    const res = await ecs.send(new DescribeServicesCommand({ cluster: service.clusterName, services: [service.serviceName] }));
    const found = res.services?.find((s) => s.serviceName === service.serviceName || s.serviceArn?.endsWith(`/${service.serviceName}`));
    if (!found) {
      const reason = res.failures?.map((f) => `${f.reason}${f.detail ? ` (${f.detail})` : ''}`).join('; ') || 'not returned';
      return fail('ecs-service', target, `not found in cluster ${service.clusterName}: ${reason}`);
    }
    const running = found.runningCount ?? 0;
    const desired = found.desiredCount ?? 0;
    const counts = `running ${running} of desired ${desired}, pending ${found.pendingCount ?? 0}`;
    if (found.status !== 'ACTIVE') return fail('ecs-service', target, `status ${found.status}, expected ACTIVE (${counts})`);
    if (desired < 1) return fail('ecs-service', target, `${counts}: a service scaled to zero serves nothing`);
    if (running !== desired) return fail('ecs-service', target, `${counts}: running must equal desired`);
    return pass('ecs-service', target, counts);
  } catch (error) {
    return fail('ecs-service', target, `DescribeServices failed: ${errorText(error)}`);
  }
}
