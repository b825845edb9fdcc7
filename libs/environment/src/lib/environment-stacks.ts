import type { Construct } from 'constructs';
import type { EnvironmentContext, Organisation } from '@estate/config';
import { NetworkStack } from './network-stack';

export interface EnvironmentStacksProps {
  readonly environment: EnvironmentContext;
  readonly organisation: Organisation;
}

/**
 * The stacks every environment account gets, split the way they deploy:
 * network first, then what builds on it. Dependencies between them come from
 * cross-stack references and are recorded in cdktf's manifest, which the deploy
 * driver orders by.
 */
export class EnvironmentStacks {
  public readonly network: NetworkStack;

  constructor(scope: Construct, props: EnvironmentStacksProps) {
    const common = { environment: props.environment, organisation: props.organisation };
    this.network = new NetworkStack(scope, 'network', common);
  }
}
