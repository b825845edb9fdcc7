import type * as Fs from 'node:fs';

/** The SDK's real partition table module, as text. */
const actualFs = jest.requireActual<typeof Fs>('node:fs');
const PARTITIONS = require.resolve('@aws-sdk/core/dist-es/submodules/client/util-endpoints/lib/aws/partitions.js');

/** A fresh `aws-regions` module that reads `text` as the SDK's partition table. */
function regionsReading(text: string): typeof import('./aws-regions') {
  let loaded: typeof import('./aws-regions') | undefined;
  jest.isolateModules(() => {
    jest.doMock('node:fs', () => ({ ...actualFs, readFileSync: (file: string, ...rest: unknown[]) => (file === PARTITIONS ? text : (actualFs.readFileSync as (...a: unknown[]) => unknown)(file, ...rest)) }));
    loaded = jest.requireActual<typeof import('./aws-regions')>('./aws-regions');
  });
  jest.dontMock('node:fs');
  return loaded as typeof import('./aws-regions');
}

const TABLE = {
  partitions: [
    {
      id: 'aws',
      regionRegex: '^(us|eu)\\-\\w+\\-\\d+$',
      regions: {
        'us-west-2': { description: 'US West (Oregon); the second' },
        'aws-global': { description: 'AWS Standard global region' },
        'eu-west-1': { description: 'Europe (Ireland)' },
        'us-east-1': {},
      },
    },
    { id: 'aws-cn', regionRegex: '^cn\\-\\w+\\-\\d+$', regions: { 'cn-north-1': { description: 'China (Beijing)' } } },
  ],
};

const EXPECTED = [
  { name: 'cn-north-1', description: 'China (Beijing)', partition: 'aws-cn' },
  { name: 'eu-west-1', description: 'Europe (Ireland)', partition: 'aws' },
  { name: 'us-east-1', description: 'us-east-1', partition: 'aws' },
  { name: 'us-west-2', description: 'US West (Oregon); the second', partition: 'aws' },
];

describe('the AWS region table, read from the SDK module', () => {
  it('is the real module of the installed SDK', () => {
    expect(actualFs.readFileSync(PARTITIONS, 'utf8')).toMatch(/^export const partitionsInfo = \{/);
  });

  it.each([
    ['as the SDK writes it', `export const partitionsInfo = ${JSON.stringify(TABLE, null, 4)};\n`],
    ['with whitespace around, and none at the equals sign', `\n  export const partitionsInfo=${JSON.stringify(TABLE)};\n\n`],
    ['with more spaces at the equals sign', `export const partitionsInfo  =  ${JSON.stringify(TABLE)};`],
  ])('keeps real regions of every partition, sorted, without pseudo-regions: %s', (_name, text) => {
    const regions = regionsReading(text);
    expect(regions.awsRegions()).toEqual(EXPECTED);
    expect(regions.supportedRegionNames()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
  });

  it('reads the table once', () => {
    const regions = regionsReading(`export const partitionsInfo = ${JSON.stringify(TABLE)};`);
    expect(regions.awsRegions()).toBe(regions.awsRegions());
  });

  it('says where it looked when the SDK changed its layout', () => {
    const regions = regionsReading('export const partitionsInfo = partitions();\n');
    expect(() => regions.awsRegions()).toThrow(
      new RegExp(`^cannot read the AWS region table from ${PARTITIONS.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(@aws-sdk/core changed its layout\\?\\): Unexpected token`),
    );
  });
});
