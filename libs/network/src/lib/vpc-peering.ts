import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route } from '@cdktf/provider-aws/lib/route';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcPeeringConnection } from '@cdktf/provider-aws/lib/vpc-peering-connection';
import { VpcPeeringConnectionAccepterA } from '@cdktf/provider-aws/lib/vpc-peering-connection-accepter';
import { VpcPeeringConnectionOptions } from '@cdktf/provider-aws/lib/vpc-peering-connection-options';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { overlaps, parseCidr, type Cidr, type Naming } from '@estate/config';

/** Existing security groups on one side that admit the peer on some of the peering's ports. */
export interface PeeringAdmission {
  /** What the groups protect, for rule descriptions (`legacy database ledger`). */
  readonly label: string;
  /** Group ids: literal ids, or a list token from a data source (then one rule per group via for_each). */
  readonly securityGroupIds: readonly string[];
  /** Ports these groups admit; each must be one of the peering's ports. */
  readonly ports: readonly number[];
}

/** One end of a peering. */
export interface PeeringSide {
  /** The peer's name in the organisation model (`staging`, `dev`, `legacy`): descriptions and names. */
  readonly name: string;
  /** Provider into this side's account. */
  readonly provider: AwsProvider;
  /** 12-digit account id of this side. */
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  /** This side's VPC CIDR, literal (overlap is checked at synth). */
  readonly cidr: string;
  /**
   * Route tables that get a route to the other side's CIDR (private and data tiers; never a
   * default route). Literal ids, or a list token from a data source (routed with for_each).
   */
  readonly routeTableIds: readonly string[];
  /**
   * Create a security group in this VPC that admits the other side on the peering's ports
   * and lets members send to it on those ports; workloads that should talk across the
   * peering attach it. Needs ec2:CreateSecurityGroup on this side.
   * @default true
   */
  readonly accessGroup?: boolean;
  /** Existing groups that admit the other side (e.g. the legacy databases' groups). @default - none */
  readonly admissions?: readonly PeeringAdmission[];
}

export interface VpcPeeringProps {
  /** The owning environment's naming: every name and `Name` tag, on both sides. */
  readonly naming: Naming;
  /** The side that requests (the owner: the environment deployed later). */
  readonly requester: PeeringSide;
  /** The side that accepts, through its own account's provider. */
  readonly accepter: PeeringSide;
  /** TCP ports allowed across the peering, both directions (from the peering matrix). */
  readonly ports: readonly number[];
  /** Why these two may talk (from the peering matrix); tagged on the connection. */
  readonly reason: string;
}

type Role = 'requester' | 'accepter';

/**
 * A cross-account VPC peering, both halves:
 *
 *   requester account                         accepter account
 *   aws_vpc_peering_connection  ─────────►    aws_vpc_peering_connection_accepter (auto_accept)
 *   options: DNS resolution of the peer        options: DNS resolution of the peer
 *   routes: peer CIDR → pcx on each table      routes: peer CIDR → pcx on each table
 *   access group: peer CIDR, declared ports    access group and/or admissions on existing groups
 *
 * Only the peer's CIDR is routed through the connection (never 0.0.0.0/0), and every rule
 * names the peer CIDR and one declared TCP port. Overlapping CIDRs are rejected here, before
 * anything is synthesized: AWS cannot route between them.
 */
export class VpcPeering extends Construct {
  public readonly connection: VpcPeeringConnection;
  public readonly accepterConnection: VpcPeeringConnectionAccepterA;
  /** The peering connection id (`pcx-...`), resolved once the accepter has accepted. */
  public readonly connectionId: string;
  /** Security group on the requester side that members use to talk to the accepter, if created. */
  public readonly requesterAccessGroupId?: string;
  /** Security group on the accepter side that members use to talk to the requester, if created. */
  public readonly accepterAccessGroupId?: string;

  constructor(scope: Construct, id: string, props: VpcPeeringProps) {
    super(scope, id);
    validate(id, props);
    const { requester, accepter, naming } = props;
    const pair = `${requester.name}-${accepter.name}`;
    const connectionName = naming.resource('vpc-resource', `peering-${pair}`);

    this.connection = new VpcPeeringConnection(this, 'connection', {
      provider: requester.provider,
      vpcId: requester.vpcId,
      peerVpcId: accepter.vpcId,
      peerOwnerId: accepter.accountId,
      peerRegion: accepter.region,
      // Cross-account: only the accepter's account can accept.
      autoAccept: false,
      tags: { Name: connectionName, Side: 'requester', Reason: tagValue(props.reason) },
    });
    this.accepterConnection = new VpcPeeringConnectionAccepterA(this, 'accepter', {
      provider: accepter.provider,
      vpcPeeringConnectionId: this.connection.id,
      autoAccept: true,
      tags: { Name: connectionName, Side: 'accepter', Reason: tagValue(props.reason) },
    });
    // The accepter's id is the connection id, available once accepted: everything below waits for it.
    this.connectionId = this.accepterConnection.id;

    // DNS: each account sets its own half (cross-account options need the side's own provider).
    new VpcPeeringConnectionOptions(this, 'requester-options', {
      provider: requester.provider,
      vpcPeeringConnectionId: this.connectionId,
      requester: { allowRemoteVpcDnsResolution: true },
    });
    new VpcPeeringConnectionOptions(this, 'accepter-options', {
      provider: accepter.provider,
      vpcPeeringConnectionId: this.connectionId,
      accepter: { allowRemoteVpcDnsResolution: true },
    });

    this.routes('requester', requester, accepter);
    this.routes('accepter', accepter, requester);
    this.requesterAccessGroupId = this.access('requester', requester, accepter, props);
    this.accepterAccessGroupId = this.access('accepter', accepter, requester, props);
  }

  /** Routes `peer.cidr` through the connection on each of `side`'s route tables. */
  private routes(role: Role, side: PeeringSide, peer: PeeringSide): void {
    const route = (id: string, routeTableId: string, forEach?: TerraformIterator) =>
      new Route(this, id, {
        provider: side.provider,
        routeTableId,
        destinationCidrBlock: peer.cidr,
        vpcPeeringConnectionId: this.connectionId,
        forEach,
      });
    if (isListToken(side.routeTableIds)) {
      const tables = TerraformIterator.fromList(side.routeTableIds as string[]);
      route(`${role}-routes`, Token.asString(tables.value), tables);
    } else {
      side.routeTableIds.forEach((tableId, i) => route(`${role}-route-${i}`, tableId));
    }
  }

  /** The access group and admissions of `side`; returns the access group id. */
  private access(role: Role, side: PeeringSide, peer: PeeringSide, props: VpcPeeringProps): string | undefined {
    const { naming, ports } = props;
    let groupId: string | undefined;
    if (side.accessGroup ?? true) {
      const groupName = naming.resource('security-group', `peer-${side.name}-to-${peer.name}`);
      const group = new SecurityGroup(this, `${role}-access`, {
        provider: side.provider,
        name: groupName,
        description: `Members in ${side.name} talk to ${peer.name} (${peer.cidr}) over the peering on TCP ${ports.join(', ')}`,
        vpcId: side.vpcId,
        tags: { Name: groupName },
      });
      groupId = group.id;
      for (const port of ports) {
        new VpcSecurityGroupIngressRule(this, `${role}-access-in-${port}`, {
          provider: side.provider,
          securityGroupId: group.id,
          cidrIpv4: peer.cidr,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description: `TCP ${port} from ${peer.name} ${peer.cidr} over VPC peering`,
        });
        new VpcSecurityGroupEgressRule(this, `${role}-access-out-${port}`, {
          provider: side.provider,
          securityGroupId: group.id,
          cidrIpv4: peer.cidr,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description: `TCP ${port} to ${peer.name} ${peer.cidr} over VPC peering`,
        });
      }
    }
    (side.admissions ?? []).forEach((admission, a) => {
      for (const port of admission.ports) {
        const rule = (id: string, securityGroupId: string, forEach?: TerraformIterator) =>
          new VpcSecurityGroupIngressRule(this, id, {
            provider: side.provider,
            securityGroupId,
            cidrIpv4: peer.cidr,
            ipProtocol: 'tcp',
            fromPort: port,
            toPort: port,
            description: `TCP ${port} from ${peer.name} ${peer.cidr} over VPC peering to ${admission.label}`,
            tags: { Name: naming.resource('vpc-resource', `peer-${peer.name}-${port}`) },
            forEach,
          });
        if (isListToken(admission.securityGroupIds)) {
          const groups = TerraformIterator.fromList(admission.securityGroupIds as string[]);
          rule(`${role}-admit-${a}-${port}`, Token.asString(groups.value), groups);
        } else {
          admission.securityGroupIds.forEach((groupIdValue, g) => rule(`${role}-admit-${a}-${port}-${g}`, groupIdValue));
        }
      }
    });
    return groupId;
  }
}

/** A whole list that is one unresolved token (from a data source), as opposed to a list of (token) strings. */
function isListToken(list: readonly string[]): boolean {
  return Token.isUnresolved(list as string[]);
}

/** EC2 tag values: at most 256 characters. */
function tagValue(text: string): string {
  return text.length <= 256 ? text : `${text.slice(0, 253)}...`;
}

function validate(id: string, props: VpcPeeringProps): void {
  const where = `VpcPeering ${id} (${props.requester.name} <-> ${props.accepter.name})`;
  const problems: string[] = [];
  const blocks: Partial<Record<Role, Cidr>> = {};
  for (const role of ['requester', 'accepter'] as const) {
    const side = props[role];
    const parsed = parseCidr(side.cidr);
    if (typeof parsed === 'string') problems.push(`${role} ${side.name}: cidr ${parsed}`);
    else blocks[role] = parsed;
    if (!Token.isUnresolved(side.accountId) && !/^\d{12}$/.test(side.accountId)) {
      problems.push(`${role} ${side.name}: accountId '${side.accountId}' is not a 12-digit AWS account id`);
    }
    if (!isListToken(side.routeTableIds) && side.routeTableIds.length === 0) {
      problems.push(`${role} ${side.name}: no route tables to route ${role === 'requester' ? props.accepter.cidr : props.requester.cidr} on; a peering without routes carries nothing`);
    }
    const admissions = side.admissions ?? [];
    if (!(side.accessGroup ?? true) && admissions.length === 0) {
      problems.push(`${role} ${side.name}: no access group and no admissions, so nothing on this side would accept the peer's traffic`);
    }
    for (const admission of admissions) {
      const undeclared = admission.ports.filter((p) => !props.ports.includes(p));
      if (undeclared.length > 0) {
        problems.push(`${role} ${side.name}: ${admission.label} admits port(s) ${undeclared.join(', ')}, which the peering does not allow (allowed: ${props.ports.join(', ')})`);
      }
      if (admission.ports.length === 0) problems.push(`${role} ${side.name}: ${admission.label} admits no ports`);
    }
  }
  if (blocks.requester && blocks.accepter && overlaps(blocks.requester, blocks.accepter)) {
    problems.push(
      `${props.requester.name}'s CIDR ${props.requester.cidr} overlaps ${props.accepter.name}'s ${props.accepter.cidr}; ` +
        'AWS cannot route a peering between overlapping CIDRs, so each side needs its own block',
    );
  }
  if (props.requester.name === props.accepter.name) problems.push(`both sides are '${props.requester.name}'; a VPC cannot peer with itself`);
  if (!Token.isUnresolved(props.requester.accountId) && props.requester.accountId === props.accepter.accountId) {
    problems.push(`both sides are in account ${props.requester.accountId}; this construct is for cross-account peering`);
  }
  if (props.ports.length === 0) problems.push('no ports: a peering that allows nothing should not exist');
  const badPorts = props.ports.filter((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  if (badPorts.length > 0) problems.push(`ports ${badPorts.join(', ')} are not TCP ports (1..65535)`);
  if (new Set(props.ports).size !== props.ports.length) problems.push(`ports [${props.ports.join(', ')}] list a port twice`);
  if (props.reason.trim() === '') problems.push('reason is empty; say why these two networks may talk');
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
}
