import type { Construct } from 'constructs';
import type { PeeringConfig } from '@estate/config';
import { BaseStack } from '@estate/platform';
import type { NetworkStack } from './network-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface PeeringStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
  /** The matrix entries this environment owns (see Organisation.peeringOwner). */
  readonly peerings: readonly PeeringConfig[];
}

/** The VPC peerings this environment owns, both sides of each. */
export class PeeringStack extends BaseStack {
  constructor(scope: Construct, unit: string, props: PeeringStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
  }
}
