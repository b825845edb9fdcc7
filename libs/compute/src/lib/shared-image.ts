import { Fn, TerraformVariable, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { ENVIRONMENT_NAMES, type EnvironmentName, type Organisation, type ServiceConfig } from '@estate/config';

/**
 * Where a service's images live: one repository per service in the ops account, named
 * through the ops account's naming (`ops-<service>`). Every environment pulls from it, so
 * the same image (by digest) is promoted dev → staging → prod and no environment app ever
 * looks the repository up at plan time: everything here follows from the organisation model.
 */
export interface SharedRepository {
  /** The ops account that owns the repository. */
  readonly accountId: string;
  readonly region: string;
  /** `ops-<service>` */
  readonly repositoryName: string;
  /** `arn:aws:ecr:<region>:<ops>:repository/ops-<service>` */
  readonly repositoryArn: string;
  /** `<ops>.dkr.ecr.<region>.amazonaws.com/ops-<service>` */
  readonly repositoryUrl: string;
  /** `alias/ops-ecr-<service>`: the customer key the repository is encrypted with. */
  readonly keyAlias: string;
}

/** Service names: lowercase, a letter first (they become repository, ECS and DNS names). */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * A tag (`v1.4.2`, `git-3f2a9c1`) or a digest (`sha256:<64 hex>`). Tags follow the OCI
 * distribution rules; a digest pins the exact image and is what CI promotes.
 */
export const IMAGE_REFERENCE_PATTERN = /^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/;

/** The name of a task execution role (`<prefix><service>-execution`); the repository policy admits this shape only. */
export const EXECUTION_ROLE_SUFFIX = '-execution';

/** The repository of `service` in the ops account, from the organisation model alone. */
export function sharedRepository(organisation: Organisation, service: ServiceConfig): SharedRepository {
  if (!SERVICE_NAME_PATTERN.test(service.name)) {
    throw new Error(`service name '${service.name}' is invalid; expected lowercase letters, digits and dashes, starting with a letter (at most 31)`);
  }
  const ops = organisation.account('ops');
  const repositoryName = ops.naming.resource('ecr-repository', service.name);
  return {
    accountId: ops.accountId,
    region: ops.region,
    repositoryName,
    repositoryArn: `arn:aws:ecr:${ops.region}:${ops.accountId}:repository/${repositoryName}`,
    repositoryUrl: `${ops.accountId}.dkr.ecr.${ops.region}.amazonaws.com/${repositoryName}`,
    keyAlias: `alias/${ops.naming.resource('kms-alias', `ecr-${service.name}`)}`,
  };
}

/**
 * `<ops>.dkr.ecr.<region>.amazonaws.com/ops-<service>:<tag>`, or `...@sha256:<digest>` for a
 * digest. `reference` may be a token (the `image_tag` variable): the separator is then
 * chosen by Terraform, so wrap the result in a local before embedding it in JSON.
 */
export function sharedImageUri(organisation: Organisation, service: ServiceConfig, reference: string): string {
  const { repositoryUrl } = sharedRepository(organisation, service);
  if (Token.isUnresolved(reference)) {
    return `${repositoryUrl}${Fn.conditional(Fn.startswith(reference, 'sha256:'), '@', ':')}${reference}`;
  }
  if (!IMAGE_REFERENCE_PATTERN.test(reference)) {
    throw new Error(
      `image reference '${reference}' for service '${service.name}' is neither a tag (letters, digits, . _ -, at most 128) nor a digest 'sha256:<64 lowercase hex>'`,
    );
  }
  return `${repositoryUrl}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
}

/**
 * ARN patterns of the task execution roles of `environments` (previews included:
 * `dev-pr42-api-execution` matches `dev-*-execution`), one per environment account.
 */
export function executionRolePatterns(
  organisation: Organisation,
  environments: readonly EnvironmentName[] = ENVIRONMENT_NAMES,
): { accountId: string; pattern: string }[] {
  return environments.map((name) => {
    const accountId = organisation.accountId(name);
    return { accountId, pattern: `arn:aws:iam::${accountId}:role/${name}-*${EXECUTION_ROLE_SUFFIX}` };
  });
}

/** Name of the Terraform variable that selects the image (`TF_VAR_image_tag`). */
export const IMAGE_TAG_VARIABLE = 'image_tag';

/**
 * The `image_tag` variable: the tag or digest every service of the stack runs. CI sets it
 * (`TF_VAR_image_tag=sha256:...`) and promotes the same digest dev → staging → prod;
 * Terraform rejects anything that is neither a tag nor a digest before planning.
 * Declare it on the stack itself so the variable keeps this exact name.
 */
export function imageTagVariable(stack: Construct): TerraformVariable {
  const pattern = IMAGE_REFERENCE_PATTERN.source.replace(/\\/g, '\\\\');
  return new TerraformVariable(stack, IMAGE_TAG_VARIABLE, {
    type: 'string',
    nullable: false,
    description: 'Image to run: a tag (v1.4.2) or a digest (sha256:<64 hex>) in the ops repositories; CI promotes the same digest through the environments',
    validation: [
      {
        condition: `\${can(regex("${pattern}", var.${IMAGE_TAG_VARIABLE}))}`,
        errorMessage: 'image_tag must be an image tag (letters, digits, . _ -, at most 128, not starting with . or -) or a digest sha256:<64 lowercase hex>.',
      },
    ],
  });
}
