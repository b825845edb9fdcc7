import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { metricAlarm, type AlarmBase } from './metric-alarm';

export interface ReplicationAlarmsProps extends AlarmBase {
  /** Logical database name (names the alarm). */
  readonly name: string;
  /** DMS replication instance identifier (the ReplicationInstanceIdentifier dimension). */
  readonly replicationInstanceId: string;
  /** ARN of the CDC task: its last part (the resource id) is the ReplicationTaskIdentifier dimension. */
  readonly replicationTaskArn: string;
  /** Alarm when changes reach the target later than this, seconds (`settings.alarms.dmsCdcLatencySeconds`). */
  readonly latencySeconds: number;
}

/**
 * DMS CDC latency at the target while the migration runs. A stopped task reports no
 * data, which is not an alarm (missing data is not breaching): the alarm matters only
 * between the start of CDC and the cutover.
 */
export class ReplicationAlarms extends Construct {
  public readonly targetLatency: CloudwatchMetricAlarm;
  public readonly alarms: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: ReplicationAlarmsProps) {
    super(scope, id);
    if (!(props.latencySeconds > 0)) throw new Error(`ReplicationAlarms ${id} (${props.name}): latencySeconds ${props.latencySeconds} must be > 0`);
    this.targetLatency = metricAlarm(this, 'cdc-latency', props, {
      name: `${props.name}-cdc-latency`,
      description: `${props.name}: DMS applies changes more than ${props.latencySeconds} s after the legacy database made them`,
      comparison: 'GreaterThanThreshold',
      threshold: props.latencySeconds,
      treatMissingData: 'notBreaching',
      metric: {
        namespace: 'AWS/DMS',
        metricName: 'CDCLatencyTarget',
        statistic: 'Maximum',
        dimensions: {
          ReplicationInstanceIdentifier: props.replicationInstanceId,
          ReplicationTaskIdentifier: taskResourceId(props.replicationTaskArn),
        },
      },
    });
    this.alarms = [this.targetLatency];
  }
}

/** `arn:aws:dms:<region>:<account>:task:<ID>` → `<ID>`. */
export function taskResourceId(taskArn: string): string {
  if (Token.isUnresolved(taskArn)) return Fn.element(Fn.split(':', taskArn), 6);
  const match = /^arn:aws[a-z-]*:dms:[a-z0-9-]+:\d{12}:task:([A-Za-z0-9-]+)$/.exec(taskArn);
  if (!match) throw new Error(`'${taskArn}' is not a DMS task ARN`);
  return match[1];
}
