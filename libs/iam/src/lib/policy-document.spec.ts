import { PolicyDocument, PolicyStatement } from './policy-document';
import { awsPrincipal, condition } from './principals';

describe('PolicyDocument', () => {
  it('renders typed statements in the IAM grammar, single values unwrapped', () => {
    const doc = new PolicyDocument([
      new PolicyStatement({ sid: 'Read', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::dev-assets/*'] }),
      new PolicyStatement({
        effect: 'Deny',
        actions: ['s3:*'],
        resources: ['arn:aws:s3:::dev-assets', 'arn:aws:s3:::dev-assets/*'],
        principals: [awsPrincipal('*')],
        conditions: [condition('Bool', 'aws:SecureTransport', 'false')],
      }),
    ]);
    expect(JSON.parse(doc.render())).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dev-assets/*' },
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: ['arn:aws:s3:::dev-assets', 'arn:aws:s3:::dev-assets/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
  });

  it('merges conditions on the same operator', () => {
    const statement = new PolicyStatement({
      actions: ['sts:AssumeRole'],
      conditions: [condition('StringEquals', 'sts:ExternalId', 'x'), condition('StringEquals', 'aws:PrincipalArn', 'a', 'b')],
    });
    expect(statement.toJSON()['Condition']).toEqual({ StringEquals: { 'sts:ExternalId': 'x', 'aws:PrincipalArn': ['a', 'b'] } });
  });

  it('rejects a statement without actions or with something that is not an action', () => {
    expect(() => new PolicyStatement({ sid: 'Empty', actions: [] })).toThrow('PolicyStatement Empty: at least one action is required');
    expect(() => new PolicyStatement({ actions: ['GetObject'] })).toThrow("'GetObject' is not an IAM action (expected service:Action)");
  });
});
