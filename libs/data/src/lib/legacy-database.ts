import { DataAwsDbInstance } from '@cdktf/provider-aws/lib/data-aws-db-instance';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { LegacyDatabaseConfig } from '@estate/config';
import type { CdcSource } from './cdc-replication';

export interface LegacyDatabaseProps {
  /** The legacy database as the organisation model describes it. */
  readonly legacy: LegacyDatabaseConfig;
  /** The legacy VPC's CIDR (`legacy.vpcCidr`). */
  readonly vpcCidr: string;
  /** Provider into the legacy account (alias `legacy`). */
  readonly legacyProvider: AwsProvider;
}

/**
 * The running legacy instance, read (never managed) through the legacy provider: where DMS
 * connects for change data capture.
 */
export class LegacyDatabase extends Construct {
  public readonly instance: DataAwsDbInstance;
  /** Connection facts for {@link CdcReplication}. */
  public readonly cdcSource: CdcSource;

  constructor(scope: Construct, id: string, props: LegacyDatabaseProps) {
    super(scope, id);
    if (!/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(props.legacy.instanceIdentifier)) {
      throw new Error(`LegacyDatabase ${id}: instanceIdentifier '${props.legacy.instanceIdentifier}' is not an RDS instance identifier`);
    }
    this.instance = new DataAwsDbInstance(this, 'instance', {
      provider: props.legacyProvider,
      dbInstanceIdentifier: props.legacy.instanceIdentifier,
    });
    this.cdcSource = {
      host: this.instance.address,
      port: props.legacy.port,
      databaseName: props.legacy.databaseName,
      cidr: props.vpcCidr,
    };
  }
}
