import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';
import type { Naming } from '@estate/config';
import { awsPrincipal, condition, EncryptionKey, PolicyStatement, type Grantable } from '@estate/iam';

/** Key attribute names of the ledger table (the migration runner depends on them). */
export const LEDGER_KEYS = { partition: 'pk', sort: 'sk', ttl: 'expiresAt' } as const;

export interface MigrationLedgerProps {
  /** Naming of the account the ledger lives in (ops): `ops-migration-ledger`, `ops-migration-events`. */
  readonly naming: Naming;
  /** Account the ledger lives in (ARNs for grants are built from it, so grants need no cross-stack reference). */
  readonly accountId: string;
  readonly region: string;
  /** @default true - the ledger is the record of what the migration did */
  readonly deletionProtection?: boolean;
  /** @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/**
 * Where the migration runner records what it did and holds its lock: a DynamoDB table
 * and an SNS topic for migration events, both encrypted with the ledger's own key.
 *
 * Table layout (the runner uses exactly these names; see {@link LEDGER_KEYS}):
 * - `pk` (S, partition key): the environment, `ENV#<name>`, e.g. `ENV#dev` (`ENV#dev-pr42` for a preview);
 * - `sk` (S, sort key): `STEP#<4-digit ordinal>#<step id>` for a step record, e.g.
 *   `STEP#0003#snapshot-copy`, or `LOCK` for the environment's lease lock;
 * - `expiresAt` (N, epoch seconds): TTL attribute; set on lease locks so an abandoned
 *   lock disappears (the runner still compares it itself, since TTL deletion is lazy).
 *
 * On demand, point-in-time recovery, KMS, deletion protection. Grants are built from
 * names (not resource references) and the key policy names grantees by literal ARN, so
 * a role in another stack can be granted without a cross-stack reference.
 */
export class MigrationLedger extends Construct {
  public readonly table: DynamodbTable;
  public readonly tableName: string;
  public readonly tableArn: string;
  public readonly topic: SnsTopic;
  public readonly topicName: string;
  public readonly topicArn: string;
  public readonly key: EncryptionKey;
  /** `alias/<prefix>migration-ledger` */
  public readonly keyAlias: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: MigrationLedgerProps) {
    super(scope, id);
    if (!/^\d{12}$/.test(props.accountId)) throw new Error(`MigrationLedger ${id}: accountId '${props.accountId}' is not a 12-digit account id`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(props.region)) throw new Error(`MigrationLedger ${id}: region '${props.region}' is not an AWS region name`);
    const provider = props.provider;
    const keyAliasName = props.naming.resource('kms-alias', 'migration-ledger');
    this.key = new EncryptionKey(this, 'key', {
      alias: keyAliasName,
      description: 'Encrypts the migration ledger table and its event topic',
      provider,
    });
    this.keyAlias = this.key.aliasName;
    this.region = props.region;

    this.tableName = props.naming.resource('dynamodb-table', 'migration-ledger');
    this.table = new DynamodbTable(this, 'table', {
      provider,
      name: this.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: LEDGER_KEYS.partition,
      rangeKey: LEDGER_KEYS.sort,
      attribute: [
        { name: LEDGER_KEYS.partition, type: 'S' },
        { name: LEDGER_KEYS.sort, type: 'S' },
      ],
      ttl: { attributeName: LEDGER_KEYS.ttl, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.key.keyArn },
      deletionProtectionEnabled: props.deletionProtection ?? true,
      tags: { Name: this.tableName },
    });
    this.tableArn = `arn:aws:dynamodb:${props.region}:${props.accountId}:table/${this.tableName}`;

    this.topicName = props.naming.resource('sns-topic', 'migration-events');
    this.topic = new SnsTopic(this, 'topic', {
      provider,
      name: this.topicName,
      kmsMasterKeyId: this.key.keyArn,
      tags: { Name: this.topicName },
    });
    this.topicArn = `arn:aws:sns:${props.region}:${props.accountId}:${this.topicName}`;
  }

  /**
   * Lets `grantee` read and write ledger items (conditional writes and transactions
   * included). The key policy admits `principalArn` for DynamoDB's use of the key.
   * Pass the role's literal ARN (from the organisation model) when the role lives in
   * another stack, so no cross-stack reference is created.
   */
  grantReadWrite(grantee: Grantable, principalArn: string = grantee.roleArn): PolicyStatement[] {
    return [
      grantee.addToPolicy(
        new PolicyStatement({
          actions: [
            'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query',
            'dynamodb:ConditionCheckItem', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable',
          ],
          resources: [this.tableArn],
        }),
      ),
      this.allowKeyUse(principalArn, 'dynamodb', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey']),
    ];
  }

  /**
   * Lets `grantee` publish migration events. The topic is KMS-encrypted, so publishers
   * need the key: the key policy admits `principalArn`, through SNS only.
   */
  grantPublish(grantee: Grantable, principalArn: string = grantee.roleArn): PolicyStatement[] {
    return [
      grantee.addToPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topicArn] })),
      this.allowKeyUse(principalArn, 'sns', ['kms:GenerateDataKey*', 'kms:Decrypt']),
    ];
  }

  /**
   * Key use granted in the key policy (identity policies could only name `key/*`, since the
   * key's id is generated, and guardrail MIG-IAM-5 rightly refuses that), limited to one service.
   */
  private allowKeyUse(principalArn: string, service: 'dynamodb' | 'sns', actions: string[]): PolicyStatement {
    const statement = new PolicyStatement({
      sid: `${service === 'sns' ? 'Publish' : 'ReadWrite'}${this.key.policy.statementList.length}`,
      actions,
      resources: ['*'],
      principals: [awsPrincipal(principalArn)],
      conditions: [condition('StringEquals', 'kms:ViaService', `${service}.${this.region}.amazonaws.com`)],
    });
    this.key.policy.addStatements(statement);
    return statement;
  }
}
