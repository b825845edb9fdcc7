import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import type { AlarmSettings } from '@estate/config';
import { metricAlarm, type AlarmBase } from './metric-alarm';

export interface DatabaseAlarmsProps extends AlarmBase {
  /** Logical database name (names the alarms). */
  readonly name: string;
  /** RDS instance identifier (the DBInstanceIdentifier dimension). */
  readonly instanceIdentifier: string;
  readonly thresholds: AlarmSettings;
}

const GIB = 1024 ** 3;

/** A database's alarms: CPU, free storage and connections, against the tier's thresholds. */
export class DatabaseAlarms extends Construct {
  public readonly cpu: CloudwatchMetricAlarm;
  public readonly freeStorage: CloudwatchMetricAlarm;
  public readonly connections: CloudwatchMetricAlarm;
  public readonly alarms: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: DatabaseAlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    const problems = [
      { ok: t.databaseCpuPercent > 0 && t.databaseCpuPercent <= 100, message: `databaseCpuPercent ${t.databaseCpuPercent} must be in (0, 100]` },
      { ok: t.databaseFreeStorageGb > 0, message: `databaseFreeStorageGb ${t.databaseFreeStorageGb} must be > 0` },
      { ok: Number.isInteger(t.databaseConnections) && t.databaseConnections >= 1, message: `databaseConnections ${t.databaseConnections} must be a whole number >= 1` },
    ].filter((r) => !r.ok);
    if (problems.length > 0) throw new Error(`DatabaseAlarms ${id} (${props.name}): ${problems.map((p) => p.message).join('; ')}`);
    const dimensions = { DBInstanceIdentifier: props.instanceIdentifier };
    const rds = (metricName: string, statistic: string) => ({ namespace: 'AWS/RDS', metricName, statistic, dimensions });
    this.cpu = metricAlarm(this, 'cpu', props, {
      name: `${props.name}-db-cpu`,
      description: `${props.name}: database CPU above ${t.databaseCpuPercent}% for 5 minutes`,
      comparison: 'GreaterThanThreshold',
      threshold: t.databaseCpuPercent,
      metric: rds('CPUUtilization', 'Average'),
    });
    this.freeStorage = metricAlarm(this, 'free-storage', props, {
      name: `${props.name}-db-free-storage`,
      description: `${props.name}: less than ${t.databaseFreeStorageGb} GiB of database storage free`,
      comparison: 'LessThanThreshold',
      threshold: t.databaseFreeStorageGb * GIB,
      evaluationPeriods: 3,
      metric: rds('FreeStorageSpace', 'Minimum'),
    });
    this.connections = metricAlarm(this, 'connections', props, {
      name: `${props.name}-db-connections`,
      description: `${props.name}: more than ${t.databaseConnections} database connections for 5 minutes`,
      comparison: 'GreaterThanThreshold',
      threshold: t.databaseConnections,
      metric: rds('DatabaseConnections', 'Maximum'),
    });
    this.alarms = [this.cpu, this.freeStorage, this.connections];
  }
}
