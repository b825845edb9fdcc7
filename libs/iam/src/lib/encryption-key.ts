import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { PolicyDocument, PolicyStatement } from './policy-document';
import { awsPrincipal, condition, servicePrincipal } from './principals';
import type { Grantable } from './role';

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix, already environment-prefixed (`dev-rds`). */
  readonly alias: string;
  readonly description: string;
  /** AWS service principals that encrypt with this key on the account's behalf (e.g. `logs.us-east-1.amazonaws.com`). @default - none */
  readonly servicePrincipals?: readonly string[];
  /** Days before a scheduled deletion completes (7..30). @default 30 */
  readonly deletionWindowDays?: number;
  /** Provider (account) the key lives in. @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

const USE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * A customer managed KMS key with rotation on, an alias, and a key policy built from
 * typed statements: the account administers it (AWS's default key policy), named
 * services may use it for this account only, and other accounts are added only by an
 * explicit {@link EncryptionKey.grantUseToAccounts} (e.g. sharing an RDS snapshot).
 */
export class EncryptionKey extends Construct {
  public readonly key: KmsKey;
  public readonly keyArn: string;
  public readonly keyId: string;
  /** `alias/<alias>` */
  public readonly aliasName: string;
  public readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9/_-]{1,250}$/.test(props.alias) || props.alias.startsWith('aws/')) {
      throw new Error(`EncryptionKey ${id}: alias '${props.alias}' is invalid; expected letters, digits, / _ - and not starting with aws/`);
    }
    const window = props.deletionWindowDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      throw new Error(`EncryptionKey ${id}: deletionWindowDays ${window} is outside 7..30`);
    }
    const caller = new DataAwsCallerIdentity(this, 'account', { provider: props.provider });
    this.policy = new PolicyDocument([
      new PolicyStatement({
        sid: 'AccountAdministers',
        actions: ['kms:*'],
        resources: ['*'],
        principals: [awsPrincipal(`arn:aws:iam::${caller.accountId}:root`)],
      }),
    ]);
    // CloudWatch Logs does not send aws:SourceAccount; AWS documents the log-group
    // encryption context as the condition for it. Other services are held to this account.
    const logs = (props.servicePrincipals ?? []).filter((p) => /^logs\.[a-z0-9-]+\.amazonaws\.com$/.test(p));
    const others = (props.servicePrincipals ?? []).filter((p) => !logs.includes(p));
    if (logs.length) {
      this.policy.addStatements(
        new PolicyStatement({
          sid: 'LogsUseForThisAccount',
          actions: USE_ACTIONS,
          resources: ['*'],
          principals: [servicePrincipal(...logs)],
          conditions: [
            condition('ArnLike', 'kms:EncryptionContext:aws:logs:arn', ...logs.map((p) => `arn:aws:logs:${p.split('.')[1]}:${caller.accountId}:log-group:*`)),
          ],
        }),
      );
    }
    if (others.length) {
      this.policy.addStatements(
        new PolicyStatement({
          sid: 'ServicesUseForThisAccount',
          actions: USE_ACTIONS,
          resources: ['*'],
          principals: [servicePrincipal(...others)],
          conditions: [condition('StringEquals', 'aws:SourceAccount', caller.accountId)],
        }),
      );
    }
    this.key = new KmsKey(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: window,
      policy: Lazy.stringValue({ produce: () => this.policy.render() }),
    });
    this.keyArn = this.key.arn;
    this.keyId = this.key.keyId;
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, 'alias', { provider: props.provider, name: this.aliasName, targetKeyId: this.key.keyId });
  }

  /** Lets principals in other accounts use the key (their own IAM policies must allow it too). */
  grantUseToAccounts(accountIds: readonly string[], sid = 'OtherAccountsUse'): PolicyStatement {
    for (const accountId of accountIds) {
      if (!/^\d{12}$/.test(accountId)) throw new Error(`EncryptionKey ${this.node.id}: '${accountId}' is not a 12-digit account id`);
    }
    const statement = new PolicyStatement({
      sid,
      actions: [...USE_ACTIONS, 'kms:CreateGrant'],
      resources: ['*'],
      principals: [awsPrincipal(...accountIds.map((a) => `arn:aws:iam::${a}:root`))],
    });
    this.policy.addStatements(statement);
    return statement;
  }

  /** Lets `grantee` encrypt and decrypt with this key. */
  grantEncryptDecrypt(grantee: Grantable): PolicyStatement {
    return grantee.addToPolicy(new PolicyStatement({ actions: USE_ACTIONS, resources: [this.keyArn] }));
  }

  /** Lets `grantee` decrypt with this key. */
  grantDecrypt(grantee: Grantable): PolicyStatement {
    return grantee.addToPolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [this.keyArn] }));
  }
}
