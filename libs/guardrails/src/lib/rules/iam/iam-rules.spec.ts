import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Fn, type TerraformStack } from 'cdktf';
import { finding, findings, resultFor, testStack } from '../test-support';
import { crossAccountTrustHasCondition } from './cross-account-trust-has-condition';
import { noAdministratorAccess } from './no-administrator-access';
import { noAllowWithNotElements } from './no-allow-with-not-elements';
import { noDecryptOnAllKeys } from './no-decrypt-on-all-keys';
import { noServiceWildcardActions } from './no-service-wildcard-actions';
import { noWildcardActions } from './no-wildcard-actions';
import { noWildcardPrincipal } from './no-wildcard-principal';
import { policiesAreReadable } from './policies-are-readable';
import { trustLimitedToOrganisation } from './trust-limited-to-organisation';

const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const ecsTrust = doc({ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' });

function rolePolicy(stack: TerraformStack, ...statements: Record<string, unknown>[]) {
  const role = new IamRole(stack, 'role', { name: 'dev-app', assumeRolePolicy: ecsTrust });
  return new IamRolePolicy(stack, 'policy', { role: role.name, policy: doc(...statements) });
}

/** AWS's default key policy, as EncryptionKey in @estate/iam renders it. */
function keyWithDefaultPolicy(stack: TerraformStack, extra: Record<string, unknown>[] = []) {
  const caller = new DataAwsCallerIdentity(stack, 'caller');
  return new KmsKey(stack, 'key', {
    description: 'dev data',
    enableKeyRotation: true,
    policy: doc({ Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${caller.accountId}:root` }, Action: 'kms:*', Resource: '*' }, ...extra),
  });
}

describe('MIG-IAM-1 readable policies', () => {
  it('passes a JSON policy with references inside values', () => {
    const stack = testStack();
    rolePolicy(stack, { Effect: 'Allow', Action: 's3:GetObject', Resource: '${aws_s3_bucket.data.arn}/*' });
    expect(resultFor(stack, policiesAreReadable, 'aws_iam_role_policy.policy')).toEqual({ status: 'compliant' });
  });

  it('reports a jsonencode expression once, and the other IAM rules skip it', () => {
    const stack = testStack();
    new IamRole(stack, 'role', { name: 'dev-app', assumeRolePolicy: Fn.jsonencode({ Statement: [{ Effect: 'Allow', Action: '*' }] }) });
    expect(findings(stack, policiesAreReadable)).toEqual([
      finding(
        policiesAreReadable,
        'aws_iam_role.role',
        `assume_role_policy is the Terraform expression '\${jsonencode({"Statement" = [{"Effect" = "Allow", "Action...', which is only known at apply time`,
      ),
    ]);
    expect(resultFor(stack, noWildcardActions, 'aws_iam_role.role')).toEqual({ status: 'not-applicable' });
  });
});

describe('MIG-IAM-2 no action *', () => {
  it('passes named actions', () => {
    const stack = testStack();
    rolePolicy(stack, { Effect: 'Allow', Action: ['s3:GetObject', 's3:Get*'], Resource: '*' });
    expect(resultFor(stack, noWildcardActions, 'aws_iam_role_policy.policy')).toEqual({ status: 'compliant' });
  });

  it('rejects Allow *', () => {
    const stack = testStack();
    rolePolicy(stack, { Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' });
    expect(findings(stack, noWildcardActions)).toEqual([finding(noWildcardActions, 'aws_iam_role_policy.policy', "policy statement 'Everything' allows action '*'")]);
  });
});

describe('MIG-IAM-3 no service:*', () => {
  it("passes AWS's default key policy (kms:* for the account root)", () => {
    const stack = testStack();
    keyWithDefaultPolicy(stack);
    expect(resultFor(stack, noServiceWildcardActions, 'aws_kms_key.key')).toEqual({ status: 'compliant' });
  });

  it('rejects kms:* for a role in a key policy', () => {
    const stack = testStack();
    keyWithDefaultPolicy(stack, [{ Sid: 'AppAdmin', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/dev-app' }, Action: 'kms:*', Resource: '*' }]);
    expect(findings(stack, noServiceWildcardActions)).toEqual([finding(noServiceWildcardActions, 'aws_kms_key.key', "key policy statement 'AppAdmin' allows 'kms:*'")]);
  });

  it('rejects kms:* for the root of another account', () => {
    const stack = testStack();
    new KmsKey(stack, 'key', {
      enableKeyRotation: true,
      policy: doc({ Sid: 'Other', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'kms:*', Resource: '*' }),
    });
    expect(findings(stack, noServiceWildcardActions)).toHaveLength(1);
  });

  it('rejects s3:* in an identity policy', () => {
    const stack = testStack();
    rolePolicy(stack, { Effect: 'Allow', Action: ['s3:*'], Resource: 'arn:aws:s3:::dev-data/*' });
    expect(findings(stack, noServiceWildcardActions)).toEqual([finding(noServiceWildcardActions, 'aws_iam_role_policy.policy', "policy statement #1 allows 's3:*'")]);
  });
});

describe('MIG-IAM-4 no Allow with Not elements', () => {
  it('passes NotAction in a Deny', () => {
    const stack = testStack();
    rolePolicy(stack, { Effect: 'Deny', NotAction: 'iam:Get*', Resource: '*' }, { Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' });
    expect(resultFor(stack, noAllowWithNotElements, 'aws_iam_role_policy.policy')).toEqual({ status: 'compliant' });
  });

  it('rejects Allow with NotAction and NotResource', () => {
    const stack = testStack();
    new IamPolicy(stack, 'managed', { name: 'dev-broad', policy: doc({ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::dev-state' }) });
    expect(findings(stack, noAllowWithNotElements)).toEqual([
      finding(noAllowWithNotElements, 'aws_iam_policy.managed', 'policy statement #1 is an Allow with NotAction and NotResource'),
    ]);
  });
});

describe('MIG-IAM-5 no kms:Decrypt on all keys', () => {
  it('passes decrypt on a named key, and key policies with Resource *', () => {
    const stack = testStack();
    rolePolicy(stack, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '${aws_kms_key.data.arn}' });
    keyWithDefaultPolicy(stack, [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/dev-app' }, Action: 'kms:Decrypt', Resource: '*' }]);
    expect(resultFor(stack, noDecryptOnAllKeys, 'aws_iam_role_policy.policy')).toEqual({ status: 'compliant' });
    expect(resultFor(stack, noDecryptOnAllKeys, 'aws_kms_key.key')).toEqual({ status: 'not-applicable' });
  });

  it('passes decrypt on key/* only through Secrets Manager (RDS-managed master secrets with a customer key)', () => {
    const stack = testStack();
    rolePolicy(stack, {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: 'arn:aws:kms:us-east-1:111111111111:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
    expect(resultFor(stack, noDecryptOnAllKeys, 'aws_iam_role_policy.policy')).toEqual({ status: 'compliant' });
  });

  it('still rejects decrypt on key/* through another service, or with a looser operator', () => {
    for (const Condition of [
      { StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com'] } },
      { StringLike: { 'kms:ViaService': 'secretsmanager.*' } },
    ]) {
      const stack = testStack();
      rolePolicy(stack, { Sid: 'Decrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111111111111:key/*', Condition });
      expect(resultFor(stack, noDecryptOnAllKeys, 'aws_iam_role_policy.policy').status).toBe('non-compliant');
    }
  });

  it('rejects kms:Decrypt on * and on key/*', () => {
    const stack = testStack();
    rolePolicy(stack, { Sid: 'Decrypt', Effect: 'Allow', Action: ['kms:Decrypt*'], Resource: ['*', 'arn:aws:kms:us-east-1:111111111111:key/*'] });
    expect(findings(stack, noDecryptOnAllKeys)).toEqual([
      finding(
        noDecryptOnAllKeys,
        'aws_iam_role_policy.policy',
        "policy statement 'Decrypt' allows decryption (kms:Decrypt*) on Resource '*', 'arn:aws:kms:us-east-1:111111111111:key/*'",
      ),
    ]);
  });
});

describe('MIG-IAM-6 cross-account trust needs a condition', () => {
  const trust = (statement: Record<string, unknown>) => doc({ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement });

  it('passes another account with an external id, and the own account without one', () => {
    const stack = testStack();
    new IamRole(stack, 'role', {
      name: 'dev-deploy',
      assumeRolePolicy: doc(
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::444444444444:role/ops-ci' }, Condition: { StringEquals: { 'sts:ExternalId': 'estate' } } },
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:root' } },
      ),
    });
    expect(resultFor(stack, crossAccountTrustHasCondition, 'aws_iam_role.role')).toEqual({ status: 'compliant' });
  });

  it('rejects another account without a condition', () => {
    const stack = testStack();
    new IamRole(stack, 'role', { name: 'dev-deploy', assumeRolePolicy: trust({ Principal: { AWS: 'arn:aws:iam::444444444444:root' } }) });
    expect(findings(stack, crossAccountTrustHasCondition)).toEqual([
      finding(
        crossAccountTrustHasCondition,
        'aws_iam_role.role',
        "trust statement #1 lets 'arn:aws:iam::444444444444:root' assume the role without sts:ExternalId, MFA, aws:PrincipalArn or aws:PrincipalOrgID",
      ),
    ]);
  });

  it('does not accept aws:MultiFactorAuthPresent = false as a condition', () => {
    const stack = testStack();
    new IamRole(stack, 'role', {
      name: 'dev-deploy',
      assumeRolePolicy: trust({ Principal: { AWS: '444444444444' }, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }),
    });
    expect(findings(stack, crossAccountTrustHasCondition)).toHaveLength(1);
  });

  it('rejects GitHub OIDC trust without a sub condition', () => {
    const stack = testStack();
    new IamRole(stack, 'role', {
      name: 'dev-ci',
      assumeRolePolicy: doc({
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' },
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      }),
    });
    expect(findings(stack, crossAccountTrustHasCondition)[0].message).toMatch(/^trust statement #1 lets federated '.*token\.actions\.githubusercontent\.com' assume the role without a ':sub' condition/);
  });
});

describe('MIG-IAM-7 no wildcard principal', () => {
  it('passes the TLS deny for * and an org-scoped allow', () => {
    const stack = testStack();
    new S3BucketPolicy(stack, 'policy', {
      bucket: 'dev-data',
      policy: doc(
        { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::dev-data/*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } },
      ),
    });
    expect(resultFor(stack, noWildcardPrincipal, 'aws_s3_bucket_policy.policy')).toEqual({ status: 'compliant' });
  });

  it('rejects an unscoped Allow to * in a bucket policy', () => {
    const stack = testStack();
    new S3BucketPolicy(stack, 'policy', { bucket: 'dev-data', policy: doc({ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dev-data/*' }) });
    expect(findings(stack, noWildcardPrincipal)).toEqual([
      finding(noWildcardPrincipal, 'aws_s3_bucket_policy.policy', "policy statement 'Public' allows Principal '*' without a scoping condition"),
    ]);
  });

  it('rejects * in a trust policy even with a condition', () => {
    const stack = testStack();
    new IamRole(stack, 'role', {
      name: 'dev-any',
      assumeRolePolicy: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }),
    });
    expect(findings(stack, noWildcardPrincipal)).toEqual([finding(noWildcardPrincipal, 'aws_iam_role.role', "assume_role_policy statement #1 allows Principal '*'")]);
  });
});

describe('MIG-IAM-8 no AdministratorAccess', () => {
  it('passes a customer managed policy attachment', () => {
    const stack = testStack();
    new IamRolePolicyAttachment(stack, 'attach', { role: 'dev-app', policyArn: 'arn:aws:iam::111111111111:policy/dev-app' });
    expect(resultFor(stack, noAdministratorAccess, 'aws_iam_role_policy_attachment.attach')).toEqual({ status: 'compliant' });
  });

  it('rejects attaching AdministratorAccess', () => {
    const stack = testStack();
    new IamRolePolicyAttachment(stack, 'attach', { role: 'dev-app', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    expect(findings(stack, noAdministratorAccess)).toEqual([
      finding(noAdministratorAccess, 'aws_iam_role_policy_attachment.attach', "policy_arn attaches 'arn:aws:iam::aws:policy/AdministratorAccess'"),
    ]);
  });
});

describe('MIG-IAM-9 trust limited to services and the organisation', () => {
  const ORG = { environment: 'dev', tier: 'non-production' as const, namePrefix: 'dev-', requiredTagKeys: [], accountId: '111111111111', organisationAccountIds: ['111111111111', '222222222222'] };
  const role = (stack: TerraformStack, principal: Record<string, unknown>) =>
    new IamRole(stack, 'role', { name: 'dev-app', assumeRolePolicy: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }) });

  it('passes service principals and roles of organisation accounts', () => {
    for (const principal of [{ Service: 'ecs-tasks.amazonaws.com' }, { AWS: 'arn:aws:iam::222222222222:role/estate-ci' }, { AWS: 'arn:aws:iam::111111111111:root' }]) {
      const stack = testStack();
      role(stack, principal);
      expect(resultFor(stack, trustLimitedToOrganisation, 'aws_iam_role.role', ORG)).toEqual({ status: 'compliant' });
    }
  });

  it('rejects an account outside the organisation, and anyone', () => {
    const stack = testStack();
    role(stack, { AWS: 'arn:aws:iam::999999999999:role/attacker' });
    expect(findings(stack, trustLimitedToOrganisation, ORG)).toEqual([
      finding(trustLimitedToOrganisation, 'aws_iam_role.role', "trust statement #1 lets 'arn:aws:iam::999999999999:role/attacker' (account 999999999999, not in the organisation) assume the role"),
    ]);
    const open = testStack();
    role(open, { AWS: '*' });
    expect(resultFor(open, trustLimitedToOrganisation, 'aws_iam_role.role', ORG).status).toBe('non-compliant');
  });
});
