import { EcsCluster as EcsClusterResource } from '@cdktf/provider-aws/lib/ecs-cluster';
import { Construct } from 'constructs';
import type { Naming } from '@estate/config';

export interface EcsClusterProps {
  readonly naming: Naming;
  /** Name inside the environment (prefixed through naming). @default 'cluster' */
  readonly name?: string;
  /** Container Insights level: `enhanced` adds per-task and per-container metrics. @default 'enabled' */
  readonly containerInsights?: 'enabled' | 'enhanced';
}

/**
 * The environment's ECS cluster, Fargate only, with Container Insights on: the
 * `ECS/ContainerInsights` metrics (RunningTaskCount, DesiredTaskCount...) feed the
 * "running < desired" alarm.
 */
export class EcsCluster extends Construct {
  public readonly cluster: EcsClusterResource;
  /** The cluster's name (known at synth time). */
  public readonly clusterName: string;
  public readonly clusterArn: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const name = props.naming.resource('ecs-cluster', props.name ?? 'cluster');
    this.cluster = new EcsClusterResource(this, 'cluster', {
      name,
      setting: [{ name: 'containerInsights', value: props.containerInsights ?? 'enabled' }],
      tags: { Name: name },
    });
    this.clusterName = name;
    this.clusterArn = this.cluster.arn;
  }
}
