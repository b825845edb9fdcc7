import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { TerraformStack, Testing } from 'cdktf';
import { taggableResources, untaggedResources, type SynthesizedStack } from './testing';

const TAGS = { Environment: 'dev', Team: 'payments', CostCenter: 'CC-7' };

/** A bare stack (no tagging aspect, no guardrails), synthesized the way `synthesizeAll` does. */
function synthesized(build: (stack: TerraformStack) => void): SynthesizedStack {
  const stack = new TerraformStack(Testing.app(), 'probe');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  build(stack);
  return { name: 'probe', stack, json: JSON.parse(Testing.synth(stack, true)) };
}

describe('untaggedResources', () => {
  it('reports a bucket with no tags at all', () => {
    const stack = synthesized((s) => new S3Bucket(s, 'assets', { bucket: 'dev-assets' }));
    expect(untaggedResources(stack)).toEqual(['aws_s3_bucket.assets: missing Environment, Team, CostCenter (needs Environment, Team, CostCenter)']);
  });

  it('reports each missing or blank key of a partly tagged resource', () => {
    const stack = synthesized((s) => new S3Bucket(s, 'assets', { bucket: 'dev-assets', tags: { Environment: 'dev', Team: ' ' } }));
    expect(untaggedResources(stack)).toEqual(['aws_s3_bucket.assets: missing Team, CostCenter (needs Environment, Team, CostCenter)']);
  });

  it('passes a fully tagged resource and ignores resources without a tags argument', () => {
    const stack = synthesized((s) => {
      new S3Bucket(s, 'assets', { bucket: 'dev-assets', tags: TAGS });
      new RouteTableAssociation(s, 'assoc', { routeTableId: 'rtb-1', subnetId: 'subnet-1' });
    });
    expect(untaggedResources(stack)).toEqual([]);
    expect(taggableResources(stack)).toEqual([{ address: 'aws_s3_bucket.assets', tags: TAGS }]);
  });

  it('reports a required tag whose value differs from the expected one', () => {
    const stack = synthesized((s) => new S3Bucket(s, 'assets', { bucket: 'dev-assets', tags: { ...TAGS, Environment: 'prod' } }));
    expect(untaggedResources(stack, { Environment: 'dev', CostCenter: 'CC-7' })).toEqual(['aws_s3_bucket.assets: Environment is "prod", expected "dev"']);
  });

  it('finds resources whose logical id was overridden', () => {
    const stack = synthesized((s) => new S3Bucket(s, 'assets', { bucket: 'dev-assets' }).overrideLogicalId('legacy_assets'));
    expect(untaggedResources(stack)).toEqual([expect.stringMatching(/^aws_s3_bucket\.legacy_assets: missing Environment/)]);
  });

  it('refuses a stack whose JSON does not hold one of its taggable resources', () => {
    const stack = synthesized((s) => new S3Bucket(s, 'assets', { bucket: 'dev-assets', tags: TAGS }));
    const json = { ...stack.json, resource: {} };
    expect(() => untaggedResources({ ...stack, json })).toThrow(/^probe: probe\/assets \(aws_s3_bucket\.assets\) is not in the synthesized JSON$/);
  });
});
