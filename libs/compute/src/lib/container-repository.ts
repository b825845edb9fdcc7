import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRepositoryPolicy } from '@cdktf/provider-aws/lib/ecr-repository-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { ENVIRONMENT_NAMES, type EnvironmentName, type Organisation, type ServiceConfig } from '@estate/config';
import { awsPrincipal, condition, EncryptionKey, PolicyDocument, PolicyStatement, type Grantable } from '@estate/iam';
import { executionRolePatterns, sharedRepository } from './shared-image';

export interface ContainerRepositoryProps {
  /** The service whose images the repository holds (its name names the repository). */
  readonly service: ServiceConfig;
  readonly organisation: Organisation;
  /** Environment accounts whose task execution roles may pull. @default - dev, staging and prod */
  readonly pullAccounts?: readonly EnvironmentName[];
  /** Untagged images (superseded pushes, failed builds) expire this many days after push. @default 7 */
  readonly untaggedExpiryDays?: number;
  /** Tagged images kept (the newest); older ones expire. Keep enough to roll prod back. @default 50 */
  readonly keepTaggedImages?: number;
  /** Provider of the ops account. @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/** Pulling an image: the manifest and the layers (the registry token is asked for separately). */
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
  'ecr:DescribeImages',
  'ecr:DescribeImageScanFindings',
];

/**
 * A service's image repository in the ops account: immutable tags, scan on push,
 * encrypted with its own customer key, a lifecycle that expires untagged images and
 * keeps the newest tagged ones, and a repository policy that lets only the task
 * execution roles of the environment accounts pull.
 *
 * The repository policy names each environment account's root as principal and narrows
 * it with `aws:PrincipalArn` ArnLike `arn:aws:iam::<account>:role/<env>-*-execution`.
 * Naming the roles themselves as principals would fail: a resource policy may only name
 * principals that exist, and the environment roles are created after this repository
 * (and preview copies come and go). The environment side must allow the pull too (the
 * execution role's own policy names this repository's ARN only).
 */
export class ContainerRepository extends Construct {
  public readonly repository: EcrRepository;
  public readonly repositoryName: string;
  public readonly repositoryArn: string;
  public readonly repositoryUrl: string;
  public readonly encryptionKey: EncryptionKey;
  /** The repository policy; {@link ContainerRepository.addToResourcePolicy} adds to it. */
  public readonly policy: PolicyDocument;
  /** Environment accounts allowed to pull, as configured. */
  public readonly pullAccountIds: readonly string[];

  constructor(scope: Construct, id: string, props: ContainerRepositoryProps) {
    super(scope, id);
    const { organisation, service, provider } = props;
    const shared = sharedRepository(organisation, service);
    const untaggedDays = props.untaggedExpiryDays ?? 7;
    const keep = props.keepTaggedImages ?? 50;
    const environments = props.pullAccounts ?? ENVIRONMENT_NAMES;
    const problems = [
      { ok: Number.isInteger(untaggedDays) && untaggedDays >= 1, message: `untaggedExpiryDays ${untaggedDays} must be a whole number of days >= 1` },
      { ok: Number.isInteger(keep) && keep >= 1 && keep <= 1000, message: `keepTaggedImages ${keep} must be a whole number 1..1000` },
      { ok: environments.length > 0, message: 'pullAccounts is empty; at least one environment must pull the images' },
      {
        ok: environments.every((e) => (ENVIRONMENT_NAMES as readonly string[]).includes(e)),
        message: `pullAccounts [${environments.join(', ')}] must name environments (${ENVIRONMENT_NAMES.join(', ')})`,
      },
      { ok: new Set(environments).size === environments.length, message: `pullAccounts [${environments.join(', ')}] names an environment twice` },
    ].filter((r) => !r.ok);
    if (problems.length > 0) throw new Error(`ContainerRepository ${id} (${service.name}): ${problems.map((p) => p.message).join('; ')}`);

    const pullers = executionRolePatterns(organisation, environments);
    this.pullAccountIds = pullers.map((p) => p.accountId);

    this.encryptionKey = new EncryptionKey(this, 'key', {
      alias: shared.keyAlias.replace(/^alias\//, ''),
      description: `Images of ${service.name} in ${shared.repositoryName}`,
      provider,
    });
    // ECR decrypts layers through the grant it creates on the key when the repository is
    // made; this statement lets the environments' execution roles use the key through ECR
    // only (kms:ViaService), never directly, for the pull path that calls KMS as the caller.
    this.encryptionKey.policy.addStatements(
      new PolicyStatement({
        sid: 'EnvironmentExecutionRolesDecryptThroughEcr',
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        resources: ['*'],
        principals: [awsPrincipal(...pullers.map((p) => `arn:aws:iam::${p.accountId}:root`))],
        conditions: [
          condition('StringEquals', 'kms:ViaService', `ecr.${shared.region}.amazonaws.com`),
          condition('ArnLike', 'aws:PrincipalArn', ...pullers.map((p) => p.pattern)),
        ],
      }),
    );

    this.repository = new EcrRepository(this, 'repository', {
      provider,
      name: shared.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: this.encryptionKey.keyArn }],
      forceDelete: false,
      tags: { Name: shared.repositoryName },
    });
    this.repositoryName = this.repository.name;
    this.repositoryArn = this.repository.arn;
    this.repositoryUrl = this.repository.repositoryUrl;

    new EcrLifecyclePolicy(this, 'lifecycle', {
      provider,
      repository: this.repository.name,
      policy: JSON.stringify(lifecycleRules(untaggedDays, keep)),
    });

    this.policy = new PolicyDocument([
      new PolicyStatement({
        sid: 'EnvironmentExecutionRolesPull',
        actions: PULL_ACTIONS,
        principals: [awsPrincipal(...pullers.map((p) => `arn:aws:iam::${p.accountId}:root`))],
        conditions: [condition('ArnLike', 'aws:PrincipalArn', ...pullers.map((p) => p.pattern))],
      }),
    ]);
    new EcrRepositoryPolicy(this, 'policy', {
      provider,
      repository: this.repository.name,
      policy: Lazy.stringValue({ produce: () => this.policy.render() }),
    });
  }

  /** Adds a statement to the repository policy. */
  addToResourcePolicy(statement: PolicyStatement): PolicyStatement {
    this.policy.addStatements(statement);
    return statement;
  }

  /** Lets `grantee` (a principal of the ops account) pull images. */
  grantPull(grantee: Grantable): PolicyStatement {
    grantee.addToPolicy(registryTokenStatement());
    return grantee.addToPolicy(new PolicyStatement({ actions: PULL_ACTIONS, resources: [this.repositoryArn] }));
  }

  /** Lets `grantee` (the CI role) push images and read their scan findings. */
  grantPush(grantee: Grantable): PolicyStatement {
    grantee.addToPolicy(registryTokenStatement());
    return grantee.addToPolicy(new PolicyStatement({ actions: PUSH_ACTIONS, resources: [this.repositoryArn] }));
  }
}

/** `ecr:GetAuthorizationToken` is registry-wide: AWS offers no resource for it. */
export function registryTokenStatement(): PolicyStatement {
  return new PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] });
}

/** ECR lifecycle rules: untagged images expire after `untaggedDays`; only the newest `keep` tagged images stay. */
export function lifecycleRules(untaggedDays: number, keep: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images ${untaggedDays} days after push`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedDays },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keep} tagged images`,
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  };
}
