import { DataAwsDbInstance } from '@cdktf/provider-aws/lib/data-aws-db-instance';
import { DataAwsDbSnapshot } from '@cdktf/provider-aws/lib/data-aws-db-snapshot';
import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { DataAwsRouteTables } from '@cdktf/provider-aws/lib/data-aws-route-tables';
import { DataAwsSecretsmanagerSecret } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { parseCidr, type LegacyConfig, type LegacyDatabaseConfig } from '@estate/config';

export interface LegacyLookupsProps {
  /** Provider into the legacy account (the stack's `legacyProvider`, alias `legacy`). */
  readonly provider: AwsProvider;
  /** `organisation.legacy`: every identifier read here comes from it. */
  readonly legacy: LegacyConfig;
}

/**
 * Typed, read-only views of what stays in the legacy account during the transition, all
 * data sources on the legacy provider — nothing here creates or changes a legacy resource.
 *
 * Each lookup is made on first use, so a stack reads only what it needs: the peering stack
 * reads the VPC, its route tables and the database security groups, and does not fail its
 * plan because the pre-migration snapshot has not been taken yet.
 */
export class LegacyLookups extends Construct {
  /** The legacy VPC's CIDR, from the organisation model (the VPC lookup checks that it matches). */
  public readonly vpcCidr: string;
  private readonly props: LegacyLookupsProps;
  private readonly made = new Map<string, Construct>();

  constructor(scope: Construct, id: string, props: LegacyLookupsProps) {
    super(scope, id);
    const { legacy } = props;
    const where = `LegacyLookups ${id}`;
    const cidr = parseCidr(legacy.vpcCidr);
    const names = legacy.databases.map((db) => db.name);
    const rules: { readonly when: boolean; readonly message: string }[] = [
      { when: !/^vpc-[0-9a-f]{8,17}$/.test(legacy.vpcId), message: `legacy.vpcId '${legacy.vpcId}' is not a VPC id (expected vpc- and 8 or 17 hex digits)` },
      { when: typeof cidr === 'string', message: `legacy.vpcCidr: ${String(cidr)}` },
      { when: new Set(names).size !== names.length, message: `legacy.databases names a database twice (${names.join(', ')})` },
      {
        when: !/^[a-z0-9-]+(\.[a-z0-9-]+)+\.?$/.test(legacy.hostedZoneName),
        message: `legacy.hostedZoneName '${legacy.hostedZoneName}' is not a DNS zone name`,
      },
    ];
    const problems = rules.filter((r) => r.when).map((r) => r.message);
    if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
    this.props = props;
    this.vpcCidr = legacy.vpcCidr;
  }

  /** The legacy VPC, by id; the lookup also requires the CIDR the model states, so a stale model fails the plan. */
  get vpc(): DataAwsVpc {
    return this.once('vpc', () => new DataAwsVpc(this, 'vpc', { provider: this.props.provider, id: this.props.legacy.vpcId, cidrBlock: this.props.legacy.vpcCidr }));
  }

  get vpcId(): string {
    return this.vpc.id;
  }

  /** Every route table of the legacy VPC (main included): a peering routes the environment's CIDR on each. */
  get routeTables(): DataAwsRouteTables {
    return this.once('route-tables', () => new DataAwsRouteTables(this, 'route-tables', { provider: this.props.provider, vpcId: this.vpcId }));
  }

  /** Ids of {@link routeTables} (a list token: iterate with for_each, not in TypeScript). */
  get routeTableIds(): string[] {
    return this.routeTables.ids;
  }

  /** The public hosted zone that serves the company's names today (`legacy.hostedZoneName`). */
  get hostedZone(): DataAwsRoute53Zone {
    return this.once('hosted-zone', () =>
      new DataAwsRoute53Zone(this, 'hosted-zone', { provider: this.props.provider, name: this.props.legacy.hostedZoneName, privateZone: false }),
    );
  }

  /** The running instance of legacy database `name` (address, port, security groups). */
  databaseInstance(name: string): DataAwsDbInstance {
    const db = this.database(name);
    return this.once(`${db.name}-instance`, () =>
      new DataAwsDbInstance(this, `${db.name}-instance`, { provider: this.props.provider, dbInstanceIdentifier: db.instanceIdentifier }),
    );
  }

  /** The manual pre-migration snapshot of legacy database `name`. */
  databaseSnapshot(name: string): DataAwsDbSnapshot {
    const db = this.database(name);
    return this.once(`${db.name}-snapshot`, () =>
      new DataAwsDbSnapshot(this, `${db.name}-snapshot`, {
        provider: this.props.provider,
        dbSnapshotIdentifier: db.snapshotIdentifier,
        snapshotType: 'manual',
      }),
    );
  }

  /** The customer key the snapshot copy of `name` is re-encrypted with before sharing (`shareKmsKey`, alias or ARN). */
  shareKey(name: string): DataAwsKmsKey {
    const db = this.database(name);
    return this.once(`${db.name}-share-key`, () =>
      new DataAwsKmsKey(this, `${db.name}-share-key`, { provider: this.props.provider, keyId: db.shareKmsKey }),
    );
  }

  /** The Secrets Manager secret with the legacy credentials of `name` (metadata only; the value is never read here). */
  databaseSecret(name: string): DataAwsSecretsmanagerSecret {
    const db = this.database(name);
    return this.once(`${db.name}-secret`, () =>
      new DataAwsSecretsmanagerSecret(this, `${db.name}-secret`, { provider: this.props.provider, name: db.secretName }),
    );
  }

  /** Security groups of the instance of legacy database `name` (a list token). */
  databaseSecurityGroupIds(name: string): string[] {
    return this.databaseInstance(name).vpcSecurityGroups;
  }

  /** The legacy database `name` as the organisation model describes it. */
  database(name: string): LegacyDatabaseConfig {
    const found = this.props.legacy.databases.find((db) => db.name === name);
    if (!found) {
      const known = this.props.legacy.databases.map((db) => db.name);
      throw new Error(`LegacyLookups ${this.node.id}: no legacy database '${name}'; legacy.databases has ${known.length ? known.join(', ') : 'none'}`);
    }
    return found;
  }

  get databases(): readonly LegacyDatabaseConfig[] {
    return this.props.legacy.databases;
  }

  private once<T extends Construct>(key: string, make: () => T): T {
    const existing = this.made.get(key);
    if (existing) return existing as T;
    const made = make();
    this.made.set(key, made);
    return made;
  }
}
