import type { Construct } from 'constructs';
import { BaseStack } from '@estate/platform';
import type { DataStack } from './data-stack';
import type { AppStack } from './app-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface ObservabilityStackProps extends EnvironmentStackProps {
  readonly app: AppStack; readonly data: DataStack;
}

/** The environment's alarms, the SNS topic and the dashboard. */
export class ObservabilityStack extends BaseStack {
  constructor(scope: Construct, unit: string, props: ObservabilityStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
  }
}
