/**
 * The AWS regions, from the AWS SDK's own partition data (`@aws-sdk/core`, the table the
 * SDK resolves endpoints with), not from a pattern: a transposed letter (`us-esat-1`) is
 * not a region, and a new region arrives with an SDK upgrade (the schema test then asks
 * for the JSON Schema to be regenerated).
 *
 * The SDK exports a lookup (`partition(region)`) but not the table itself, so the table
 * is read from the package's data module; a spec checks both views agree.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface AwsRegion {
  readonly name: string;
  readonly description: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  readonly partition: string;
}

interface PartitionsInfo {
  readonly partitions: readonly { readonly id: string; readonly regionRegex: string; readonly regions: Record<string, { description?: string }> }[];
}

/** The partition this product builds ARNs for (`arn:aws:`). */
export const SUPPORTED_PARTITION = 'aws';

const PARTITIONS_MODULE = 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js';

function readPartitions(): PartitionsInfo {
  const root = dirname(require.resolve('@aws-sdk/core/package.json'));
  const file = join(root, PARTITIONS_MODULE);
  const text = readFileSync(file, 'utf8');
  const body = text.replace(/^\s*export const partitionsInfo\s*=\s*/, '').replace(/;\s*$/, '');
  try {
    return JSON.parse(body) as PartitionsInfo;
  } catch (e) {
    throw new Error(`cannot read the AWS region table from ${file} (@aws-sdk/core changed its layout?): ${(e as Error).message}`);
  }
}

let cache: readonly AwsRegion[] | undefined;

/**
 * Every region of every partition, without the `aws-global`-style pseudo-regions
 * (entries that do not match their partition's region pattern), sorted by name.
 */
export function awsRegions(): readonly AwsRegion[] {
  if (!cache) {
    cache = readPartitions()
      .partitions.flatMap((p) =>
        Object.entries(p.regions)
          .filter(([name]) => new RegExp(p.regionRegex).test(name))
          .map(([name, data]) => ({ name, description: data.description ?? name, partition: p.id })),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  return cache;
}

/** Names of the regions this product can deploy to (the `aws` partition). */
export function supportedRegionNames(): readonly string[] {
  return awsRegions()
    .filter((r) => r.partition === SUPPORTED_PARTITION)
    .map((r) => r.name);
}
