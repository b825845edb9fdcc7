import { Instance } from '@cdktf/provider-aws/lib/instance';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { evaluate, stackView } from './engine';
import { securityGroupNotOpenToWorld } from './rules/vpc/security-group-not-open-to-world';
import { DEV, openSsh, testStack } from './rules/test-support';
import { suppressRules } from './suppressions';
import { nonCompliant, type Rule, type Suppression } from './types';

/** A rule that finds every resource non-compliant. */
const flagsEverything: Rule = {
  id: 'TEST-1',
  title: 'flags everything',
  severity: 'warning',
  rationale: 'test',
  fix: 'nothing to fix',
  standard: 'none',
  resourceTypes: [],
  check: (resource) => nonCompliant(`${resource.address} flagged`),
};

const openSshDetail = `ingress #1 of security group 'dev-bastion' allows tcp port 22 from 0.0.0.0/0. Fix: ${securityGroupNotOpenToWorld.fix}`;

const at = { stack: 'test', path: 'test/bastion', address: 'aws_security_group.bastion' };
const openSshFinding = { ruleId: 'MIG-VPC-1', severity: 'error', ...at, message: openSshDetail };

describe('stackView', () => {
  it('takes each resource path from the construct tree, not from the logical name', () => {
    const stack = testStack();
    const group = new Construct(stack, 'storage');
    const bucket = new S3Bucket(group, 'data', { bucket: 'dev-data' });
    const view = stackView(stack);
    const resource = view.resources.find((r) => r.type === 'aws_s3_bucket');
    expect(resource?.name).not.toBe('data');
    expect(resource?.path).toBe('test/storage/data');
    expect(resource?.construct).toBe(bucket);
  });

  it('names a resource written into the stack JSON by an override after the stack and its logical name, with no construct', () => {
    const stack = testStack();
    stack.addOverride('resource.aws_s3_bucket.extra', { bucket: 'dev-extra' });
    stack.addOverride('resource.aws_s3_bucket.noted', { bucket: 'dev-noted', '//': { comment: 'hand-written' } });
    expect(stackView(stack).resources.map(({ address, path, construct }) => ({ address, path, construct }))).toEqual([
      { address: 'aws_s3_bucket.extra', path: 'test/extra', construct: undefined },
      { address: 'aws_s3_bucket.noted', path: 'test/noted', construct: undefined },
    ]);
  });

  it('checks a resource without a construct with no suppressions', () => {
    const stack = testStack();
    stack.addOverride('resource.aws_s3_bucket.extra', { bucket: 'dev-extra' });
    expect(evaluate(stack, DEV, [flagsEverything])).toEqual({
      findings: [
        {
          ruleId: 'TEST-1',
          severity: 'warning',
          stack: 'test',
          path: 'test/extra',
          address: 'aws_s3_bucket.extra',
          message: 'aws_s3_bucket.extra flagged. Fix: nothing to fix',
        },
      ],
      suppressed: [],
    });
  });

  it('resolves only a reference string to a resource in the stack', () => {
    const stack = testStack();
    new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    const view = stackView(stack);
    expect(view.resolveReference('${aws_s3_bucket.data.arn}')?.address).toBe('aws_s3_bucket.data');
    expect(view.resolveReference('${aws_s3_bucket.data}')?.address).toBe('aws_s3_bucket.data');
    expect(view.resolveReference(['${aws_s3_bucket.data.arn}'])).toBeUndefined();
    expect(view.resolveReference('${aws_s3_bucket.missing.arn}')).toBeUndefined();
    expect(view.resolveReference('arn:aws:s3:::dev-data')).toBeUndefined();
    expect(view.resolveReference(undefined)).toBeUndefined();
  });

  it('finds the resources of one type whose argument refers to the target', () => {
    const stack = testStack();
    const data = new S3Bucket(stack, 'data', { bucket: 'dev-data' });
    const archive = new S3Bucket(stack, 'data_archive', { bucket: 'dev-data-archive' });
    new S3BucketPublicAccessBlock(stack, 'data_pab', { bucket: data.id, blockPublicAcls: true });
    new S3BucketPublicAccessBlock(stack, 'archive_pab', { bucket: archive.id, blockPublicAcls: true });
    new S3BucketPublicAccessBlock(stack, 'literal_pab', { bucket: 'dev-data', blockPublicAcls: true });
    new S3BucketVersioningA(stack, 'data_versioning', { bucket: data.id, versioningConfiguration: { status: 'Enabled' } });
    stack.addOverride('resource.aws_s3_bucket_public_access_block.handwritten', { block_public_acls: true });
    const view = stackView(stack);
    const target = view.resources.find((r) => r.address === 'aws_s3_bucket.data');
    if (!target) throw new Error('no aws_s3_bucket.data');
    expect(view.referencing('aws_s3_bucket_public_access_block', 'bucket', target).map((r) => r.address)).toEqual([
      'aws_s3_bucket_public_access_block.data_pab',
    ]);
  });

  it('finds a resource whose list argument refers to the target in any element', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'web', { name: 'dev-web', description: 'web' });
    new Instance(stack, 'mixed', { ami: 'ami-1', instanceType: 't3.micro', vpcSecurityGroupIds: ['sg-0123', sg.id] });
    new Instance(stack, 'literal', { ami: 'ami-1', instanceType: 't3.micro', vpcSecurityGroupIds: ['sg-0123'] });
    new Instance(stack, 'none', { ami: 'ami-1', instanceType: 't3.micro' });
    const view = stackView(stack);
    const target = view.resources.find((r) => r.address === 'aws_security_group.web');
    if (!target) throw new Error('no aws_security_group.web');
    expect(view.referencing('aws_instance', 'vpc_security_group_ids', target).map((r) => r.address)).toEqual(['aws_instance.mixed']);
  });
});

describe('suppression reasons', () => {
  function suppressedWith(suppression: Suppression, rules: Rule[] = [securityGroupNotOpenToWorld]) {
    const { stack, sg } = openSsh();
    suppressRules(sg, [suppression]);
    return evaluate(stack, DEV, rules);
  }

  it('reports a suppression without any reason as having none, and suppresses nothing', () => {
    expect(suppressedWith({ id: 'MIG-VPC-1' } as Suppression)).toEqual({
      findings: [
        {
          ruleId: 'MIG-GR-1',
          severity: 'error',
          ...at,
          message: "suppression of MIG-VPC-1 has no real reason (got ''); write why this resource may break the rule (10+ characters)",
        },
        openSshFinding,
      ],
      suppressed: [],
    });
  });

  it('reports a suppression whose reason is not a string, and suppresses nothing', () => {
    expect(suppressedWith({ id: 'MIG-VPC-1', reason: 12345678901 } as unknown as Suppression).findings.map((f) => f.ruleId)).toEqual([
      'MIG-GR-1',
      'MIG-VPC-1',
    ]);
  });

  it('quotes a short reason back', () => {
    expect(suppressedWith({ id: 'MIG-VPC-1', reason: 'temporary' })).toEqual({
      findings: [
        {
          ruleId: 'MIG-GR-1',
          severity: 'error',
          ...at,
          message: "suppression of MIG-VPC-1 has no real reason (got 'temporary'); write why this resource may break the rule (10+ characters)",
        },
        openSshFinding,
      ],
      suppressed: [],
    });
  });

  it('counts a reason without its surrounding spaces', () => {
    expect(suppressedWith({ id: 'MIG-VPC-1', reason: '    padded    ' })).toEqual({
      findings: [
        {
          ruleId: 'MIG-GR-1',
          severity: 'error',
          ...at,
          message: "suppression of MIG-VPC-1 has no real reason (got '    padded    '); write why this resource may break the rule (10+ characters)",
        },
        openSshFinding,
      ],
      suppressed: [],
    });
  });

  it('accepts a reason of exactly 10 characters, not one of 9', () => {
    expect('cutover!!!').toHaveLength(10);
    expect(suppressedWith({ id: 'MIG-VPC-1', reason: '  cutover!!!  ' })).toEqual({
      findings: [],
      suppressed: [{ ...openSshFinding, reason: '  cutover!!!  ' }],
    });
    expect(suppressedWith({ id: 'MIG-VPC-1', reason: 'cutover!!' }).findings.map((f) => f.ruleId)).toEqual(['MIG-GR-1', 'MIG-VPC-1']);
  });

  it('suppresses only the rule it names', () => {
    expect(suppressedWith({ id: 'TEST-1', reason: 'a test rule, suppressed here' }, [securityGroupNotOpenToWorld, flagsEverything])).toEqual({
      findings: [openSshFinding],
      suppressed: [
        {
          ruleId: 'TEST-1',
          severity: 'warning',
          ...at,
          message: 'aws_security_group.bastion flagged. Fix: nothing to fix',
          reason: 'a test rule, suppressed here',
        },
      ],
    });
  });

  it('reports a suppression of an unknown rule as an error on the resource, and still reports the finding', () => {
    expect(suppressedWith({ id: 'MIG-VPC-99', reason: 'a reason that is long enough' })).toEqual({
      findings: [
        {
          ruleId: 'MIG-GR-2',
          severity: 'error',
          ...at,
          message: "suppression names unknown rule 'MIG-VPC-99'; known ids are listed in docs/guardrails.md",
        },
        openSshFinding,
      ],
      suppressed: [],
    });
  });
});
