import type { Construct } from 'constructs';
import { BaseStack } from '@estate/platform';
import type { NetworkStack } from './network-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface DataStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
}

/** The environment's the databases, their migration from legacy and the assets bucket. */
export class DataStack extends BaseStack {
  constructor(scope: Construct, unit: string, props: DataStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
  }
}
