import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { errorText, fail, pass, type CheckRow } from '../types';

export interface DeployRoleTarget {
  /** Role the deploy driver assumes in the environment account. */
  readonly roleArn: string;
  /** External id the role's trust policy requires (organisation model `iam.externalId`). */
  readonly externalId: string;
  /** The ops account the callers (CI role, operators) live in. */
  readonly opsAccountId: string;
}

export interface AssumedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/**
 * The deploy role can be assumed from the ops account with the external id. Run with ops
 * credentials (the CI role or an operator): a caller in another account cannot show that.
 * The credentials it gets are what the other checks use in the environment account.
 */
export async function checkDeployRole(target: DeployRoleTarget, sts: STSClient): Promise<{ row: CheckRow; credentials?: AssumedCredentials }> {
  let caller: string;
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    caller = identity.Arn ?? 'unknown';
    if (identity.Account !== target.opsAccountId) {
      return {
        row: fail('deploy-role', target.roleArn, `caller ${caller} is in account ${identity.Account}, not ops (${target.opsAccountId}): run with the ops CI or operator role to check the assume path`),
      };
    }
  } catch (error) {
    return { row: fail('deploy-role', target.roleArn, `GetCallerIdentity failed: ${errorText(error)}`) };
  }
  try {
    const res = await sts.send(
      new AssumeRoleCommand({ RoleArn: target.roleArn, RoleSessionName: 'estate-integration', ExternalId: target.externalId, DurationSeconds: 900 }),
    );
    const c = res.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      return { row: fail('deploy-role', target.roleArn, 'AssumeRole answered without credentials') };
    }
    return {
      row: pass('deploy-role', target.roleArn, `assumed from ${caller} with the external id as ${res.AssumedRoleUser?.Arn ?? 'unknown'}`),
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
    };
  } catch (error) {
    return { row: fail('deploy-role', target.roleArn, `${caller} cannot assume it with the external id: ${errorText(error)}`) };
  }
}
