import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EXAMPLE_ORGANISATION_PATH, loadOrganisation, Organisation, OrganisationConfigError } from './organisation-model';
import { exampleOrganisationInput as exampleInput } from './test-fixtures';

/** Validates `input` and returns the error message (fails the test if it is valid). */
function errorOf(input: unknown, runtime = {}): string {
  try {
    Organisation.fromInput(input, runtime);
  } catch (e) {
    expect(e).toBeInstanceOf(OrganisationConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('organisation model', () => {
  it('accepts the example organisation', () => {
    const org = Organisation.fromInput(exampleInput());
    expect(org.region).toBe('us-east-1');
    expect(org.environment('dev').vpcCidr).toBe('10.0.0.0/16');
    expect(org.environment('staging').vpcCidr).toBe('10.1.0.0/16');
    expect(org.environment('prod').vpcCidr).toBe('10.2.0.0/16');
    expect(org.warnings).toEqual([]);
  });

  describe('validation', () => {
    const cases: [string, (o: Record<string, any>) => void, RegExp][] = [
      ['a malformed account id', (o) => (o.accounts.dev.id = '12345'), /accounts\.dev\.id: '12345' is not valid; expected a 12-digit AWS account id/],
      ['a shared account id', (o) => (o.accounts.staging.id = o.accounts.dev.id), /accounts\.staging\.id: '333333333333' is also the dev account; every account role needs its own account/],
      ['a missing account', (o) => delete o.accounts.prod, /accounts\.prod: is missing; expected an object/],
      ['an unknown account role', (o) => (o.accounts.qa = { id: '999999999999' }), /accounts\.qa: unknown key; expected one of 'legacy', 'ops', 'dev', 'staging', 'prod'/],
      ['overlapping environment CIDRs', (o) => (o.environments.prod.vpcCidr = '10.1.0.0/16'), /environments\.prod\.vpcCidr: prod: '10\.1\.0\.0\/16' overlaps staging's '10\.1\.0\.0\/16'; each environment and the legacy VPC need their own range/],
      ['a CIDR overlapping legacy', (o) => (o.legacy.vpcCidr = '10.0.0.0/16'), /environments\.dev\.vpcCidr: dev: '10\.0\.0\.0\/16' overlaps legacy's '10\.0\.0\.0\/16'/],
      ['a public CIDR', (o) => (o.environments.dev.vpcCidr = '54.0.0.0/16'), /environments\.dev\.vpcCidr: '54\.0\.0\.0\/16' is not in an RFC 1918 private range/],
      ['an invalid CIDR', (o) => (o.environments.dev.vpcCidr = '10.0.0.1/16'), /environments\.dev\.vpcCidr: '10\.0\.0\.1\/16' has host bits set/],
      ['a VPC too small for the subnet plan', (o) => (o.environments.dev.vpcCidr = '10.0.0.0/24'), /environments\.dev\.vpcCidr: Subnet plan for 10\.0\.0\.0\/24: public subnets of \/32 are too small; an ALB needs \/27 or larger/],
      ['a VPC larger than AWS allows', (o) => (o.environments.dev.vpcCidr = '10.0.0.0/15'), /environments\.dev\.vpcCidr: '10\.0\.0\.0\/15' is a \/15; AWS allows VPCs from \/16 to \/28/],
      ['an unknown environment', (o) => (o.environments.qa = { vpcCidr: '10.9.0.0/16', domainName: 'qa.fintech.example.com' }), /environments\.qa: unknown key; expected one of 'dev', 'staging', 'prod'/],
      ['an empty team in the file', (o) => (o.tags.team = ''), /tags\.team: '' is not valid; expected a tag value: 1-256 letters/],
      ['a missing cost centre', (o) => delete o.tags.costCenter, /tags\.costCenter: is missing; expected a tag value: 1-256 letters/],
      ['a region that does not exist', (o) => (o.region = 'virginia'), /region: 'virginia' is not an AWS region; expected one of af-south-1, .*us-east-1, us-east-2, us-west-1, us-west-2$/m],
      ['a region with two letters swapped', (o) => (o.region = 'us-esat-1'), /region: 'us-esat-1' is not an AWS region; did you mean 'us-east-1'\?/],
      ['a region of another partition', (o) => (o.region = 'cn-north-1'), /region: 'cn-north-1' \(China \(Beijing\)\) is in the aws-cn partition; this product builds ARNs for the aws partition only/],
      ['a domain outside the hosted zone', (o) => (o.environments.dev.domainName = 'dev.other.example.org'), /environments\.dev\.domainName: 'dev\.other\.example\.org' is not inside the hosted zone 'fintech\.example\.com'/],
      ['a peering with an unknown peer', (o) => (o.peering[0].between = ['staging', 'qa']), /peering\.0\.between\.1: 'qa' is not a known peer; expected one of 'dev', 'staging', 'prod', 'legacy'/],
      ['a self peering', (o) => (o.peering[0].between = ['dev', 'dev']), /peering\.0\.between: 'dev' cannot peer with itself/],
      ['a duplicated peering', (o) => o.peering.push({ between: ['dev', 'staging'], ports: [443], reason: 'again' }), /peering\.4\.between: dev <-> staging is listed more than once/],
      ['a peering without ports', (o) => (o.peering[0].ports = []), /peering\.0\.ports: expected a non-empty list of TCP ports/],
      ['a peering port out of range', (o) => (o.peering[0].ports = [70000]), /peering\.0\.ports\.0: is number 70000; expected a whole number from 1 to 65535/],
      ['a peering without a reason', (o) => (o.peering[0].reason = ' '), /peering\.0\.reason: ' ' is not valid; expected a reason: why may these two networks talk\?/],
      ['an AWS managed share key', (o) => (o.legacy.databases[0].shareKmsKey = 'alias/aws/rds'), /legacy\.databases\.0\.shareKmsKey: 'alias\/aws\/rds' is an AWS managed key; snapshots encrypted with it cannot be shared/],
      ['a database migrating from an unknown legacy database', (o) => (o.databases[0].migrateFrom = 'payments'), /databases\.0\.migrateFrom: 'payments' is not in legacy\.databases \(known: ledger\)/],
      ['a service using an unknown database', (o) => (o.services[0].database = 'payments'), /services\.0\.database: 'payments' is not in databases \(known: ledger\)/],
      ['existing-secret credentials without a secret', (o) => (o.databases[0].credentials = 'existing-secret'), /databases\.0\.masterSecretName: is missing; credentials 'existing-secret' needs the Secrets Manager name of the existing master secret/],
      ['a production backup retention under 7 days', (o) => (o.environments.prod.overrides = { database: { backupRetentionDays: 3 } }), /environments\.prod\.overrides\.database\.backupRetentionDays: is 3; a production environment keeps backups for at least 7 days/],
      ['a production database without Multi-AZ', (o) => (o.environments.prod.overrides = { database: { multiAz: false } }), /environments\.prod\.overrides\.database\.multiAz: is false; a production database must be Multi-AZ/],
      ['an invalid Fargate size', (o) => (o.environments.dev.overrides = { service: { cpu: 256, memoryMib: 4096 } }), /environments\.dev\.overrides\.service\.memoryMib: is 4096; Fargate with 256 CPU units takes 512, 1024, 2048 MiB/],
      ['a log retention CloudWatch does not accept', (o) => (o.defaults = { logs: { retentionDays: 10 } }), /defaults\.logs\.retentionDays: is number 10; expected one of 1, 3, 5, 7, 14, 30, 60/],
      ['desired count outside min..max', (o) => (o.environments.dev.overrides = { service: { desiredCount: 9 } }), /service\.desiredCount: min 1 <= desired 9 <= max 3 does not hold/],
      ['a session duration over 12 hours', (o) => (o.iam.maxSessionDurationSeconds = 86400), /iam\.maxSessionDurationSeconds: is number 86400; expected a whole number from 3600 to 43200/],
    ];

    it.each(cases)('rejects %s', (_name, mutate, message) => {
      const input = exampleInput();
      mutate(input);
      expect(errorOf(input)).toMatch(message);
    });

    it('reports every problem at once', () => {
      const input = exampleInput();
      input.accounts.dev.id = 'abc';
      input.environments.prod.vpcCidr = '10.0.0.0/16';
      const message = errorOf(input);
      expect(message).toMatch(/2 problems/);
      expect(message).toMatch(/accounts\.dev\.id/);
      expect(message).toMatch(/environments\.prod\.vpcCidr/);
    });

    it('warns loudly, without failing, when prod may talk to dev', () => {
      const input = exampleInput();
      input.peering.push({ between: ['prod', 'dev'], ports: [443], reason: 'debugging' });
      const org = Organisation.fromInput(input);
      expect(org.warnings.map((w) => w.message).join('\n')).toMatch(/WARNING: prod <-> dev peering is allowed/);
    });
  });

  describe('environment variables', () => {
    it('takes Team and CostCenter from TEAM and COST_CENTER over the file', () => {
      const org = Organisation.fromInput(exampleInput(), { team: 'payments', costCenter: 'CC-42' });
      expect(org.environment('dev').tags).toEqual({ Environment: 'dev', Team: 'payments', CostCenter: 'CC-42' });
    });

    it('rejects an empty TEAM, naming the variable', () => {
      expect(errorOf(exampleInput(), { team: '' })).toMatch(/TEAM: '' is empty; unset TEAM to use tags\.team from the config, or give a tag value/);
    });

    it('rejects a malformed ENVIRONMENT_SUFFIX', () => {
      expect(errorOf(exampleInput(), { environmentSuffix: 'PR-42' })).toMatch(
        /ENVIRONMENT_SUFFIX: 'PR-42' is not valid; expected a lowercase letter then up to 7 lowercase letters or digits/,
      );
    });

    it('rejects a suffix that makes a generated name too long for AWS', () => {
      const input = exampleInput();
      input.services[0].name = 'reconciliation';
      expect(errorOf(input, { environmentSuffix: 'abcdefgh' })).toMatch(
        /ENVIRONMENT_SUFFIX: staging: alb name 'staging-abcdefgh-reconciliation-alb' is 35 characters; AWS allows at most 32/,
      );
    });

    it('makes a preview copy with the suffix in names, stack ids and state keys, and preview settings', () => {
      const org = Organisation.fromInput(exampleInput(), { environmentSuffix: 'pr42' });
      const env = org.environment('dev');
      expect(env.isPreview).toBe(true);
      expect(env.naming.prefix).toBe('dev-pr42-');
      expect(env.naming.stack('network')).toBe('dev-pr42-network');
      expect(env.tags).toEqual({ Environment: 'dev', Team: 'platform', CostCenter: 'CC-1001', EnvironmentSuffix: 'pr42' });
      expect(env.settings.database.deletionProtection).toBe(false);
      expect(env.settings.database.skipFinalSnapshot).toBe(true);
      expect(env.settings.storage.forceDestroy).toBe(true);
      expect(env.state.bucket).toBe('dev-tfstate-333333333333');
    });

    it('refuses a preview copy of prod unless prod allows previews', () => {
      const org = Organisation.fromInput(exampleInput(), { environmentSuffix: 'pr42' });
      expect(() => org.environment('prod')).toThrow(/ENVIRONMENT_SUFFIX: 'pr42' asks for a preview copy of prod, but environments\.prod\.allowPreviews is false/);
    });

    it('rejects an unknown environment name with the known ones', () => {
      const org = Organisation.fromInput(exampleInput());
      expect(() => org.environment('qa')).toThrow(/'qa' is not a known environment; expected one of dev, staging, prod/);
    });
  });

  describe('tiers', () => {
    it('gives prod the production protections and dev the defaults', () => {
      const org = Organisation.fromInput(exampleInput());
      const dev = org.environment('dev').settings;
      const prod = org.environment('prod').settings;
      expect([dev.database.multiAz, prod.database.multiAz]).toEqual([false, true]);
      expect([dev.database.deletionProtection, prod.database.deletionProtection]).toEqual([false, true]);
      expect([dev.network.natGateways, prod.network.natGateways]).toEqual(['single', 'per-az']);
      expect([dev.network.azCount, prod.network.azCount]).toEqual([2, 3]);
      expect(prod.logs.retentionDays).toBeGreaterThanOrEqual(365);
    });

    it('applies an environment override over its tier', () => {
      const org = Organisation.fromInput(exampleInput());
      expect(org.environment('staging').settings.service.desiredCount).toBe(2);
      expect(org.environment('dev').settings.service.desiredCount).toBe(1);
    });
  });

  describe('peering ownership', () => {
    it('gives each peering to the environment deployed later', () => {
      const org = Organisation.fromInput(exampleInput());
      const owners = org.input.peering.map((p) => `${p.between.join('<->')}:${org.peeringOwner(p)}`);
      expect(owners).toEqual(['staging<->dev:staging', 'dev<->legacy:dev', 'staging<->legacy:staging', 'prod<->legacy:prod']);
    });
  });

  describe('loadOrganisation', () => {
    const write = (text: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'org-'));
      const path = join(dir, 'org.json');
      writeFileSync(path, text);
      return path;
    };

    it('loads the example when ORG_CONFIG is unset', () => {
      expect(loadOrganisation({ env: {} }).name).toBe('fintech');
    });

    it('points at the file and line to fix', () => {
      const input = exampleInput();
      input.environments.prod.vpcCidr = '10.1.0.0/16';
      const text = JSON.stringify(input, null, 2);
      const path = write(text);
      let message = '';
      try {
        loadOrganisation({ env: { ORG_CONFIG: path } });
      } catch (e) {
        message = (e as Error).message;
      }
      const lines = text.split('\n');
      const environmentsLine = lines.findIndex((l) => l.includes('"environments": {'));
      const prodLine = lines.findIndex((l, i) => i > environmentsLine && l.includes('"prod": {'));
      const line = lines.findIndex((l, i) => i > prodLine && l.includes('"vpcCidr": "10.1.0.0/16"')) + 1;
      expect(line).toBeGreaterThan(prodLine + 1);
      expect(message).toContain(`${path}:${line}:7: environments.prod.vpcCidr: prod: '10.1.0.0/16' overlaps staging's`);
    });

    it('reports a missing file and invalid JSON clearly', () => {
      expect(() => loadOrganisation({ env: { ORG_CONFIG: '/nonexistent/org.json' } })).toThrow(/ORG_CONFIG: file '\/nonexistent\/org\.json' does not exist/);
      expect(() => loadOrganisation({ env: { ORG_CONFIG: write('{ "name": ') } })).toThrow(/not valid JSON/);
    });

    /** The message loadOrganisation throws for `env` (fails the test if it loads). */
    const loadError = (env: NodeJS.ProcessEnv): string => {
      try {
        loadOrganisation({ env });
      } catch (e) {
        expect(e).toBeInstanceOf(OrganisationConfigError);
        return (e as Error).message;
      }
      throw new Error('expected the config to be rejected');
    };
    const exampleText = () => readFileSync(EXAMPLE_ORGANISATION_PATH, 'utf8');
    /** 1-based line of the first line containing `needle` after the line containing `after`. */
    const lineAfter = (text: string, after: string, needle: string) => {
      const lines = text.split('\n');
      const start = lines.findIndex((l) => l.includes(after));
      return lines.findIndex((l, i) => i > start && l.includes(needle)) + 1;
    };

    it('reports JSON syntax errors with line and column', () => {
      const text = exampleText().replace('"region": "us-east-1",', '"region": "us-east-1",,');
      const path = write(text);
      const line = lineAfter(text, '"name"', '"region"');
      expect(loadError({ ORG_CONFIG: path })).toContain(`${path}:${line}:25: not valid JSON: expected a key in double quotes`);
    });

    it('accepts a UTF-8 byte-order mark', () => {
      expect(loadOrganisation({ env: { ORG_CONFIG: write(`\uFEFF${exampleText()}`) } }).name).toBe('fintech');
    });

    it('reports a duplicate key with the other problems, each with line and column', () => {
      const text = exampleText().replace('"region": "us-east-1",', '"region": "us-east-1",\n  "region": "us-esat-1",');
      const path = write(text);
      const line = lineAfter(text, '"region": "us-east-1"', '"region"');
      const message = loadError({ ORG_CONFIG: path });
      expect(message).toContain(`${path}:${line}:3: region: duplicate key 'region' (first at line ${line - 1})`);
      expect(message).toContain(`${path}:${line}:3: region: 'us-esat-1' is not an AWS region; did you mean 'us-east-1'?`);
    });

    it('points a misspelt key at its own line and column', () => {
      const text = exampleText().replace('"defaults": {', '"defualts": {');
      const path = write(text);
      const line = lineAfter(text, '"allowPreviews"', '"defualts"');
      expect(loadError({ ORG_CONFIG: path })).toBe(
        `Invalid organisation config (${path}): 1 problem\n  ${path}:${line}:3: defualts: unknown key; did you mean 'defaults'?`,
      );
    });

    it('points a VPC the subnet plan cannot carve at its line', () => {
      const text = exampleText().replace('"vpcCidr": "10.0.0.0/16"', '"vpcCidr": "10.0.0.0/20"');
      const path = write(text);
      const line = lineAfter(text, '"dev": {', '"vpcCidr": "10.0.0.0/20"');
      expect(loadError({ ORG_CONFIG: path })).toContain(
        `${path}:${line}:7: environments.dev.vpcCidr: Subnet plan for 10.0.0.0/20: public subnets of /28 are too small; an ALB needs /27 or larger (2 AZs)`,
      );
    });

    it('reports ORG_CONFIG pointing at a directory, or blank, by its name', () => {
      const dir = mkdtempSync(join(tmpdir(), 'org-'));
      expect(loadError({ ORG_CONFIG: dir })).toContain(`ORG_CONFIG: '${dir}' is a directory; point ORG_CONFIG at the organisation file itself`);
      expect(loadError({ ORG_CONFIG: '  ' })).toContain("ORG_CONFIG: '  ' is only whitespace");
    });

    it('reports whitespace-only TEAM and ENVIRONMENT_SUFFIX by name, without a file position', () => {
      const message = loadError({ TEAM: '  ', COST_CENTER: ' CC-7', ENVIRONMENT_SUFFIX: ' ' });
      expect(message).toContain("\n  TEAM: '  ' is only whitespace; unset TEAM to use tags.team from the config");
      expect(message).toContain("\n  COST_CENTER: ' CC-7' is not valid; expected a tag value");
      expect(message).toContain("\n  ENVIRONMENT_SUFFIX: ' ' is only whitespace; leave it unset or empty for no preview copy");
    });

    describe('YAML', () => {
      const yaml = (text: string) => {
        const dir = mkdtempSync(join(tmpdir(), 'org-'));
        const path = join(dir, 'org.yaml');
        writeFileSync(path, text);
        return path;
      };
      const exampleYaml = () => stringify(JSON.parse(exampleText()));

      it('loads the same organisation from a .yaml file', () => {
        const org = loadOrganisation({ env: { ORG_CONFIG: yaml(exampleYaml()) } });
        expect(org.input).toEqual(exampleInput());
      });

      it('gives the same messages, with line and column', () => {
        const text = exampleYaml().replace('desiredCount: 2', 'desiredCount: "2"').replace('allowPreviews: false', 'allowPreview: false');
        const path = yaml(text);
        const message = loadError({ ORG_CONFIG: path });
        const countLine = lineAfter(text, 'staging:', 'desiredCount');
        const previewLine = lineAfter(text, 'prod:', 'allowPreview');
        expect(message).toContain(`${path}:${countLine}:9: environments.staging.overrides.service.desiredCount: is the string '2'; expected a whole number from 1 to 1000 (write 2 without quotes)`);
        expect(message).toContain(`${path}:${previewLine}:5: environments.prod.allowPreview: unknown key; did you mean 'allowPreviews'?`);
      });

      it('asks for quotes around an account id YAML reads as a number', () => {
        const text = exampleYaml().replace('id: "333333333333"', 'id: 333333333333');
        expect(text).toContain('id: 333333333333');
        expect(loadError({ ORG_CONFIG: yaml(text) })).toContain('accounts.dev.id: is number 333333333333; expected a 12-digit AWS account id (put it in quotes: "333333333333")');
      });

      it('reports a duplicate key', () => {
        const path = yaml(`${exampleYaml()}name: other\n`);
        expect(loadError({ ORG_CONFIG: path })).toMatch(new RegExp(`${path}:\\d+:1: not valid YAML: Map keys must be unique`));
      });
    });

    it('treats a blank ENVIRONMENT_SUFFIX as no suffix', () => {
      expect(loadOrganisation({ env: { ENVIRONMENT_SUFFIX: '' } }).suffix).toBeUndefined();
    });
  });
});
