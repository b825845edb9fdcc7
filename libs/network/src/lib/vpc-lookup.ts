import { DataAwsRouteTables } from '@cdktf/provider-aws/lib/data-aws-route-tables';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { parseCidr, SUBNET_TIERS, type SubnetTier } from '@estate/config';
import { TIER_TAG } from './vpc-network';

export interface VpcLookupProps {
  /** Provider into the account that owns the VPC. */
  readonly provider: AwsProvider;
  /** The VPC's `Name` tag, as {@link VpcNetwork} sets it (`<env>-vpc`). */
  readonly vpcName: string;
  /** The CIDR the organisation model gives it: the lookup matches on it too, so a model that drifted from reality fails the plan. */
  readonly cidr: string;
  /** Tiers whose route tables to read (by the `Tier` tag). @default ['private', 'data'] */
  readonly tiers?: readonly SubnetTier[];
}

/**
 * Another environment's {@link VpcNetwork}, read through that account's provider by the tags
 * VpcNetwork puts on it (`Name`, `Tier`). Used for the accepter side of a peering: the peer
 * is deployed earlier, its state lives in its own account, and tags are the contract
 * between the two — no remote state, no ids copied into config.
 */
export class VpcLookup extends Construct {
  public readonly vpc: DataAwsVpc;
  public readonly vpcId: string;
  public readonly cidr: string;
  public readonly routeTables: DataAwsRouteTables;
  /** Route tables of the requested tiers (a list token: iterate with for_each). */
  public readonly routeTableIds: string[];

  constructor(scope: Construct, id: string, props: VpcLookupProps) {
    super(scope, id);
    const cidr = parseCidr(props.cidr);
    if (typeof cidr === 'string') throw new Error(`VpcLookup ${id}: cidr ${cidr}`);
    const tiers = props.tiers ?? ['private', 'data'];
    const unknown = tiers.filter((t) => !SUBNET_TIERS.includes(t));
    if (tiers.length === 0 || unknown.length > 0) {
      throw new Error(`VpcLookup ${id}: tiers [${tiers.join(', ')}] must be a non-empty list of ${SUBNET_TIERS.join(', ')}`);
    }
    this.cidr = props.cidr;
    this.vpc = new DataAwsVpc(this, 'vpc', {
      provider: props.provider,
      cidrBlock: props.cidr,
      filter: [{ name: 'tag:Name', values: [props.vpcName] }],
    });
    this.vpcId = this.vpc.id;
    this.routeTables = new DataAwsRouteTables(this, 'route-tables', {
      provider: props.provider,
      vpcId: this.vpc.id,
      filter: [{ name: `tag:${TIER_TAG}`, values: [...tiers] }],
    });
    this.routeTableIds = this.routeTables.ids;
  }
}
