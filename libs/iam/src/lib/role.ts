import { IamRole as IamRoleResource } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { PolicyDocument, PolicyStatement, type Principal, type Condition } from './policy-document';

/** Anything permissions can be granted to. */
export interface Grantable {
  /** ARN of the principal. */
  readonly roleArn: string;
  /** Adds a statement to the principal's own (inline) policy and returns it. */
  addToPolicy(statement: PolicyStatement): PolicyStatement;
}

export interface RoleProps {
  /** Full role name (already prefixed, e.g. `dev-api-task`). */
  readonly roleName: string;
  readonly description: string;
  /** Who may assume the role. */
  readonly assumedBy: Principal;
  /** Conditions on the trust statement (external id, principal ARN, OIDC claims...). @default - none */
  readonly trustConditions?: readonly Condition[];
  /** The trust action. @default 'sts:AssumeRole' */
  readonly trustAction?: string;
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** ARN of a permissions boundary. @default - none */
  readonly permissionsBoundaryArn?: string;
  /** AWS-managed or customer policies to attach. @default - none */
  readonly managedPolicyArns?: readonly string[];
  /** Provider (account) the role lives in. @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/**
 * An IAM role with a typed trust policy and one inline policy that grants add to.
 * It starts with no permissions: every permission arrives through an intent-named
 * grant (`repository.grantPull(role)`) or an explicit {@link Role.addToPolicy}.
 */
export class Role extends Construct implements Grantable {
  public readonly resource: IamRoleResource;
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly trustPolicy: PolicyDocument;
  public readonly policy = new PolicyDocument();

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    this.trustPolicy = new PolicyDocument([
      new PolicyStatement({
        sid: 'Trust',
        actions: [props.trustAction ?? 'sts:AssumeRole'],
        principals: [props.assumedBy],
        conditions: props.trustConditions,
      }),
    ]);
    this.resource = new IamRoleResource(this, 'role', {
      provider: props.provider,
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: this.trustPolicy.render(),
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
      permissionsBoundary: props.permissionsBoundaryArn,
      managedPolicyArns: props.managedPolicyArns ? [...props.managedPolicyArns] : undefined,
    });
    this.roleArn = this.resource.arn;
    this.roleName = this.resource.name;
    new IamRolePolicy(this, 'policy', {
      provider: props.provider,
      name: 'permissions',
      role: this.resource.id,
      policy: Lazy.stringValue({
        produce: () =>
          (this.policy.isEmpty
            ? new PolicyDocument([
                new PolicyStatement({ sid: 'NoPermissionsYet', effect: 'Deny', actions: ['sts:AssumeRole'], resources: [this.resource.arn] }),
              ])
            : this.policy
          ).render(),
      }),
    });
  }

  addToPolicy(statement: PolicyStatement): PolicyStatement {
    this.policy.addStatements(statement);
    return statement;
  }
}
