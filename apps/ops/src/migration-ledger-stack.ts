import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { Organisation } from '@estate/config';
import { MigrationLedger } from '@estate/data';
import { BaseStack } from '@estate/platform';

export interface MigrationLedgerStackProps {
  readonly organisation: Organisation;
}

/** The migration runner's ledger table and event topic, in the ops account (applied through the ops deploy role). */
export class MigrationLedgerStack extends BaseStack {
  public readonly ledger: MigrationLedger;

  constructor(scope: Construct, props: MigrationLedgerStackProps) {
    const { organisation } = props;
    const target = organisation.account('ops');
    super(scope, 'migration-ledger', { target, organisation, tier: 'production' });
    this.ledger = new MigrationLedger(this, 'ledger', { naming: target.naming, accountId: target.accountId, region: target.region });

    new TerraformOutput(this, 'ledger_table_name', { value: this.ledger.table.name });
    new TerraformOutput(this, 'ledger_table_arn', { value: this.ledger.table.arn });
    new TerraformOutput(this, 'events_topic_arn', { value: this.ledger.topic.arn });
    new TerraformOutput(this, 'ledger_key_arn', { value: this.ledger.key.keyArn });
    new TerraformOutput(this, 'ledger_key_alias', { value: this.ledger.keyAlias });
  }
}
