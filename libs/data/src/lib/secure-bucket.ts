import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { condition, PolicyDocument, PolicyStatement, type Grantable } from '@estate/iam';

export interface SecureBucketProps {
  /** Full bucket name (from Naming.resource('s3-bucket', ...)). */
  readonly bucketName: string;
  /**
   * KMS key ARN for SSE-KMS; `undefined` means SSE-S3 (AES256), which only log-delivery
   * buckets should use (S3 server access logging and ALB logs cannot write to SSE-KMS buckets).
   */
  readonly kmsKeyArn?: string;
  /** Days noncurrent versions are kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which current objects expire (log buckets). @default - objects are kept */
  readonly expirationDays?: number;
  /** Delete every object on destroy (preview environments only). @default false */
  readonly forceDestroy?: boolean;
  /** Bucket that receives server access logs. @default - none */
  readonly accessLogsBucket?: SecureBucket;
  /** Provider (account) the bucket lives in. @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/**
 * An S3 bucket with the settings data must have: versioning, default encryption
 * (SSE-KMS with a customer key, bucket key on), all four public-access-block flags,
 * object ownership enforced (no ACLs), a policy that denies non-TLS requests, and a
 * lifecycle that expires noncurrent versions and aborts stale multipart uploads.
 */
export class SecureBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly bucketArn: string;
  /** The bucket policy; grants and callers add statements. */
  public readonly policy: PolicyDocument;
  /** The applied bucket policy, for resources that must be created after it (e.g. an ALB writing logs). */
  public readonly policyResource: S3BucketPolicy;
  /** The SSE-KMS key, or undefined for SSE-S3. */
  public readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.bucketName) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName)) {
      throw new Error(`SecureBucket ${id}: bucket name '${props.bucketName}' is invalid; expected 3-63 lowercase letters, digits, dots and dashes`);
    }
    const keep = props.noncurrentVersionExpirationDays ?? 30;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new Error(`SecureBucket ${id}: noncurrentVersionExpirationDays ${keep} must be a whole number of days >= 1`);
    }
    const expire = props.expirationDays;
    if (expire !== undefined && (!Number.isInteger(expire) || expire < 1)) {
      throw new Error(`SecureBucket ${id}: expirationDays ${expire} must be a whole number of days >= 1`);
    }
    if (props.accessLogsBucket?.kmsKeyArn) {
      throw new Error(
        `SecureBucket ${id}: access logs bucket '${props.accessLogsBucket.node.id}' is SSE-KMS; S3 server access logging only delivers to SSE-S3 (AES256) buckets`,
      );
    }
    this.kmsKeyArn = props.kmsKeyArn;
    const provider = props.provider;
    this.bucket = new S3Bucket(this, 'bucket', { provider, bucket: props.bucketName, forceDestroy: props.forceDestroy ?? false });
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;

    new S3BucketVersioningA(this, 'versioning', {
      provider,
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      provider,
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      provider,
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-noncurrent-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: keep }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          expiration: expire === undefined ? undefined : [{ days: expire }],
        },
      ],
    });
    if (props.accessLogsBucket) {
      new S3BucketLoggingA(this, 'access-logs', {
        provider,
        bucket: this.bucket.id,
        targetBucket: props.accessLogsBucket.bucketName,
        targetPrefix: `${props.bucketName}/`,
      });
      props.accessLogsBucket.allowLogDeliveryFrom(this);
    }

    this.policy = new PolicyDocument([
      new PolicyStatement({
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        actions: ['s3:*'],
        resources: [this.bucketArn, `${this.bucketArn}/*`],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        conditions: [condition('Bool', 'aws:SecureTransport', 'false')],
      }),
    ]);
    this.policyResource = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket: this.bucket.id,
      policy: Lazy.stringValue({ produce: () => this.policy.render() }),
      dependsOn: [publicAccess],
    });
  }

  /** Adds a statement to the bucket policy. */
  addToResourcePolicy(statement: PolicyStatement): PolicyStatement {
    this.policy.addStatements(statement);
    return statement;
  }

  /** Lets S3 server access logging from `source` write into this bucket. */
  allowLogDeliveryFrom(source: SecureBucket): PolicyStatement {
    return this.addToResourcePolicy(
      new PolicyStatement({
        sid: `LogDelivery${this.policy.statementList.length}`,
        actions: ['s3:PutObject'],
        resources: [`${this.bucketArn}/*`],
        principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
        conditions: [condition('ArnLike', 'aws:SourceArn', source.bucketArn)],
      }),
    );
  }

  /** Lets `grantee` read objects (and decrypt them with the bucket's key). */
  grantRead(grantee: Grantable): PolicyStatement {
    if (this.kmsKeyArn) grantee.addToPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.kmsKeyArn] }));
    return grantee.addToPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:ListBucket'], resources: [this.bucketArn, `${this.bucketArn}/*`] }),
    );
  }

  /** Lets `grantee` read, write and delete objects (and use the bucket's key for them). */
  grantReadWrite(grantee: Grantable): PolicyStatement {
    if (this.kmsKeyArn) {
      grantee.addToPolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.kmsKeyArn] }));
    }
    return grantee.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
        resources: [this.bucketArn, `${this.bucketArn}/*`],
      }),
    );
  }
}
