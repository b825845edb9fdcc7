import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import type { Naming } from '@estate/config';

export interface OperationsDashboardProps {
  readonly naming: Naming;
  readonly region: string;
  /** Name inside the environment. @default 'operations' */
  readonly name?: string;
}

/** A row of the dashboard: a heading and the alarms graphed under it. */
export interface DashboardSection {
  readonly title: string;
  readonly alarms: readonly CloudwatchMetricAlarm[];
}

const WIDTH = 24;
const GRAPH = { width: 8, height: 6 };

/**
 * One CloudWatch dashboard per environment: a text heading per section (a service, a
 * database, a replication) and one graph per alarm, with the alarm's threshold drawn on it.
 */
export class OperationsDashboard extends Construct {
  public readonly dashboard: CloudwatchDashboard;
  private readonly sections: DashboardSection[] = [];

  constructor(scope: Construct, id: string, private readonly props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: props.naming.resource('cloudwatch-dashboard', props.name ?? 'operations'),
      dashboardBody: Lazy.stringValue({ produce: () => JSON.stringify(this.body()) }),
    });
  }

  addSection(section: DashboardSection): this {
    if (section.alarms.length === 0) throw new Error(`OperationsDashboard ${this.node.id}: section '${section.title}' has no alarms`);
    this.sections.push(section);
    return this;
  }

  /** The dashboard body (widgets laid out row by row). */
  body(): { widgets: unknown[] } {
    const widgets: unknown[] = [];
    let y = 0;
    for (const section of this.sections) {
      widgets.push({ type: 'text', x: 0, y, width: WIDTH, height: 1, properties: { markdown: `## ${section.title}` } });
      y += 1;
      section.alarms.forEach((alarm, i) => {
        widgets.push({
          type: 'metric',
          x: (i * GRAPH.width) % WIDTH,
          y: y + Math.floor((i * GRAPH.width) / WIDTH) * GRAPH.height,
          width: GRAPH.width,
          height: GRAPH.height,
          properties: { title: alarm.alarmName, region: this.props.region, annotations: { alarms: [alarm.arn] }, view: 'timeSeries', stacked: false },
        });
      });
      y += Math.ceil((section.alarms.length * GRAPH.width) / WIDTH) * GRAPH.height;
    }
    return { widgets };
  }
}
