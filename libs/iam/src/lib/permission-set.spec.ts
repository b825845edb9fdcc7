import { permissionStatements, validatePermissionSet } from './permission-set';

describe('PermissionSet', () => {
  const scoped = { sid: 'Logs', read: ['logs:DescribeLogStreams'], write: ['logs:CreateLogGroup'], resources: ['arn:aws:logs:us-east-1:111111111111:log-group:dev-*'] };

  it('rejects whole-service and all actions', () => {
    expect(() => validatePermissionSet({ ...scoped, write: ['logs:*'] })).toThrow(/'logs:\*' grants a whole service/);
    expect(() => validatePermissionSet({ ...scoped, read: ['*'] })).toThrow(/'\*' grants a whole service/);
  });

  it("accepts '*' resources only with a reason, and a reason only for '*'", () => {
    expect(() => validatePermissionSet({ sid: 'Describe', read: ['ec2:Describe*'], resources: ['*'] })).toThrow(/needs an 'unscoped' reason/);
    expect(() => validatePermissionSet({ ...scoped, unscoped: 'because' })).toThrow(/only for resource '\*'/);
    expect(() => validatePermissionSet({ sid: 'Mixed', read: ['ec2:Describe*'], resources: ['*', 'arn:aws:ec2:us-east-1:111111111111:vpc/*'], unscoped: 'x' })).toThrow(/split the set/);
    expect(() => validatePermissionSet({ sid: 'Describe', read: ['ec2:Describe*'], resources: ['*'], unscoped: 'EC2 Describe has no resource' })).not.toThrow();
  });

  it('gives plan roles the read actions and deploy roles read plus write', () => {
    const [read] = permissionStatements([scoped], 'read');
    const [write] = permissionStatements([scoped], 'write');
    expect(read.toJSON()).toEqual({ Sid: 'ReadLogs', Effect: 'Allow', Action: 'logs:DescribeLogStreams', Resource: scoped.resources[0] });
    expect(write.props.actions).toEqual(['logs:DescribeLogStreams', 'logs:CreateLogGroup']);
    expect(permissionStatements([{ ...scoped, read: [] }], 'read')).toEqual([]);
  });
});
