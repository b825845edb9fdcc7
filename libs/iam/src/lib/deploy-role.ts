import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import { permissionStatements, type PermissionSet } from './permission-set';
import type { PermissionsBoundary } from './permissions-boundary';
import { PolicyDocument, type Condition, type PolicyStatement } from './policy-document';
import { awsPrincipal, condition } from './principals';
import { Role, type Grantable } from './role';
import { grantAssumeRoles, parseRoleArn } from './role-reference';

export interface CrossAccountRoleProps {
  /** Full role name (from the organisation model, e.g. `estate-deploy`). */
  readonly roleName: string;
  readonly description: string;
  /** The only principals that may assume the role (role ARNs, possibly in other accounts). */
  readonly trustedRoleArns: readonly string[];
  /** External id callers must present. */
  readonly externalId: string;
  /** Maximum session, seconds (3600..43200). */
  readonly maxSessionDurationSeconds: number;
  /** The role's permissions. @default - none (grants only) */
  readonly permissions?: readonly PermissionSet[];
  /** `read`: only the read actions of `permissions` (plan roles); `write`: read + write. @default 'write' */
  readonly access?: 'read' | 'write';
  /** @default - none */
  readonly permissionsBoundary?: PermissionsBoundary;
  /** @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/**
 * The trust every cross-account role here uses: the accounts of `roleArns` as
 * principals (their roots, so the roles need not exist yet when this role is created,
 * and a recreated caller keeps working), narrowed by `aws:PrincipalArn` to exactly
 * those roles and by the external id.
 */
export function crossAccountTrust(roleArns: readonly string[], externalId: string, where: string): { principalArns: string[]; conditions: Condition[] } {
  if (roleArns.length === 0) throw new Error(`${where}: at least one trusted role ARN is required`);
  if (!externalId || externalId.trim() !== externalId || externalId.length < 2 || externalId.length > 1224) {
    throw new Error(`${where}: external id '${externalId}' is invalid; expected 2-1224 characters without surrounding spaces`);
  }
  const accounts = [...new Set(roleArns.map((arn) => parseRoleArn(arn, where).accountId))];
  return {
    principalArns: accounts.map((id) => `arn:aws:iam::${id}:root`),
    conditions: [condition('StringEquals', 'sts:ExternalId', externalId), condition('ArnEquals', 'aws:PrincipalArn', ...roleArns)],
  };
}

/** A role in one account assumed by named roles of other accounts, with an external id. */
export class CrossAccountRole extends Role {
  public readonly trustedRoleArns: readonly string[];

  constructor(scope: Construct, id: string, props: CrossAccountRoleProps) {
    const where = `${props.roleName}`;
    const session = props.maxSessionDurationSeconds;
    if (!Number.isInteger(session) || session < 3600 || session > 43200) {
      throw new Error(`${where}: maxSessionDurationSeconds ${session} is outside 3600..43200`);
    }
    const trust = crossAccountTrust(props.trustedRoleArns, props.externalId, where);
    super(scope, id, {
      roleName: props.roleName,
      description: props.description,
      assumedBy: awsPrincipal(...trust.principalArns),
      trustConditions: trust.conditions,
      maxSessionDurationSeconds: session,
      // The policy's `arn` attribute, not the ARN built from its name: the reference is what
      // makes Terraform create the boundary before a role that carries it in the same stack.
      permissionsBoundaryArn: props.permissionsBoundary?.policy.arn,
      provider: props.provider,
    });
    this.trustedRoleArns = [...props.trustedRoleArns];
    for (const statement of permissionStatements(props.permissions ?? [], props.access ?? 'write')) this.addToPolicy(statement);
  }

  /** Lets `grantee` assume this role (it must also be one of the trusted roles). */
  grantAssume(grantee: Grantable): PolicyStatement {
    return grantAssumeRoles(grantee, [this.roleArn]);
  }
}

export interface DeployRoleProps extends Omit<CrossAccountRoleProps, 'access' | 'permissionsBoundary'> {
  /** The boundary the role carries, and every role it creates must carry. */
  readonly boundary: PermissionsBoundary;
  /** Name of the managed policies that hold `permissions` (`<name>-1`, `<name>-2`, ...), from Naming. */
  readonly permissionsPolicyName: string;
}

/** Managed policies hold at most 6,144 characters; keep a margin for the document wrapper. */
const MANAGED_POLICY_BUDGET = 6000;

/** Splits statements, in order, into documents that each fit a managed policy. */
export function chunkStatements(statements: readonly PolicyStatement[], budget = MANAGED_POLICY_BUDGET): PolicyStatement[][] {
  const chunks: PolicyStatement[][] = [];
  let current: PolicyStatement[] = [];
  for (const statement of statements) {
    const size = new PolicyDocument([...current, statement]).render().length;
    if (size > budget && current.length > 0) {
      chunks.push(current);
      current = [statement];
    } else {
      current.push(statement);
    }
    if (new PolicyDocument(current).render().length > budget) {
      throw new Error(`statement ${statement.props.sid ?? ''} alone exceeds ${budget} characters; split its permission set`);
    }
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * The role the deploy driver assumes in an account to apply its stacks. It carries the
 * permissions boundary, and everything it is granted is added to the boundary too, so
 * the boundary always covers the role and caps the roles it creates (which must carry
 * the same boundary: see `IamBoundedRoles` in the environment permissions). The
 * boundary also denies every change to this role itself.
 */
export class DeployRole extends CrossAccountRole {
  public readonly boundary: PermissionsBoundary;
  /** The managed policies holding the role's permission sets (an inline policy is limited to 10,240 characters). */
  public readonly permissionPolicies: IamPolicy[];

  constructor(scope: Construct, id: string, props: DeployRoleProps) {
    super(scope, id, { ...props, permissions: undefined, access: 'write', permissionsBoundary: props.boundary });
    this.boundary = props.boundary;
    const statements = permissionStatements(props.permissions ?? [], 'write');
    this.permissionPolicies = chunkStatements(statements).map((chunk, i) => {
      const name = `${props.permissionsPolicyName}-${i + 1}`;
      const policy = new IamPolicy(this, `permissions-${i + 1}`, {
        provider: props.provider,
        name,
        description: `Permissions ${i + 1} of the ${props.roleName} role`,
        policy: new PolicyDocument(chunk).render(),
      });
      new IamRolePolicyAttachment(this, `permissions-${i + 1}-attachment`, { provider: props.provider, role: this.resource.name, policyArn: policy.arn });
      return policy;
    });
    props.boundary.protectPolicy(`arn:aws:iam::${props.boundary.accountId}:policy/${props.permissionsPolicyName}-*`);
    for (const statement of statements) props.boundary.addToPolicy(statement);
    props.boundary.protectRole(`arn:aws:iam::${props.boundary.accountId}:role/${props.roleName}`);
  }

  override addToPolicy(statement: PolicyStatement): PolicyStatement {
    super.addToPolicy(statement);
    // `boundary` is unset only while the base constructor runs, and DeployRole passes it no permissions.
    this.boundary?.addToPolicy(statement);
    return statement;
  }
}

export type PlanRoleProps = Omit<CrossAccountRoleProps, 'access'>;

/**
 * The read-only role `terraform plan` uses on pull requests: only the read actions of
 * the permission sets (Describe/Get/List), plus whatever read grants (state) add.
 */
export class PlanRole extends CrossAccountRole {
  constructor(scope: Construct, id: string, props: PlanRoleProps) {
    super(scope, id, { ...props, permissions: undefined, access: 'read' });
    for (const statement of permissionStatements(props.permissions ?? [], 'read')) this.addToPolicy(statement);
  }
}
