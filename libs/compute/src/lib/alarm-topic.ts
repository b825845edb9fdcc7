import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { Construct } from 'constructs';
import type { Naming } from '@estate/config';
import { condition, EncryptionKey, PolicyDocument, PolicyStatement, servicePrincipal } from '@estate/iam';

export interface AlarmTopicProps {
  readonly naming: Naming;
  /** Name inside the environment. @default 'alarms' */
  readonly name?: string;
  /** Days before a scheduled deletion of the topic key completes. @default 30 */
  readonly keyDeletionWindowDays?: number;
}

/**
 * The environment's alarm topic: SNS encrypted with its own customer key, which
 * CloudWatch may use to publish (CloudWatch encrypts the message with the topic's key,
 * so the key policy must admit it), and a topic policy that lets only this account's
 * CloudWatch alarms publish. Subscriptions (e-mail, chat, paging) are added outside
 * Terraform by the on-call owners, so no address is written into configuration.
 */
export class AlarmTopic extends Construct {
  public readonly topic: SnsTopic;
  public readonly topicArn: string;
  public readonly encryptionKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const name = props.naming.resource('sns-topic', props.name ?? 'alarms');
    const caller = new DataAwsCallerIdentity(this, 'account');
    this.encryptionKey = new EncryptionKey(this, 'key', {
      alias: props.naming.resource('kms-alias', props.name ?? 'alarms'),
      description: `Messages of the SNS topic ${name}`,
      deletionWindowDays: props.keyDeletionWindowDays,
    });
    this.encryptionKey.policy.addStatements(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        principals: [servicePrincipal('cloudwatch.amazonaws.com')],
      }),
    );
    this.topic = new SnsTopic(this, 'topic', { name, kmsMasterKeyId: this.encryptionKey.keyArn, tags: { Name: name } });
    this.topicArn = this.topic.arn;
    new SnsTopicPolicy(this, 'policy', {
      arn: this.topic.arn,
      policy: new PolicyDocument([
        new PolicyStatement({
          sid: 'CloudWatchAlarmsOfThisAccount',
          actions: ['sns:Publish'],
          resources: [this.topic.arn],
          principals: [servicePrincipal('cloudwatch.amazonaws.com')],
          conditions: [condition('StringEquals', 'aws:SourceAccount', caller.accountId)],
        }),
      ]).render(),
    });
  }
}
