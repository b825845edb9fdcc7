import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import type { AlarmSettings } from '@estate/config';
import { metricAlarm, type AlarmBase } from './metric-alarm';

export interface ServiceAlarmsProps extends AlarmBase {
  /** Service name (names the alarms). */
  readonly name: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** `app/<name>/<id>` of the service's load balancer. */
  readonly loadBalancerArnSuffix: string;
  /** `targetgroup/<name>/<id>` of its target group. */
  readonly targetGroupArnSuffix: string;
  /** Thresholds of the tier (`settings.alarms`). */
  readonly thresholds: AlarmSettings;
}

/**
 * A service's alarms: 5xx rate at the load balancer (ELB and target 5xx over all requests,
 * metric math), unhealthy targets, fewer running tasks than desired (Container Insights),
 * and service CPU and memory.
 */
export class ServiceAlarms extends Construct {
  public readonly errorRate: CloudwatchMetricAlarm;
  public readonly unhealthyHosts: CloudwatchMetricAlarm;
  public readonly runningBelowDesired: CloudwatchMetricAlarm;
  public readonly cpu: CloudwatchMetricAlarm;
  public readonly memory: CloudwatchMetricAlarm;
  public readonly alarms: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    const problems = [
      { ok: t.alb5xxPercent > 0 && t.alb5xxPercent <= 100, message: `alb5xxPercent ${t.alb5xxPercent} must be in (0, 100]` },
      { ok: Number.isInteger(t.unhealthyHosts) && t.unhealthyHosts >= 1, message: `unhealthyHosts ${t.unhealthyHosts} must be a whole number >= 1` },
      { ok: t.serviceCpuPercent > 0 && t.serviceCpuPercent <= 100, message: `serviceCpuPercent ${t.serviceCpuPercent} must be in (0, 100]` },
      { ok: t.serviceMemoryPercent > 0 && t.serviceMemoryPercent <= 100, message: `serviceMemoryPercent ${t.serviceMemoryPercent} must be in (0, 100]` },
    ].filter((r) => !r.ok);
    if (problems.length > 0) throw new Error(`ServiceAlarms ${id} (${props.name}): ${problems.map((p) => p.message).join('; ')}`);

    const lb = { LoadBalancer: props.loadBalancerArnSuffix };
    const elbMetric = (id: string, metricName: string, dimensions: Record<string, string> = lb) => ({
      id,
      metric: { namespace: 'AWS/ApplicationELB', metricName, stat: 'Sum', period: 60, dimensions },
    });
    this.errorRate = metricAlarm(this, 'error-rate', props, {
      name: `${props.name}-5xx-rate`,
      description: `${props.name}: more than ${t.alb5xxPercent}% of requests answered 5xx (load balancer or targets) in 3 of 5 minutes`,
      comparison: 'GreaterThanThreshold',
      threshold: t.alb5xxPercent,
      datapointsToAlarm: 3,
      treatMissingData: 'notBreaching',
      queries: [
        elbMetric('requests', 'RequestCount'),
        elbMetric('elb5xx', 'HTTPCode_ELB_5XX_Count'),
        elbMetric('target5xx', 'HTTPCode_Target_5XX_Count'),
        {
          id: 'rate',
          label: '5xx percent of requests',
          expression: 'IF(requests > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
          returnData: true,
        },
      ],
    });
    this.unhealthyHosts = metricAlarm(this, 'unhealthy-hosts', props, {
      name: `${props.name}-unhealthy-hosts`,
      description: `${props.name}: ${t.unhealthyHosts} or more targets failing the load balancer health check`,
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: t.unhealthyHosts,
      evaluationPeriods: 3,
      metric: {
        namespace: 'AWS/ApplicationELB',
        metricName: 'UnHealthyHostCount',
        statistic: 'Maximum',
        dimensions: { ...lb, TargetGroup: props.targetGroupArnSuffix },
      },
    });
    const ecs = { ClusterName: props.clusterName, ServiceName: props.serviceName };
    this.runningBelowDesired = metricAlarm(this, 'running-below-desired', props, {
      name: `${props.name}-running-below-desired`,
      description: `${props.name}: fewer tasks running than desired for 5 minutes (crash loop, failed pulls or placement)`,
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      treatMissingData: 'breaching',
      queries: [
        { id: 'running', metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', stat: 'Average', period: 60, dimensions: ecs } },
        { id: 'desired', metric: { namespace: 'ECS/ContainerInsights', metricName: 'DesiredTaskCount', stat: 'Average', period: 60, dimensions: ecs } },
        { id: 'missing', label: 'Desired minus running tasks', expression: 'desired - running', returnData: true },
      ],
    });
    const usage = (key: 'cpu' | 'memory', metricName: string, threshold: number) =>
      metricAlarm(this, key, props, {
        name: `${props.name}-${key}`,
        description: `${props.name}: average ${key} above ${threshold}% for 5 minutes`,
        comparison: 'GreaterThanThreshold',
        threshold,
        metric: { namespace: 'AWS/ECS', metricName, statistic: 'Average', dimensions: ecs },
      });
    this.cpu = usage('cpu', 'CPUUtilization', t.serviceCpuPercent);
    this.memory = usage('memory', 'MemoryUtilization', t.serviceMemoryPercent);
    this.alarms = [this.errorRate, this.unhealthyHosts, this.runningBelowDesired, this.cpu, this.memory];
  }
}
