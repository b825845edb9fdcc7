import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { compactAllows } from './compact-policy';
import { permissionStatements, type PermissionSet } from './permission-set';
import { PolicyDocument, PolicyStatement } from './policy-document';

export interface PermissionsBoundaryProps {
  /** Managed policy name (from Naming, e.g. `dev-deploy-boundary`). */
  readonly policyName: string;
  /** Account the policy lives in (its ARN is built from it, so the policy can refer to itself). */
  readonly accountId: string;
  readonly description: string;
  /** What roles carrying the boundary may do beyond what is added later (e.g. the workloads' needs). @default - none */
  readonly permissions?: readonly PermissionSet[];
  /** @default - the stack's default provider */
  readonly provider?: AwsProvider;
}

/** Actions that would let a holder loosen or drop a boundary. */
const BOUNDARY_TAMPERING = ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'];

/** Actions that change a role (used to protect the deploy and plan roles). */
export const ROLE_CHANGES = [
  'iam:DeleteRole*', 'iam:UpdateRole*', 'iam:UpdateAssumeRolePolicy', 'iam:PutRole*', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:TagRole', 'iam:UntagRole',
];

/**
 * A customer managed policy used as the permissions boundary of the deploy role and of
 * every role the deploy role creates. The effective permissions of such a role are the
 * intersection of its own policy and this boundary, so nothing it creates can be more
 * powerful than the boundary allows. Its Allow statements are a compact superset of
 * what it is given (see {@link compactAllows}: the exact policies would not fit the
 * 6,144-character limit of a managed policy). Besides them the boundary always
 * denies changing itself and removing a boundary from any role; owners add further
 * denies with {@link PermissionsBoundary.deny} (the state backend, the deploy role).
 */
export class PermissionsBoundary extends Construct {
  public readonly policy: IamPolicy;
  /** The policy's ARN, built from account and name (known at synth time). */
  public readonly policyArn: string;
  public readonly policyName: string;
  public readonly accountId: string;
  private readonly allows = new PolicyDocument();
  private readonly denies: PolicyDocument;
  private readonly seen = new Set<string>();
  private readonly protectedRoles: string[] = [];
  private readonly protectedPolicies: string[] = [];

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    if (!/^\d{12}$/.test(props.accountId)) {
      throw new Error(`PermissionsBoundary ${id}: accountId '${props.accountId}' is not a 12-digit account id`);
    }
    if (!/^[\w+=,.@-]{1,128}$/.test(props.policyName)) {
      throw new Error(`PermissionsBoundary ${id}: policy name '${props.policyName}' is invalid; expected 1-128 of letters, digits and +=,.@_-`);
    }
    this.policyName = props.policyName;
    this.accountId = props.accountId;
    this.policyArn = `arn:aws:iam::${props.accountId}:policy/${props.policyName}`;
    this.protectedPolicies.push(this.policyArn);
    this.denies = new PolicyDocument([
      new PolicyStatement({ sid: 'DenyPolicyChanges', effect: 'Deny', actions: BOUNDARY_TAMPERING, resources: this.protectedPolicies }),
      new PolicyStatement({
        sid: 'DenyBoundaryRemoval',
        effect: 'Deny',
        actions: ['iam:DeleteRolePermissionsBoundary'],
        resources: [`arn:aws:iam::${props.accountId}:role/*`],
      }),
      // No role carrying the boundary may step into another role of its account: a role
      // the deploy role creates (and could make trust it) is never a way around its limits.
      new PolicyStatement({
        sid: 'DenyAssumeRolesInAccount',
        effect: 'Deny',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [`arn:aws:iam::${props.accountId}:role/*`],
      }),
    ]);
    this.allowPermissions(props.permissions ?? []);
    this.policy = new IamPolicy(this, 'policy', {
      provider: props.provider,
      name: props.policyName,
      description: props.description,
      policy: Lazy.stringValue({
        produce: () => new PolicyDocument(this.statements).render(),
      }),
    });
  }

  /** Every statement of the boundary as rendered: the compacted allows, then the denies. */
  get statements(): readonly PolicyStatement[] {
    const protectRoles = this.protectedRoles.length
      ? [new PolicyStatement({ sid: 'DenyProtectedRoleChanges', effect: 'Deny', actions: ROLE_CHANGES, resources: this.protectedRoles })]
      : [];
    return [...compactAllows(this.allows.statementList, this.accountId), ...this.denies.statementList, ...protectRoles];
  }

  /** The exact Allow statements the boundary was given (before compaction). */
  get allowStatements(): readonly PolicyStatement[] {
    return this.allows.statementList;
  }

  /** Denies changing the managed policy `policyArn` (the boundary itself, the deploy role's permission policies). */
  protectPolicy(policyArn: string): void {
    if (!this.protectedPolicies.includes(policyArn)) this.protectedPolicies.push(policyArn);
  }

  /** Denies every change to the role `roleArn` (the deploy and plan roles), to the roles carrying the boundary. */
  protectRole(roleArn: string): void {
    if (!this.protectedRoles.includes(roleArn)) this.protectedRoles.push(roleArn);
  }

  /**
   * Allows what `statement` allows for roles carrying the boundary. The same statement
   * added twice (one grant reaching the boundary through two roles) is kept once.
   */
  addToPolicy(statement: PolicyStatement): PolicyStatement {
    if (statement.effect !== 'Allow') throw new Error(`PermissionsBoundary ${this.node.id}: use deny() for Deny statements`);
    const key = JSON.stringify(statement.toJSON());
    if (this.seen.has(key)) return statement;
    this.seen.add(key);
    this.allows.addStatements(statement);
    return statement;
  }

  /** Allows the write-mode statements of `sets` (e.g. what the workloads' roles need). */
  allowPermissions(sets: readonly PermissionSet[]): PolicyStatement[] {
    return permissionStatements(sets, 'write').map((statement) => this.addToPolicy(statement));
  }

  /** Denies `actions` on `resources` to every role carrying the boundary, whatever its own policy says. */
  deny(sid: string, actions: readonly string[], resources: readonly string[]): PolicyStatement {
    const statement = new PolicyStatement({ sid, effect: 'Deny', actions, resources });
    this.denies.addStatements(statement);
    return statement;
  }
}
