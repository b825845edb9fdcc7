import type { Construct } from 'constructs';
import { BaseStack } from '@estate/platform';
import type { AppStack } from './app-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface CutoverStackProps extends EnvironmentStackProps {
  readonly app: AppStack;
}

/** The environment's Route 53 weighted records that move traffic from legacy to the new load balancers. */
export class CutoverStack extends BaseStack {
  constructor(scope: Construct, unit: string, props: CutoverStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
  }
}
