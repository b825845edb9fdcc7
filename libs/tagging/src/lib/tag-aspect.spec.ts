import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { Aspects, TerraformStack, Testing } from 'cdktf';
import { missingRequiredTags } from './required-tags';
import { RequiredTagsAspect, isTaggable } from './tag-aspect';

const TAGS = { Environment: 'dev', Team: 'platform', CostCenter: 'CC-1001' };

function stackWith(build: (stack: TerraformStack) => void) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  build(stack);
  Aspects.of(stack).add(new RequiredTagsAspect(TAGS));
  return JSON.parse(Testing.synth(stack));
}

describe('RequiredTagsAspect', () => {
  it('adds the three tags to taggable resources, keeping their own tags', () => {
    const json = stackWith((s) => new S3Bucket(s, 'bucket', { bucket: 'dev-assets', tags: { Name: 'dev-assets' } }));
    expect(json.resource.aws_s3_bucket.bucket.tags).toEqual({ ...TAGS, Name: 'dev-assets' });
  });

  it('does not let a resource override the required tags', () => {
    const json = stackWith((s) => new S3Bucket(s, 'bucket', { bucket: 'dev-assets', tags: { Environment: 'prod' } }));
    expect(json.resource.aws_s3_bucket.bucket.tags.Environment).toBe('dev');
  });

  it('leaves resources without a tags argument and data sources alone', () => {
    const json = stackWith((s) => {
      new RouteTableAssociation(s, 'assoc', { routeTableId: 'rtb-1', subnetId: 'subnet-1' });
      new DataAwsVpc(s, 'vpc', { tags: { Name: 'legacy' } });
    });
    expect(json.resource.aws_route_table_association.assoc.tags).toBeUndefined();
    expect(json.data.aws_vpc.vpc.tags).toEqual({ Name: 'legacy' });
  });

  it('knows which resources are taggable', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    expect(isTaggable(new S3Bucket(stack, 'b', { bucket: 'x-bucket' }))).toBe(true);
    expect(isTaggable(new RouteTableAssociation(stack, 'a', { routeTableId: 'r', subnetId: 's' }))).toBe(false);
    expect(isTaggable(new DataAwsVpc(stack, 'v', {}))).toBe(false);
  });

  it('refuses blank required tag values', () => {
    expect(() => new RequiredTagsAspect({ ...TAGS, Team: ' ' })).toThrow(/tag value missing for Team/);
  });
});

describe('missingRequiredTags', () => {
  it('lists missing and blank keys in order', () => {
    expect(missingRequiredTags({ Environment: 'dev', Team: '' })).toEqual(['Team', 'CostCenter']);
    expect(missingRequiredTags(undefined)).toEqual(['Environment', 'Team', 'CostCenter']);
    expect(missingRequiredTags(TAGS)).toEqual([]);
  });
});
