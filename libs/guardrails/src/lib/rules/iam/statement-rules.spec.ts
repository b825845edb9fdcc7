import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Fn } from 'cdktf';
import { nonCompliant, type Rule, type RuleResult } from '../../types';
import { resultFor, testStack } from '../test-support';
import { noAllowWithNotElements } from './no-allow-with-not-elements';
import { noWildcardPrincipal } from './no-wildcard-principal';
import { policiesAreReadable } from './policies-are-readable';

type Statement = Record<string, unknown>;

const doc = (...Statement: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const ecsTrust = doc({ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' });
const COMPLIANT: RuleResult = { status: 'compliant' };
const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };

/** What `rule` says about a bucket policy with these statements. */
function bucketPolicy(rule: Rule, ...statements: Statement[]): RuleResult {
  const stack = testStack();
  new S3BucketPolicy(stack, 'policy', { bucket: 'dev-data', policy: doc(...statements) });
  return resultFor(stack, rule, 'aws_s3_bucket_policy.policy');
}

describe('MIG-IAM-1 readable policies (edges)', () => {
  it('is not applicable to a resource without a policy document', () => {
    const stack = testStack();
    new KmsKey(stack, 'key', { enableKeyRotation: true });
    expect(resultFor(stack, policiesAreReadable, 'aws_kms_key.key')).toEqual(NOT_APPLICABLE);
  });

  it('reports every unreadable document of a role', () => {
    const stack = testStack();
    new IamRole(stack, 'role', { name: 'dev-app', assumeRolePolicy: Fn.jsonencode({}), inlinePolicy: [{ name: 'read', policy: Fn.jsonencode({}) }] });
    expect(resultFor(stack, policiesAreReadable, 'aws_iam_role.role')).toEqual(
      nonCompliant(
        "assume_role_policy is the Terraform expression '${jsonencode({})}', which is only known at apply time; inline_policy 'read' is the Terraform expression '${jsonencode({})}', which is only known at apply time",
      ),
    );
  });
});

describe('MIG-IAM-4 no Allow with Not elements (edges)', () => {
  it('is not applicable to a policy it cannot read', () => {
    const stack = testStack();
    new IamRolePolicy(stack, 'policy', { role: 'dev-app', policy: Fn.jsonencode({ Statement: [] }) });
    expect(resultFor(stack, noAllowWithNotElements, 'aws_iam_role_policy.policy')).toEqual(NOT_APPLICABLE);
  });

  it('rejects Allow with NotPrincipal, in every statement', () => {
    expect(
      bucketPolicy(
        noAllowWithNotElements,
        { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:role/dev-admin' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::dev-data/*' },
        { Sid: 'Everything', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, NotAction: 's3:DeleteBucket', NotResource: 'arn:aws:s3:::dev-state', NotPrincipal: '*' },
      ),
    ).toEqual(
      nonCompliant("policy statement #1 is an Allow with NotPrincipal; policy statement 'Everything' is an Allow with NotAction and NotResource and NotPrincipal"),
    );
  });
});

describe('MIG-IAM-7 no wildcard principal (edges)', () => {
  it('is not applicable to identity policies', () => {
    const stack = testStack();
    new IamRolePolicy(stack, 'policy', { role: 'dev-app', policy: doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }) });
    expect(resultFor(stack, noWildcardPrincipal, 'aws_iam_role_policy.policy')).toEqual(NOT_APPLICABLE);
  });

  it("judges a role's trust policy, not its inline policies", () => {
    const stack = testStack();
    new IamRole(stack, 'role', { name: 'dev-app', assumeRolePolicy: ecsTrust, inlinePolicy: [{ name: 'read', policy: doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }) }] });
    expect(resultFor(stack, noWildcardPrincipal, 'aws_iam_role.role')).toEqual(COMPLIANT);
  });

  it('finds nothing to object to in a statement without a Principal', () => {
    expect(bucketPolicy(noWildcardPrincipal, { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dev-data/*' })).toEqual(COMPLIANT);
  });

  it('lists every unscoped statement', () => {
    expect(
      bucketPolicy(
        noWildcardPrincipal,
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dev-data/*' },
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::dev-data', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } },
        { Sid: 'Upload', Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::dev-data/*' },
      ),
    ).toEqual(nonCompliant("policy statement #1 allows Principal '*' without a scoping condition; policy statement 'Upload' allows Principal '*' without a scoping condition"));
  });
});
