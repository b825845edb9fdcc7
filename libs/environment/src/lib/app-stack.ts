import type { Construct } from 'constructs';
import { BaseStack } from '@estate/platform';
import type { NetworkStack } from './network-stack';
import type { DataStack } from './data-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface AppStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack; readonly data: DataStack;
}

/** The environment's the ECS cluster, services and load balancers. */
export class AppStack extends BaseStack {
  constructor(scope: Construct, unit: string, props: AppStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
  }
}
