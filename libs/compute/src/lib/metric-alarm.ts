import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { Construct } from 'constructs';
import type { Naming } from '@estate/config';

/** What every alarm of the estate shares: its name, topic, and how it treats missing data. */
export interface AlarmBase {
  readonly naming: Naming;
  /** SNS topic notified on ALARM and on OK. */
  readonly topicArn: string;
}

export interface MetricAlarmSpec {
  /** Name inside the environment (`api-5xx-rate`). */
  readonly name: string;
  readonly description: string;
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
  readonly threshold: number;
  /** @default 5 */
  readonly evaluationPeriods?: number;
  /** @default - evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** @default 'missing' */
  readonly treatMissingData?: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  /** A single metric... */
  readonly metric?: { readonly namespace: string; readonly metricName: string; readonly statistic: string; readonly dimensions: Record<string, string>; readonly period?: number };
  /** ...or metric math (exactly one query with returnData). */
  readonly queries?: CloudwatchMetricAlarmMetricQuery[];
}

/** A CloudWatch alarm named through naming that notifies the topic on ALARM and OK. */
export function metricAlarm(scope: Construct, id: string, base: AlarmBase, spec: MetricAlarmSpec): CloudwatchMetricAlarm {
  if ((spec.metric === undefined) === (spec.queries === undefined)) {
    throw new Error(`alarm ${spec.name}: give either metric or queries`);
  }
  if (!Number.isFinite(spec.threshold)) throw new Error(`alarm ${spec.name}: threshold ${spec.threshold} is not a number`);
  const alarmName = base.naming.resource('cloudwatch-alarm', spec.name);
  const periods = spec.evaluationPeriods ?? 5;
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName,
    alarmDescription: spec.description,
    comparisonOperator: spec.comparison,
    threshold: spec.threshold,
    evaluationPeriods: periods,
    datapointsToAlarm: spec.datapointsToAlarm ?? periods,
    treatMissingData: spec.treatMissingData ?? 'missing',
    namespace: spec.metric?.namespace,
    metricName: spec.metric?.metricName,
    statistic: spec.metric?.statistic,
    dimensions: spec.metric?.dimensions,
    period: spec.metric ? (spec.metric.period ?? 60) : undefined,
    metricQuery: spec.queries,
    alarmActions: [base.topicArn],
    okActions: [base.topicArn],
    tags: { Name: alarmName },
  });
}
