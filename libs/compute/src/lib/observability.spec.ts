import { all, environment, only, testStack } from '../testing/fixtures';
import { AlarmTopic } from './alarm-topic';
import { DatabaseAlarms } from './database-alarms';
import { OperationsDashboard } from './operations-dashboard';
import { ReplicationAlarms, taskResourceId } from './replication-alarms';
import { ServiceAlarms } from './service-alarms';

function build(name: 'dev' | 'prod') {
  const env = environment(name);
  const { stack, synth } = testStack();
  const topic = new AlarmTopic(stack, 'topic', { naming: env.naming });
  const base = { naming: env.naming, topicArn: topic.topicArn, thresholds: env.settings.alarms };
  const service = new ServiceAlarms(stack, 'api', {
    ...base,
    name: 'api',
    clusterName: `${name}-cluster`,
    serviceName: `${name}-api`,
    loadBalancerArnSuffix: 'app/x/1',
    targetGroupArnSuffix: 'targetgroup/x/2',
  });
  const database = new DatabaseAlarms(stack, 'ledger', { ...base, name: 'ledger', instanceIdentifier: `${name}-ledger` });
  const replication = new ReplicationAlarms(stack, 'ledger-cdc', {
    ...base,
    name: 'ledger',
    replicationInstanceId: `${name}-ledger-cdc`,
    replicationTaskArn: 'arn:aws:dms:us-east-1:333333333333:task:ABCDEFGHIJKLMNOP',
    latencySeconds: env.settings.alarms.dmsCdcLatencySeconds,
  });
  new OperationsDashboard(stack, 'dashboard', { naming: env.naming, region: env.region })
    .addSection({ title: 'api', alarms: service.alarms })
    .addSection({ title: 'ledger', alarms: [...database.alarms, ...replication.alarms] });
  return synth();
}

const alarm = (json: any, alarmName: string) => {
  const found = all(json, 'aws_cloudwatch_metric_alarm').find((a) => a.alarm_name === alarmName);
  if (!found) throw new Error(`no alarm ${alarmName}`);
  return found;
};

describe('alarms', () => {
  const dev = build('dev');
  const prod = build('prod');

  it('alarms on the 5xx rate with the tier threshold, as metric math over all requests', () => {
    expect(alarm(dev, 'dev-api-5xx-rate').threshold).toBe(5);
    const rate = alarm(prod, 'prod-api-5xx-rate');
    expect(rate.threshold).toBe(1);
    const expression = rate.metric_query.find((q: any) => q.return_data);
    expect(expression.expression).toBe('IF(requests > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)');
    expect(rate.metric_query.filter((q: any) => q.metric).map((q: any) => q.metric.metric_name)).toEqual([
      'RequestCount',
      'HTTPCode_ELB_5XX_Count',
      'HTTPCode_Target_5XX_Count',
    ]);
  });

  it('alarms on unhealthy hosts, running below desired, service CPU and memory for the service', () => {
    expect(alarm(dev, 'dev-api-unhealthy-hosts')).toMatchObject({ threshold: 1, metric_name: 'UnHealthyHostCount', dimensions: { LoadBalancer: 'app/x/1', TargetGroup: 'targetgroup/x/2' } });
    const running = alarm(dev, 'dev-api-running-below-desired');
    expect(running.metric_query.map((q: any) => q.metric?.metric_name ?? q.expression)).toEqual(['RunningTaskCount', 'DesiredTaskCount', 'desired - running']);
    expect(running.metric_query[0].metric.namespace).toBe('ECS/ContainerInsights');
    expect(alarm(dev, 'dev-api-cpu')).toMatchObject({ threshold: 85, namespace: 'AWS/ECS', dimensions: { ClusterName: 'dev-cluster', ServiceName: 'dev-api' } });
    expect(alarm(dev, 'dev-api-memory').threshold).toBe(85);
  });

  it('alarms on database CPU, free storage (GiB to bytes) and connections with the tier thresholds', () => {
    expect(alarm(dev, 'dev-ledger-db-cpu').threshold).toBe(80);
    expect(alarm(dev, 'dev-ledger-db-free-storage')).toMatchObject({ comparison_operator: 'LessThanThreshold', threshold: 10 * 1024 ** 3 });
    expect(alarm(dev, 'dev-ledger-db-connections').threshold).toBe(200);
    expect(alarm(prod, 'prod-ledger-db-connections').threshold).toBe(800);
  });

  it('alarms on DMS CDC latency at the target, quiet while the task is stopped', () => {
    expect(alarm(dev, 'dev-ledger-cdc-latency')).toMatchObject({
      metric_name: 'CDCLatencyTarget',
      threshold: 300,
      treat_missing_data: 'notBreaching',
      dimensions: { ReplicationInstanceIdentifier: 'dev-ledger-cdc', ReplicationTaskIdentifier: 'ABCDEFGHIJKLMNOP' },
    });
    expect(() => taskResourceId('arn:aws:dms:us-east-1:1:endpoint:X')).toThrow(/is not a DMS task ARN/);
  });

  it('notifies an encrypted topic on ALARM and OK from every alarm', () => {
    const alarms = all(dev, 'aws_cloudwatch_metric_alarm');
    expect(alarms).toHaveLength(9);
    for (const a of alarms) {
      expect(a.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.topic_[A-F0-9]+\.arn/)]);
      expect(a.ok_actions).toEqual(a.alarm_actions);
    }
    expect(only(dev, 'aws_sns_topic')).toMatchObject({ name: 'dev-alarms', kms_master_key_id: expect.stringMatching(/aws_kms_key/) });
    const key = JSON.parse(only(dev, 'aws_kms_key').policy);
    expect(key.Statement.find((s: any) => s.Sid === 'CloudWatchAlarmsPublish').Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
  });

  it('draws every alarm on the dashboard, under a heading per section', () => {
    const body = JSON.parse(only(dev, 'aws_cloudwatch_dashboard').dashboard_body);
    expect(body.widgets.filter((w: any) => w.type === 'text').map((w: any) => w.properties.markdown)).toEqual(['## api', '## ledger']);
    expect(body.widgets.filter((w: any) => w.type === 'metric')).toHaveLength(9);
  });

  it('rejects thresholds outside their range', () => {
    const env = environment('dev');
    const { stack } = testStack();
    expect(
      () =>
        new DatabaseAlarms(stack, 'db', { naming: env.naming, topicArn: 'arn', name: 'db', instanceIdentifier: 'x', thresholds: { ...env.settings.alarms, databaseCpuPercent: 150 } }),
    ).toThrow(/databaseCpuPercent 150 must be in \(0, 100\]/);
  });
});
