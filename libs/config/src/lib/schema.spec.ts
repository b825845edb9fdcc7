import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { schemaFileProblem } from '../write-schema';
import { EXAMPLE_ORGANISATION_PATH } from './organisation-model';
import { environmentSettingsSchema, organisationJsonSchema, schemaIssues, settingsOverridesSchema } from './schema';
import { ORGANISATION_SCHEMA_PATH, renderOrganisationSchema } from './schema-file';
import { BASELINE_SETTINGS, PREVIEW_RULES, TIER_SETTINGS } from './settings';
import { exampleOrganisationInput as exampleInput } from './test-fixtures';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
/** The example's JSON, mutable (loosely typed so a test can break any field). */
type Example = ReturnType<typeof exampleInput>;

/** The issues of the example after `mutate`, as `path: message` lines. */
function issuesAfter(mutate: (o: Example) => void): string[] {
  const input = exampleInput();
  mutate(input);
  return schemaIssues(input).map((i) => `${i.path}: ${i.message}`);
}

describe('organisation schema', () => {
  it('accepts the example organisation', () => {
    expect(schemaIssues(exampleInput())).toEqual([]);
  });

  describe('unknown keys, at every level, with the closest known key', () => {
    it.each<[string, (o: Example) => void, string]>([
      ['a misspelt defaults section', (o) => ((o.defualts = o.defaults), delete o.defaults), "defualts: unknown key; did you mean 'defaults'?"],
      ['a misspelt override section', (o) => ((o.environments.staging.overides = o.environments.staging.overrides), delete o.environments.staging.overrides), "environments.staging.overides: unknown key; did you mean 'overrides'?"],
      ['a misspelt allowPreviews', (o) => (o.environments.prod.allowPreview = false), "environments.prod.allowPreview: unknown key; did you mean 'allowPreviews'?"],
      ['a misspelt settings group', (o) => (o.defaults.log = { retentionDays: 90 }), "defaults.log: unknown key; did you mean 'logs'?"],
      ['a misspelt setting', (o) => (o.environments.staging.overrides.service.desiredCuont = 2), "environments.staging.overrides.service.desiredCuont: unknown key; did you mean 'desiredCount'?"],
      ['a misspelt key in a list item', (o) => (o.services[0].helthCheckPath = '/ready'), "services.0.helthCheckPath: unknown key; did you mean 'healthCheckPath'?"],
      ['a key with nothing close', (o) => (o.github.colour = 'blue'), "github.colour: unknown key; expected one of 'repository', 'deployBranch'"],
    ])('rejects %s', (_name, mutate, expected) => {
      expect(issuesAfter(mutate)).toContain(expected);
    });

    it('reports a misspelt top-level section as unknown, not only the missing one', () => {
      const issues = issuesAfter((o) => ((o.environmnets = o.environments), delete o.environments));
      expect(issues).toContain("environmnets: unknown key; did you mean 'environments'?");
      expect(issues).toContain("environments: is missing; expected an object (is 'environmnets' a misspelling of it?)");
      expect(schemaIssues({ ...exampleInput(), environments: undefined, environmnets: {} }).find((i) => i.path === 'environments')?.at).toBe('environmnets');
    });
  });

  describe('strict types', () => {
    it.each<[string, (o: Example) => void, string]>([
      ['a count written as a string', (o) => (o.environments.staging.overrides.service.desiredCount = '2'), "environments.staging.overrides.service.desiredCount: is the string '2'; expected a whole number from 1 to 1000 (write 2 without quotes)"],
      ['an AZ count written as a string', (o) => (o.defaults.network = { azCount: '3' }), "defaults.network.azCount: is the string '3'; expected a whole number from 2 to 6 (write 3 without quotes)"],
      ['a fractional count', (o) => (o.environments.dev.overrides = { service: { maxCount: 2.5 } }), 'environments.dev.overrides.service.maxCount: is number 2.5; expected a whole number from 1 to 1000'],
      ['a boolean written as a string', (o) => (o.environments.prod.allowPreviews = 'false'), "environments.prod.allowPreviews: is the string 'false'; expected true or false (write false without quotes)"],
      ['an account id written as a number', (o) => (o.accounts.dev.id = 333333333333), 'accounts.dev.id: is number 333333333333; expected a 12-digit AWS account id (put it in quotes: "333333333333")'],
      ['null for an optional field', (o) => (o.services[0].database = null), 'services.0.database: is null; expected a database name from databases'],
      ['a value outside an enumeration, with the near one', (o) => (o.defaults.network = { natGateways: 'per_az' }), "defaults.network.natGateways: 'per_az' is not valid; expected one of 'per-az', 'single'; did you mean 'per-az'?"],
      ['a tier that is not one', (o) => (o.environments.dev.tier = 'prod'), "environments.dev.tier: 'prod' is not valid; expected one of 'production', 'non-production'"],
      ['an account bootstrap role that is not a role name', (o) => (o.accounts.legacy.bootstrapRoleName = 'admin role'), "accounts.legacy.bootstrapRoleName: 'admin role' is not valid; expected an IAM role name (1-64 of letters, digits and + = , . @ _ -)"],
      ['a peering with three sides', (o) => (o.peering[0].between = ['dev', 'staging', 'prod']), 'peering.0.between: is a list; expected two peers, e.g. ["staging", "dev"]'],
    ])('rejects %s', (_name, mutate, expected) => {
      expect(issuesAfter(mutate)).toContain(expected);
    });
  });

  it('accepts the baseline, tier and preview settings it constrains', () => {
    expect(environmentSettingsSchema.safeParse(BASELINE_SETTINGS).error?.issues).toBeUndefined();
    for (const layer of [TIER_SETTINGS.production, TIER_SETTINGS['non-production'], PREVIEW_RULES]) {
      expect(settingsOverridesSchema.safeParse(layer).error?.issues).toBeUndefined();
    }
  });

  describe('published JSON Schema', () => {
    it('forbids unknown keys and lists the real regions for editors', () => {
      const schema = organisationJsonSchema() as { additionalProperties: boolean; properties: Record<string, { enum?: string[] }>; definitions: Record<string, { additionalProperties: boolean }> };
      expect(schema.additionalProperties).toBe(false);
      expect(schema.definitions['Environment'].additionalProperties).toBe(false);
      expect(schema.definitions['SettingsOverrides'].additionalProperties).toBe(false);
      expect(schema.properties['region'].enum).toContain('eu-west-2');
      expect(schema.properties['region'].enum).not.toContain('us-esat-1');
    });

    it('is referenced by the example organisation', () => {
      const example = JSON.parse(readFileSync(EXAMPLE_ORGANISATION_PATH, 'utf8')) as Record<string, unknown>;
      expect(resolve(EXAMPLE_ORGANISATION_PATH, '..', String(example['$schema']))).toBe(resolve(WORKSPACE_ROOT, ORGANISATION_SCHEMA_PATH));
    });

    it('is in sync with the zod schema (nx run config:schema -- --check)', () => {
      const problem = schemaFileProblem(resolve(WORKSPACE_ROOT, ORGANISATION_SCHEMA_PATH));
      if (problem) throw new Error(problem);
    });

    it('the check fails on a stale or missing file, saying how to regenerate', () => {
      const dir = mkdtempSync(join(tmpdir(), 'schema-'));
      const stale = join(dir, 'organisation.schema.json');
      writeFileSync(stale, renderOrganisationSchema().replace('"eu-west-2",', ''));
      expect(schemaFileProblem(stale)).toBe(`${stale} is out of date with libs/config/src/lib/schema.ts; regenerate it with: npx nx run config:schema`);
      expect(schemaFileProblem(join(dir, 'absent.json'))).toBe(`${join(dir, 'absent.json')} is missing; generate it with: npx nx run config:schema`);
    });
  });
});
