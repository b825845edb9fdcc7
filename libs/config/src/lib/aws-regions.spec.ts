import { partition } from '@aws-sdk/core/client';
import { awsRegions, supportedRegionNames } from './aws-regions';

describe('AWS regions', () => {
  it('come from the SDK partition table, agreeing with its own lookup', () => {
    const regions = awsRegions();
    expect(regions.length).toBeGreaterThan(30);
    for (const region of regions) {
      const found = partition(region.name) as { name: string; description?: string };
      expect([region.name, found.name, found.description]).toEqual([region.name, region.partition, region.description]);
    }
  });

  it('leave out the global pseudo-regions and other partitions', () => {
    const names = supportedRegionNames();
    expect(names).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-2', 'ap-southeast-2']));
    expect(names).not.toContain('aws-global');
    expect(names).not.toContain('cn-north-1');
    expect(names).not.toContain('us-gov-west-1');
    expect(awsRegions().map((r) => r.name)).toContain('us-gov-west-1');
  });
});
