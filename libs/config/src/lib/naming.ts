/**
 * Resource naming. Every name the product generates goes through {@link Naming.resource},
 * which applies the environment prefix (`dev-`, or `dev-pr42-` for a preview copy) and
 * enforces the AWS length limit of the resource kind, so a too-long suffix fails at
 * synth time with the offending name instead of at apply time.
 */
export const NAME_LIMITS = {
  'alb': 32,
  'target-group': 32,
  's3-bucket': 63,
  'rds-instance': 63,
  'rds-parameter-group': 255,
  'db-subnet-group': 255,
  'db-snapshot': 255,
  'dms-replication-instance': 63,
  'dms-endpoint': 255,
  'dms-task': 255,
  'iam-role': 64,
  'iam-policy': 128,
  'ecs-cluster': 255,
  'ecs-service': 255,
  'ecs-task-family': 255,
  'ecr-repository': 256,
  'log-group': 512,
  'security-group': 255,
  'sns-topic': 256,
  'dynamodb-table': 255,
  'kms-alias': 256,
  'cloudwatch-alarm': 255,
  'cloudwatch-dashboard': 255,
  'vpc-resource': 255,
  'secret': 512,
} as const;

export type NamedKind = keyof typeof NAME_LIMITS;

/** Lowercase letter first, then lowercase letters and digits; at most 8 characters. */
export const SUFFIX_PATTERN = /^[a-z][a-z0-9]{0,7}$/;

export class Naming {
  /** `dev-` or `dev-pr42-`. */
  public readonly prefix: string;

  constructor(
    /** Environment or account role name (`dev`, `ops`). */
    public readonly base: string,
    /** Preview suffix (`pr42`), or undefined for the environment itself. */
    public readonly suffix?: string,
  ) {
    this.prefix = suffix ? `${base}-${suffix}-` : `${base}-`;
  }

  /** The qualified name without trailing dash: `dev` or `dev-pr42`. Used for stack ids and state keys. */
  get qualifier(): string {
    return this.prefix.slice(0, -1);
  }

  /**
   * `<prefix><name>`, checked against the kind's AWS length limit.
   * @throws when the result is too long, naming it, its length and the limit.
   */
  resource(kind: NamedKind, name: string): string {
    const full = `${this.prefix}${name}`;
    const limit = NAME_LIMITS[kind];
    if (full.length > limit) {
      const hint = this.suffix ? ` shorten ENVIRONMENT_SUFFIX '${this.suffix}' or the name '${name}'` : ` shorten '${name}'`;
      throw new Error(`${kind} name '${full}' is ${full.length} characters; AWS allows at most ${limit}:${hint}`);
    }
    return full;
  }

  /** Stack id for a unit of this environment: `dev-network`, `dev-pr42-network`. */
  stack(unit: string): string {
    return `${this.prefix}${unit}`;
  }
}
