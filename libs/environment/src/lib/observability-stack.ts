import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { AlarmTopic, DatabaseAlarms, OperationsDashboard, ReplicationAlarms, ServiceAlarms } from '@estate/compute';
import { BaseStack } from '@estate/platform';
import type { AppStack } from './app-stack';
import type { DataStack } from './data-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface ObservabilityStackProps extends EnvironmentStackProps {
  readonly app: AppStack;
  readonly data: DataStack;
}

/**
 * The environment's alarms, their SNS topic and one dashboard: per service the 5xx rate,
 * unhealthy targets, running < desired, CPU and memory; per database CPU, free storage and
 * connections; per CDC replication (while the migration runs) the latency at the target.
 * Thresholds come from `settings.alarms` of the environment's tier.
 */
export class ObservabilityStack extends BaseStack {
  public readonly topic: AlarmTopic;
  public readonly dashboard: OperationsDashboard;
  public readonly serviceAlarms: ReadonlyMap<string, ServiceAlarms>;
  public readonly databaseAlarms: ReadonlyMap<string, DatabaseAlarms>;
  public readonly replicationAlarms: ReadonlyMap<string, ReplicationAlarms>;

  constructor(scope: Construct, unit: string, props: ObservabilityStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
    const { environment, app, data } = props;
    const { naming } = environment;
    const thresholds = environment.settings.alarms;

    this.topic = new AlarmTopic(this, 'topic', { naming, keyDeletionWindowDays: environment.isPreview ? 7 : 30 });
    const base = { naming, topicArn: this.topic.topicArn };
    this.dashboard = new OperationsDashboard(this, 'dashboard', { naming, region: environment.region });

    const serviceAlarms = new Map<string, ServiceAlarms>();
    for (const [name, { service, loadBalancer, publicName }] of app.services) {
      const alarms = new ServiceAlarms(this, `${name}-alarms`, {
        ...base,
        name,
        thresholds,
        clusterName: app.cluster.clusterName,
        serviceName: service.serviceName,
        loadBalancerArnSuffix: loadBalancer.arnSuffix,
        targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix,
      });
      serviceAlarms.set(name, alarms);
      this.dashboard.addSection({ title: `Service ${name} (${publicName})`, alarms: alarms.alarms });
    }

    const databaseAlarms = new Map<string, DatabaseAlarms>();
    const replicationAlarms = new Map<string, ReplicationAlarms>();
    for (const [name, { database, replication }] of data.databases) {
      const db = new DatabaseAlarms(this, `${name}-db-alarms`, { ...base, name, thresholds, instanceIdentifier: database.instanceIdentifier });
      databaseAlarms.set(name, db);
      const sectionAlarms = [...db.alarms];
      if (replication) {
        const cdc = new ReplicationAlarms(this, `${name}-cdc-alarms`, {
          ...base,
          name,
          replicationInstanceId: replication.instance.replicationInstanceId,
          replicationTaskArn: replication.replicationTaskArn,
          latencySeconds: thresholds.dmsCdcLatencySeconds,
        });
        replicationAlarms.set(name, cdc);
        sectionAlarms.push(...cdc.alarms);
      }
      this.dashboard.addSection({ title: `Database ${name}${replication ? ' and its CDC replication' : ''}`, alarms: sectionAlarms });
    }
    this.serviceAlarms = serviceAlarms;
    this.databaseAlarms = databaseAlarms;
    this.replicationAlarms = replicationAlarms;

    new TerraformOutput(this, 'alarm_topic_arn', { value: this.topic.topicArn, description: 'SNS topic every alarm notifies (subscribe on-call here)' });
    new TerraformOutput(this, 'dashboard_name', { value: this.dashboard.dashboard.dashboardName, description: 'CloudWatch dashboard of the environment' });
  }
}
