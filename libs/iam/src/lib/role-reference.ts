import { PolicyStatement } from './policy-document';
import type { Grantable } from './role';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@/-]{1,64})$/;

/** Account id and name parsed from a role ARN, or a clear error. */
export function parseRoleArn(roleArn: string, where: string): { accountId: string; roleName: string } {
  const match = ROLE_ARN.exec(roleArn);
  if (!match) throw new Error(`${where}: '${roleArn}' is not an IAM role ARN (expected arn:aws:iam::<12-digit account>:role/<name>)`);
  return { accountId: match[1], roleName: match[2] };
}

/**
 * A role known by its ARN (usually in another account, from the organisation model),
 * for granting `sts:AssumeRole` on it without a cross-stack reference.
 */
export class RoleReference {
  public readonly accountId: string;
  public readonly roleName: string;

  private constructor(public readonly roleArn: string) {
    const parsed = parseRoleArn(roleArn, 'RoleReference');
    this.accountId = parsed.accountId;
    this.roleName = parsed.roleName;
  }

  static fromArn(roleArn: string): RoleReference {
    return new RoleReference(roleArn);
  }

  /** Lets `grantee` assume this role (the role's own trust policy must trust the grantee too). */
  grantAssume(grantee: Grantable): PolicyStatement {
    return grantAssumeRoles(grantee, [this.roleArn]);
  }
}

/** Lets `grantee` assume each of `roleArns`, in one statement. */
export function grantAssumeRoles(grantee: Grantable, roleArns: readonly string[], sid?: string): PolicyStatement {
  for (const arn of roleArns) parseRoleArn(arn, 'grantAssumeRoles');
  return grantee.addToPolicy(new PolicyStatement({ sid, actions: ['sts:AssumeRole'], resources: roleArns }));
}
