import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { Naming, isEnvironmentName, type PeerName, type PeeringConfig } from '@estate/config';
import { LegacyLookups, VpcLookup, VpcPeering, type PeeringSide } from '@estate/network';
import { BaseStack } from '@estate/platform';
import type { NetworkStack } from './network-stack';
import type { EnvironmentStackProps } from './stack-props';

export interface PeeringStackProps extends EnvironmentStackProps {
  readonly network: NetworkStack;
  /** The matrix entries this environment owns (see Organisation.peeringOwner). */
  readonly peerings: readonly PeeringConfig[];
}

/**
 * The VPC peerings this environment owns, both sides of each. This environment requests;
 * the peer accepts through its own provider: another environment (deployed earlier, found by
 * the tags its VpcNetwork carries) or the legacy account (through the legacy migration role,
 * with the legacy databases' security groups admitting this VPC on their ports).
 * Pairs not in the matrix get nothing.
 */
export class PeeringStack extends BaseStack {
  /** One per owned matrix entry, keyed by the peer's name. */
  public readonly peerings: ReadonlyMap<PeerName, VpcPeering>;
  private legacyLookupsCache?: LegacyLookups;

  constructor(scope: Construct, unit: string, props: PeeringStackProps) {
    super(scope, unit, { target: props.environment, organisation: props.organisation, tier: props.environment.tier });
    const { environment, organisation } = props;
    const network = props.network.network;
    if (environment.isPreview) {
      throw new Error(`${this.node.id}: preview copies reuse ${environment.name}'s CIDR and cannot peer; build no PeeringStack for them`);
    }

    const peerings = new Map<PeerName, VpcPeering>();
    for (const entry of props.peerings) {
      const label = `peering ${entry.between.join(' <-> ')}`;
      const unknown = entry.between.filter((peer) => peer !== 'legacy' && !isEnvironmentName(peer));
      if (unknown.length > 0) {
        throw new Error(`${this.node.id}: ${label}: '${unknown.join("', '")}' is not a known peer; expected an environment name or 'legacy'`);
      }
      if (!entry.between.includes(environment.name)) {
        throw new Error(`${this.node.id}: ${label} does not involve ${environment.name}; it belongs to another environment's peering stack`);
      }
      const owner = organisation.peeringOwner(entry);
      if (owner !== environment.name) {
        throw new Error(`${this.node.id}: ${label} is owned by ${owner} (the side deployed later), not ${environment.name}`);
      }
      const other = (entry.between[0] === environment.name ? entry.between[1] : entry.between[0]) as PeerName;
      if (peerings.has(other)) throw new Error(`${this.node.id}: ${label} is listed twice`);

      const requester: PeeringSide = {
        name: environment.name,
        provider: this.provider,
        accountId: environment.accountId,
        region: environment.region,
        vpcId: network.vpcId,
        cidr: network.cidr,
        routeTableIds: network.peeringRouteTableIds,
      };
      const accepter = other === 'legacy' ? this.legacySide(entry, label) : this.environmentSide(other);
      peerings.set(other, new VpcPeering(this, `peering-${other}`, { naming: environment.naming, requester, accepter, ports: entry.ports, reason: entry.reason }));
    }
    this.peerings = peerings;

    for (const [other, peering] of peerings) {
      new TerraformOutput(this, `${other}_peering_connection_id`, {
        value: peering.connectionId,
        description: `VPC peering connection between ${environment.name} and ${other}`,
      });
      if (peering.requesterAccessGroupId) {
        new TerraformOutput(this, `${other}_peer_access_security_group_id`, {
          value: peering.requesterAccessGroupId,
          description: `Attach to ${environment.name} workloads that talk to ${other} over the peering`,
        });
      }
    }
  }

  /** Legacy lookups on the legacy provider (one set per stack). */
  get legacyLookups(): LegacyLookups {
    this.legacyLookupsCache ??= new LegacyLookups(this, 'legacy', { provider: this.legacyProvider, legacy: this.organisation.legacy });
    return this.legacyLookupsCache;
  }

  /** Another environment's VPC, read through its deploy role by the tags its VpcNetwork sets. */
  private environmentSide(peer: Exclude<PeerName, 'legacy'>): PeeringSide {
    const provider = this.providerFor(peer);
    const lookup = new VpcLookup(this, `${peer}-vpc`, {
      provider,
      vpcName: new Naming(peer).resource('vpc-resource', 'vpc'),
      cidr: this.organisation.vpcCidrOf(peer),
    });
    return {
      name: peer,
      provider,
      accountId: this.organisation.accountId(peer),
      region: this.target.region,
      vpcId: lookup.vpcId,
      cidr: lookup.cidr,
      routeTableIds: lookup.routeTableIds,
    };
  }

  /**
   * The legacy VPC: every route table routes this environment's CIDR; the legacy migration
   * role cannot create security groups, so each legacy database whose port the matrix allows
   * admits this VPC on its own groups.
   */
  private legacySide(entry: PeeringConfig, label: string): PeeringSide {
    const legacy = this.legacyLookups;
    const admitted = legacy.databases.filter((db) => entry.ports.includes(db.port));
    if (admitted.length === 0) {
      throw new Error(
        `${this.node.id}: ${label} allows port(s) ${entry.ports.join(', ')}, but no legacy database listens on them ` +
          `(${legacy.databases.map((db) => `${db.name}:${db.port}`).join(', ') || 'legacy.databases is empty'}); the legacy side can only admit on the legacy databases' security groups`,
      );
    }
    return {
      name: 'legacy',
      provider: this.legacyProvider,
      accountId: this.organisation.accountId('legacy'),
      region: this.target.region,
      vpcId: legacy.vpcId,
      cidr: legacy.vpcCidr,
      routeTableIds: legacy.routeTableIds,
      accessGroup: false,
      admissions: admitted.map((db) => ({
        label: `legacy database ${db.name}`,
        securityGroupIds: legacy.databaseSecurityGroupIds(db.name),
        ports: [db.port],
      })),
    };
  }
}
