import type { Construct } from 'constructs';
import { AppStack } from './app-stack';
import { CutoverStack } from './cutover-stack';
import { DataStack } from './data-stack';
import { NetworkStack } from './network-stack';
import { ObservabilityStack } from './observability-stack';
import { PeeringStack } from './peering-stack';
import type { EnvironmentStackProps } from './stack-props';

/**
 * The stacks every environment account gets, split the way they deploy:
 *
 *   network ─┬─ peering            (owned peerings, both sides)
 *            └─ data ── app ─┬─ observability
 *                            └─ cutover
 *
 * Dependencies come from cross-stack references and are recorded in cdktf's
 * manifest, which the deploy driver orders by.
 */
export class EnvironmentStacks {
  public readonly network: NetworkStack;
  public readonly peering?: PeeringStack;
  public readonly data: DataStack;
  public readonly app: AppStack;
  public readonly observability: ObservabilityStack;
  public readonly cutover: CutoverStack;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    const { environment, organisation } = props;
    this.network = new NetworkStack(scope, 'network', props);
    // A preview copy reuses its environment's CIDR, so it cannot peer next to it: previews are isolated.
    const owned = environment.isPreview
      ? []
      : organisation.input.peering.filter((entry) => organisation.peeringOwner(entry) === environment.name);
    if (owned.length > 0) {
      this.peering = new PeeringStack(scope, 'peering', { ...props, network: this.network, peerings: owned });
    }
    this.data = new DataStack(scope, 'data', { ...props, network: this.network });
    this.app = new AppStack(scope, 'app', { ...props, network: this.network, data: this.data });
    this.observability = new ObservabilityStack(scope, 'observability', { ...props, app: this.app, data: this.data });
    this.cutover = new CutoverStack(scope, 'cutover', { ...props, app: this.app });

    // The deploy order, declared even where no cross-stack reference implies it yet.
    this.peering?.addDependency(this.network);
    this.data.addDependency(this.network);
    this.app.addDependency(this.data);
    this.observability.addDependency(this.app);
    this.cutover.addDependency(this.app);
  }
}
