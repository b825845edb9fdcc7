import { accountLevelArn, compactAllows, globMatches, verbPattern } from './compact-policy';
import { PolicyStatement } from './policy-document';
import { condition } from './principals';

const ACCOUNT = '333333333333';

/** Whether some Allow of `allows` covers `action` on `resource` (conditions of the covering statement must be among `conditions`). */
function covered(allows: readonly PolicyStatement[], action: string, resource: string, conditionKeys: string[]): boolean {
  return allows.some(
    (s) =>
      s.props.actions.some((a) => globMatches(a, action)) &&
      (s.props.resources ?? []).some((r) => r === resource || globMatches(r, resource)) &&
      (s.props.conditions ?? []).every((c) => conditionKeys.includes(c.variable)),
  );
}

describe('compactAllows', () => {
  const statements = [
    new PolicyStatement({ actions: ['ec2:CreateVpc', 'ec2:DeleteVpc'], resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:*`] }),
    new PolicyStatement({ actions: ['ec2:CreateVpcPeeringConnection'], resources: ['arn:aws:ec2:us-east-1:111111111111:vpc/*'] }),
    new PolicyStatement({ actions: ['rds:CreateDBInstance'], resources: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:dev-*`] }),
    new PolicyStatement({ actions: ['s3:CreateBucket'], resources: ['arn:aws:s3:::dev-*', 'arn:aws:s3:::dev-tfstate-1'] }),
    new PolicyStatement({ actions: ['ec2:DescribeVpcs', 'ecs:CreateCluster'], resources: ['*'] }),
    new PolicyStatement({ actions: ['iam:GetRole', 'iam:DeleteRole'], resources: [`arn:aws:iam::${ACCOUNT}:role/dev-*`] }),
    new PolicyStatement({
      actions: ['iam:CreateRole'],
      resources: [`arn:aws:iam::${ACCOUNT}:role/dev-*`],
      conditions: [condition('StringEquals', 'iam:PermissionsBoundary', `arn:aws:iam::${ACCOUNT}:policy/dev-deploy-boundary`)],
    }),
    new PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['arn:aws:iam::111111111111:role/estate-legacy-migration'] }),
  ];
  const compact = compactAllows(statements, ACCOUNT);

  it('allows every action on every resource the exact statements allow', () => {
    for (const s of statements) {
      for (const action of s.props.actions) {
        for (const resource of s.props.resources ?? []) {
          expect([action, resource, covered(compact, action, resource, (s.props.conditions ?? []).map((c) => c.variable))]).toEqual([action, resource, true]);
        }
      }
    }
  });

  it('keeps IAM resources exact and the boundary condition on role creation', () => {
    const bounded = compact.find((s) => s.props.sid === 'IamBounded');
    expect(bounded?.props.conditions?.map((c) => c.variable)).toEqual(['iam:PermissionsBoundary']);
    expect(bounded?.props.actions).toEqual(['iam:Create*']);
    expect(compact.find((s) => s.props.sid === 'Iam')?.props.resources).toEqual([`arn:aws:iam::${ACCOUNT}:role/dev-*`]);
    expect(compact.find((s) => s.props.sid === 'Sts')?.props.actions).toEqual(['sts:AssumeRole']);
    // No non-IAM statement could reach an IAM role.
    expect(covered(compact.filter((s) => s.props.sid !== 'Iam' && s.props.sid !== 'IamBounded'), 'iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/estate-deploy`, [])).toBe(false);
  });

  it("keeps write actions on '*' exact and compacts only read verbs there", () => {
    expect(compact.find((s) => s.props.sid === 'Unscoped1')?.props.actions).toEqual(['ec2:Describe*', 'ecs:CreateCluster']);
  });

  it('drops resources another entry already covers and pins other accounts by service', () => {
    const services = compact.find((s) => s.props.sid === 'Services');
    expect(services?.props.resources).toEqual([
      `arn:aws:*:us-east-1:${ACCOUNT}:*`,
      'arn:aws:ec2:us-east-1:111111111111:*',
      'arn:aws:s3:::dev-*',
    ]);
  });

  it('turns actions into verb patterns and ARNs into account-level patterns', () => {
    expect(verbPattern('ec2:CreateVpc')).toBe('ec2:Create*');
    expect(verbPattern('kms:GenerateDataKey*')).toBe('kms:GenerateDataKey*');
    expect(accountLevelArn(`arn:aws:rds:us-east-1:${ACCOUNT}:db:dev-x`, ACCOUNT)).toBe(`arn:aws:*:us-east-1:${ACCOUNT}:*`);
    expect(accountLevelArn(`arn:aws:iam::${ACCOUNT}:role/dev-x`, ACCOUNT)).toBe(`arn:aws:iam::${ACCOUNT}:role/dev-x`);
    expect(accountLevelArn('arn:aws:s3:::dev-x', ACCOUNT)).toBe('arn:aws:s3:::dev-x');
  });
});
