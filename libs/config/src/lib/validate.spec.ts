import { Naming } from './naming';
import type { OrganisationInput } from './organisation';
import { BASELINE_SETTINGS, PREVIEW_RULES, TIER_SETTINGS, mergeSettings } from './settings';
import { exampleOrganisationInput } from './test-fixtures';
import { collectIssues, effectiveSettings, nameBudgetProblems, tierOf, type RuntimeInputs } from './validate';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Example = Record<string, any>;

/** Every issue of the example after `change`, as `severity path: message` lines, in order. */
function issuesAfter(change: (o: Example) => void, runtime: RuntimeInputs = {}): string[] {
  const input = exampleOrganisationInput();
  change(input);
  return collectIssues(input, runtime).map((i) => `${i.severity} ${i.path}: ${i.message}`);
}

const ENGINE_DB = (name: string, extra: Example = {}): Example => ({
  name,
  engineVersion: '16.4',
  databaseName: name,
  port: 5432,
  credentials: 'rds-managed',
  ...extra,
});

const LEGACY_DB = (name: string, extra: Example = {}): Example => ({
  name,
  instanceIdentifier: `legacy-${name}`,
  snapshotIdentifier: `legacy-${name}-premigration`,
  shareKmsKey: 'alias/legacy-rds-share',
  secretName: `legacy/${name}/master`,
  databaseName: name,
  port: 5432,
  tables: ['public.%'],
  ...extra,
});

const SERVICE = (name: string, extra: Example = {}): Example => ({ name, containerPort: 8080, healthCheckPath: '/health', hostname: name, ...extra });

describe('collectIssues', () => {
  it('accepts the example organisation', () => {
    expect(collectIssues(exampleOrganisationInput(), {})).toEqual([]);
  });

  describe('a config that is not an object', () => {
    it.each<[string, unknown, string]>([
      ['null', null, 'null'],
      ['a list', [{ name: 'fintech' }], 'a list'],
      ['a string', 'fintech', 'string'],
      ['a number', 42, 'number'],
    ])('names %s and stops there', (_name, raw, shown) => {
      expect(collectIssues(raw, {})).toEqual([
        { path: '', severity: 'error', message: `is ${shown}; the organisation config must be an object (see libs/config/organisation.example.json)` },
      ]);
    });

    it('still reports the environment variables', () => {
      expect(collectIssues(null, { team: ' ' }).map((i) => i.path)).toEqual(['TEAM', '']);
    });
  });

  describe('accounts', () => {
    it('rejects one account id for two roles, at the second role', () => {
      expect(issuesAfter((o) => (o.accounts.staging.id = o.accounts.dev.id))).toEqual([
        "error accounts.staging.id: '333333333333' is also the dev account; every account role needs its own account",
      ]);
    });

    it('does not compare ids the schema rejected', () => {
      expect(
        issuesAfter((o) => {
          o.accounts.dev.id = '3333';
          o.accounts.staging.id = '3333';
        }),
      ).toEqual([
        "error accounts.dev.id: '3333' is not valid; expected a 12-digit AWS account id",
        "error accounts.staging.id: '3333' is not valid; expected a 12-digit AWS account id",
      ]);
    });
  });

  describe('VPC ranges', () => {
    it('accepts /16 and /28 (the legacy VPC is not carved into subnets)', () => {
      expect(issuesAfter((o) => (o.legacy.vpcCidr = '10.50.0.0/28'))).toEqual([]);
    });

    it.each([
      ['10.50.0.0/15', "error legacy.vpcCidr: '10.50.0.0/15' is a /15; AWS allows VPCs from /16 to /28"],
      ['10.50.0.0/29', "error legacy.vpcCidr: '10.50.0.0/29' is a /29; AWS allows VPCs from /16 to /28"],
      ['100.64.0.0/16', "error legacy.vpcCidr: '100.64.0.0/16' is not in an RFC 1918 private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"],
    ])('rejects %s', (cidr, expected) => {
      expect(issuesAfter((o) => (o.legacy.vpcCidr = cidr))).toEqual([expected]);
    });

    it('reports an overlap once, and does not plan subnets in a range that overlaps', () => {
      // A /24 is also too small for the subnet plan: that is not reported while it overlaps.
      expect(issuesAfter((o) => (o.environments.dev.vpcCidr = '10.50.1.0/24'))).toEqual([
        "error environments.dev.vpcCidr: dev: '10.50.1.0/24' overlaps legacy's '10.50.0.0/16'; each environment and the legacy VPC need their own range",
      ]);
    });

    it('reports a range the subnet plan cannot carve, with the AZ count', () => {
      expect(issuesAfter((o) => (o.environments.dev.vpcCidr = '10.60.0.0/24'))).toEqual([
        "error environments.dev.vpcCidr: Subnet plan for 10.60.0.0/24: public subnets of /32 are too small; an ALB needs /27 or larger; data subnets of /30 are too small; AWS's smallest subnet is /28 (2 AZs)",
      ]);
    });
  });

  describe('legacy databases', () => {
    it('rejects a name listed twice, at the second', () => {
      expect(issuesAfter((o) => o.legacy.databases.push(LEGACY_DB('ledger', { instanceIdentifier: 'legacy-ledger-2' })))).toEqual([
        "error legacy.databases.1.name: 'ledger' is listed twice",
      ]);
    });

    it('rejects an AWS managed key for the shared snapshot', () => {
      expect(issuesAfter((o) => (o.legacy.databases[0].shareKmsKey = 'alias/aws/rds'))).toEqual([
        "error legacy.databases.0.shareKmsKey: 'alias/aws/rds' is an AWS managed key; snapshots encrypted with it cannot be shared with another account. Use a customer managed key",
      ]);
    });

    it('does not read a legacy section the schema rejected', () => {
      expect(issuesAfter((o) => (o.legacy = 'none'))).toEqual(["error legacy: is the string 'none'; expected an object"]);
      expect(issuesAfter((o) => (o.legacy.databases = 'ledger'))).toEqual(["error legacy.databases: is the string 'ledger'; expected a list (may be empty)"]);
    });
  });

  describe('domains', () => {
    it('rejects a domain outside the hosted zone, also one that only ends like it', () => {
      expect(
        issuesAfter((o) => {
          o.environments.dev.domainName = 'dev.fintech.example.org';
          o.environments.staging.domainName = 'stagingfintech.example.com';
        }),
      ).toEqual([
        "error environments.dev.domainName: 'dev.fintech.example.org' is not inside the hosted zone 'fintech.example.com' (legacy.hostedZoneName), where the cutover records live",
        "error environments.staging.domainName: 'stagingfintech.example.com' is not inside the hosted zone 'fintech.example.com' (legacy.hostedZoneName), where the cutover records live",
      ]);
    });

    it('does not compare with a hosted zone or a domain the schema rejected', () => {
      expect(issuesAfter((o) => (o.legacy.hostedZoneName = 'Fintech.Example.COM'))).toEqual([
        "error legacy.hostedZoneName: 'Fintech.Example.COM' is not valid; expected a DNS zone name such as fintech.example.com",
      ]);
      expect(issuesAfter((o) => (o.environments.dev.domainName = 'Dev.Fintech.Example.com'))).toEqual([
        "error environments.dev.domainName: 'Dev.Fintech.Example.com' is not valid; expected a DNS name such as dev.fintech.example.com",
      ]);
    });
  });

  describe('settings rules, on the merged settings', () => {
    it.each<[string, Example, string[]]>([
      ['storage autoscaling below the allocated storage', { database: { allocatedStorageGb: 200, maxAllocatedStorageGb: 199 } }, ['error environments.dev.overrides.database.maxAllocatedStorageGb: is 199; expected at least allocatedStorageGb (200)']],
      ['allocated storage above the (baseline) autoscaling bound, at the field written', { database: { allocatedStorageGb: 300 } }, ['error environments.dev.overrides.database.allocatedStorageGb: is 200; expected at least allocatedStorageGb (300)']],
      ['memory that does not go with the CPU', { service: { cpu: 256, memoryMib: 4096 } }, ['error environments.dev.overrides.service.memoryMib: is 4096; Fargate with 256 CPU units takes 512, 1024, 2048 MiB']],
      ['a CPU size the (baseline) memory does not go with, at the CPU', { service: { cpu: 2048 } }, ['error environments.dev.overrides.service.cpu: is 1024; Fargate with 2048 CPU units takes 4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384 MiB']],
      ['desired above max', { service: { desiredCount: 4 } }, ['error environments.dev.overrides.service.desiredCount: min 1 <= desired 4 <= max 3 does not hold']],
      ['desired below min', { service: { minCount: 2 } }, ['error environments.dev.overrides.service.minCount: min 2 <= desired 1 <= max 3 does not hold']],
      ['a secret recovery window of 6 days', { storage: { secretRecoveryWindowDays: 6 } }, ['error environments.dev.overrides.storage.secretRecoveryWindowDays: is 6; Secrets Manager takes 0 (delete at once) or 7 to 30 days']],
      ['a secret recovery window of 1 day', { storage: { secretRecoveryWindowDays: 1 } }, ['error environments.dev.overrides.storage.secretRecoveryWindowDays: is 1; Secrets Manager takes 0 (delete at once) or 7 to 30 days']],
    ])('rejects %s', (_name, overrides, expected) => {
      expect(issuesAfter((o) => (o.environments.dev.overrides = { ...o.environments.dev.overrides, ...overrides }))).toEqual(expected);
    });

    it.each<[string, Example]>([
      ['autoscaling bound equal to the allocated storage', { database: { allocatedStorageGb: 200, maxAllocatedStorageGb: 200 } }],
      ['desired equal to min and max', { service: { minCount: 3, desiredCount: 3, maxCount: 3 } }],
      ['a secret recovery window of 0 days', { storage: { secretRecoveryWindowDays: 0 } }],
      ['a secret recovery window of 7 days', { storage: { secretRecoveryWindowDays: 7 } }],
      ['a non-production database without production protections', { database: { multiAz: false, backupRetentionDays: 1, skipFinalSnapshot: true } }],
    ])('accepts %s', (_name, overrides) => {
      expect(issuesAfter((o) => (o.environments.dev.overrides = { ...o.environments.dev.overrides, ...overrides }))).toEqual([]);
    });

    describe('production protections, at the production environment override', () => {
      it.each<[string, Example, string]>([
        ['backups kept 6 days', { database: { backupRetentionDays: 6 } }, 'database.backupRetentionDays: is 6; a production environment keeps backups for at least 7 days'],
        ['a single-AZ database', { database: { multiAz: false } }, 'database.multiAz: is false; a production database must be Multi-AZ'],
        ['a database without deletion protection', { database: { deletionProtection: false } }, 'database.deletionProtection: is false; a production database must have deletion protection'],
        ['no final snapshot', { database: { skipFinalSnapshot: true } }, 'database.skipFinalSnapshot: is true; a production database must take a final snapshot'],
        ['one task', { service: { minCount: 1 } }, 'service.minCount: is 1; a production service runs at least 2 tasks'],
        ['a load balancer without deletion protection', { loadBalancer: { deletionProtection: false } }, 'loadBalancer.deletionProtection: is false; a production load balancer must have deletion protection'],
        ['logs kept 180 days', { logs: { retentionDays: 180 } }, 'logs.retentionDays: is 180; production keeps logs at least 365 days for audit'],
      ])('rejects %s', (_name, overrides, expected) => {
        expect(issuesAfter((o) => (o.environments.prod.overrides = overrides))).toEqual([`error environments.prod.overrides.${expected}`]);
      });

      it('accepts the smallest values production allows', () => {
        expect(issuesAfter((o) => (o.environments.prod.overrides = { database: { backupRetentionDays: 7 }, service: { minCount: 2 }, logs: { retentionDays: 365 } }))).toEqual([]);
      });

      it('applies to a non-prod environment of the production tier', () => {
        expect(issuesAfter((o) => (o.environments.staging.tier = 'production'))).toEqual([]);
        expect(
          issuesAfter((o) => {
            o.environments.staging.tier = 'production';
            o.environments.staging.overrides.database = { multiAz: false };
          }),
        ).toEqual(['error environments.staging.overrides.database.multiAz: is false; a production database must be Multi-AZ']);
      });

      it('does not apply to prod of the non-production tier', () => {
        expect(issuesAfter((o) => (o.environments.prod.tier = 'non-production'))).toEqual([
          "error environments.prod.overrides.migration.data: is missing; a non-production environment with migrating databases must say what data it gets: 'production-copy' (production's data, restored and kept in step), 'seed' (databases[].seedFile, masked or synthetic) or 'empty'",
        ]);
      });
    });

    it('points a problem that comes from the defaults at the default, once per environment it breaks', () => {
      // dev's overrides have no database group, prod has no overrides: the production tier fixes prod.
      expect(issuesAfter((o) => (o.defaults.database = { maxAllocatedStorageGb: 30 }))).toEqual([
        'error defaults.database.maxAllocatedStorageGb: dev: is 30; expected at least allocatedStorageGb (50)',
        'error defaults.database.maxAllocatedStorageGb: staging: is 30; expected at least allocatedStorageGb (50)',
      ]);
      expect(issuesAfter((o) => (o.defaults.database = { skipFinalSnapshot: true }))).toEqual([
        'error defaults.database.skipFinalSnapshot: prod: is true; a production database must take a final snapshot',
      ]);
    });

    it("prefers the environment's own override to the default", () => {
      expect(
        issuesAfter((o) => {
          o.defaults.database = { maxAllocatedStorageGb: 30 };
          o.environments.dev.overrides.database = { allocatedStorageGb: 40 };
        }),
      ).toEqual([
        'error environments.dev.overrides.database.allocatedStorageGb: is 30; expected at least allocatedStorageGb (40)',
        'error defaults.database.maxAllocatedStorageGb: staging: is 30; expected at least allocatedStorageGb (50)',
      ]);
    });

    it("points at the environment's own field of a rule even when another field comes from the defaults", () => {
      expect(
        issuesAfter((o) => {
          o.defaults.service = { desiredCount: 2 };
          o.environments.dev.overrides.service = { maxCount: 1 };
        }),
      ).toEqual(['error environments.dev.overrides.service.maxCount: min 1 <= desired 2 <= max 1 does not hold']);
    });

    it('does not check settings the schema rejected, in the defaults or in the environment', () => {
      expect(issuesAfter((o) => (o.defaults = { logs: { retentionDays: 2 }, database: { maxAllocatedStorageGb: 30 } }))).toEqual([
        'error defaults.logs.retentionDays: is number 2; expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
      ]);
      expect(issuesAfter((o) => (o.environments.dev.overrides = { logs: { retentionDays: 2 }, database: { maxAllocatedStorageGb: 30 }, migration: { data: 'empty' } }))).toEqual([
        'error environments.dev.overrides.logs.retentionDays: is number 2; expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
      ]);
    });
  });

  describe('migration data', () => {
    const MISSING =
      "is missing; a non-production environment with migrating databases must say what data it gets: 'production-copy' (production's data, restored and kept in step), 'seed' (databases[].seedFile, masked or synthetic) or 'empty'";

    it('must be chosen when any database migrates, also with no overrides at all', () => {
      expect(
        issuesAfter((o) => {
          delete o.environments.dev.overrides;
          o.databases.unshift(ENGINE_DB('audit'));
        }),
      ).toEqual([`error environments.dev.overrides.migration.data: ${MISSING}`]);
    });

    it('is not asked when no database migrates', () => {
      expect(
        issuesAfter((o) => {
          delete o.environments.dev.overrides;
          delete o.databases[0].migrateFrom;
        }),
      ).toEqual([]);
    });

    it('may be chosen in defaults; migration defaults that do not choose do not count', () => {
      expect(
        issuesAfter((o) => {
          delete o.environments.dev.overrides;
          o.defaults.migration = { data: 'empty' };
        }),
      ).toEqual([]);
      expect(
        issuesAfter((o) => {
          delete o.environments.dev.overrides;
          o.defaults.migration = { dmsMultiAz: true };
        }),
      ).toEqual([`error environments.dev.overrides.migration.data: ${MISSING}`]);
      expect(
        issuesAfter((o) => {
          o.environments.dev.overrides = { migration: { dmsMultiAz: true } };
        }),
      ).toEqual([`error environments.dev.overrides.migration.data: ${MISSING}`]);
    });

    it('is always production-copy in production', () => {
      expect(issuesAfter((o) => (o.environments.prod.overrides = { migration: { data: 'seed' } }))).toEqual([
        "error environments.prod.overrides.migration.data: is 'seed'; a production environment is where production's data moves, so it is always 'production-copy'",
        "error databases.0.seedFile: is missing; prod gets 'seed' data (migration.data), so ledger needs the SQL file to load",
      ]);
    });

    it("'seed' needs a seed file for each migrating database only", () => {
      expect(
        issuesAfter((o) => {
          o.environments.dev.overrides.migration.data = 'seed';
          o.databases.push(ENGINE_DB('audit'));
          o.databases.push(ENGINE_DB('billing', { migrateFrom: 'ledger', seedFile: 'seed/billing.sql' }));
        }),
      ).toEqual(["error databases.0.seedFile: is missing; dev gets 'seed' data (migration.data), so ledger needs the SQL file to load"]);
    });

    it("'seed' skips list entries that are not databases", () => {
      expect(
        issuesAfter((o) => {
          o.environments.dev.overrides.migration.data = 'seed';
          o.databases[0].seedFile = 'seed/ledger.sql';
          o.databases.push(null);
        }),
      ).toEqual(['error databases.1: is null; expected an object']);
    });
  });

  describe('peering', () => {
    it('rejects a peer with itself', () => {
      expect(issuesAfter((o) => (o.peering[0].between = ['dev', 'dev']))).toEqual(["error peering.0.between: 'dev' cannot peer with itself"]);
    });

    it('rejects a pair listed twice, in either order, at the second', () => {
      expect(issuesAfter((o) => o.peering.push({ between: ['dev', 'staging'], ports: [22], reason: 'ssh' }))).toEqual([
        'error peering.4.between: dev <-> staging is listed more than once',
      ]);
    });

    it('warns about prod <-> dev, in either order', () => {
      const warning = 'WARNING: prod <-> dev peering is allowed by this entry. Production should not be reachable from development; remove it unless you really mean it';
      expect(issuesAfter((o) => o.peering.push({ between: ['prod', 'dev'], ports: [443], reason: 'x' }))).toEqual([`warning peering.4.between: ${warning}`]);
      expect(issuesAfter((o) => o.peering.push({ between: ['dev', 'prod'], ports: [443], reason: 'x' }))).toEqual([`warning peering.4.between: ${warning}`]);
    });

    it('does not check a pair the schema rejected', () => {
      expect(issuesAfter((o) => (o.peering[0].between = ['dve', 'dve']))).toEqual([
        "error peering.0.between.0: 'dve' is not a known peer; expected one of 'dev', 'staging', 'prod', 'legacy'; did you mean 'dev'?",
        "error peering.0.between.1: 'dve' is not a known peer; expected one of 'dev', 'staging', 'prod', 'legacy'; did you mean 'dev'?",
      ]);
    });
  });

  describe('databases', () => {
    it('rejects a name listed twice, at the second', () => {
      expect(issuesAfter((o) => o.databases.push(ENGINE_DB('ledger')))).toEqual(["error databases.1.name: 'ledger' is listed twice"]);
    });

    it('does not compare names the schema rejected', () => {
      expect(issuesAfter((o) => o.databases.push(ENGINE_DB('Audit', { databaseName: 'audit' }), ENGINE_DB('Audit', { databaseName: 'audit' })))).toEqual([
        "error databases.1.name: 'Audit' is not valid; expected a lowercase name of 1-15 letters and digits",
        "error databases.2.name: 'Audit' is not valid; expected a lowercase name of 1-15 letters and digits",
      ]);
    });

    it("needs masterSecretName for credentials 'existing-secret'", () => {
      expect(issuesAfter((o) => (o.databases[0].credentials = 'existing-secret'))).toEqual([
        "error databases.0.masterSecretName: is missing; credentials 'existing-secret' needs the Secrets Manager name of the existing master secret",
      ]);
      expect(
        issuesAfter((o) => {
          o.databases[0].credentials = 'existing-secret';
          o.databases[0].masterSecretName = 'ledger/master';
        }),
      ).toEqual([]);
    });

    it('rejects migrateFrom that is not a legacy database, listing the known ones', () => {
      expect(
        issuesAfter((o) => {
          o.legacy.databases.push(LEGACY_DB('billing'));
          o.databases[0].migrateFrom = 'ledgr';
        }),
      ).toEqual(["error databases.0.migrateFrom: 'ledgr' is not in legacy.databases (known: ledger, billing)"]);
      expect(issuesAfter((o) => (o.legacy.databases = []))).toEqual(["error databases.0.migrateFrom: 'ledger' is not in legacy.databases (known: none)"]);
    });

    it('does not resolve migrateFrom when it or legacy.databases was rejected', () => {
      expect(issuesAfter((o) => (o.databases[0].migrateFrom = 'Ledger'))).toEqual([
        "error databases.0.migrateFrom: 'Ledger' is not valid; expected a name from legacy.databases",
      ]);
      expect(issuesAfter((o) => (o.legacy.databases[0].port = 80))).toEqual(['error legacy.databases.0.port: is number 80; expected a whole number from 1150 to 65535']);
    });
  });

  describe('services', () => {
    it('rejects a name listed twice, at the second', () => {
      expect(issuesAfter((o) => o.services.push(SERVICE('api')))).toEqual(["error services.1.name: 'api' is listed twice"]);
    });

    it('does not compare names the schema rejected', () => {
      expect(issuesAfter((o) => o.services.push(SERVICE('Web', { hostname: 'web' }), SERVICE('Web', { hostname: 'web' })))).toEqual([
        "error services.1.name: 'Web' is not valid; expected a lowercase name of 1-15 letters and digits",
        "error services.2.name: 'Web' is not valid; expected a lowercase name of 1-15 letters and digits",
      ]);
    });

    it('rejects a database that is not in databases, listing the known ones', () => {
      expect(
        issuesAfter((o) => {
          o.databases.push(ENGINE_DB('audit'));
          o.services[0].database = 'ledgr';
        }),
      ).toEqual(["error services.0.database: 'ledgr' is not in databases (known: ledger, audit)"]);
      expect(
        issuesAfter((o) => {
          o.databases = [];
          o.services[0].database = 'ledger';
        }),
      ).toEqual(["error services.0.database: 'ledger' is not in databases (known: none)"]);
    });

    it('accepts a service without a database', () => {
      expect(issuesAfter((o) => delete o.services[0].database)).toEqual([]);
    });

    it('does not resolve a database when it or the databases were rejected', () => {
      expect(issuesAfter((o) => (o.services[0].database = 'Ledger'))).toEqual([
        "error services.0.database: 'Ledger' is not valid; expected a database name from databases",
      ]);
      expect(issuesAfter((o) => (o.databases[0].port = 80))).toEqual(['error databases.0.port: is number 80; expected a whole number from 1150 to 65535']);
      expect(issuesAfter((o) => (o.databases[0].name = 'Ledger'))).toEqual([
        "error databases.0.name: 'Ledger' is not valid; expected a lowercase name of 1-15 letters and digits",
      ]);
    });
  });

  describe('environment variables', () => {
    const TAG = 'a tag value: 1-256 letters, digits, spaces and _ . : / = + - @, not starting or ending with a space';

    it.each<[RuntimeInputs, string]>([
      [{ team: '' }, `error TEAM: '' is empty; unset TEAM to use tags.team from the config, or give ${TAG}`],
      [{ team: '  ' }, `error TEAM: '  ' is only whitespace; unset TEAM to use tags.team from the config, or give ${TAG}`],
      [{ team: ' platform' }, `error TEAM: ' platform' is not valid; expected ${TAG}`],
      [{ costCenter: '' }, `error COST_CENTER: '' is empty; unset COST_CENTER to use tags.costCenter from the config, or give ${TAG}`],
      [{ costCenter: 'CC#1' }, `error COST_CENTER: 'CC#1' is not valid; expected ${TAG}`],
      [{ environmentSuffix: ' ' }, "error ENVIRONMENT_SUFFIX: ' ' is only whitespace; leave it unset or empty for no preview copy, or give a suffix such as pr42"],
      [{ environmentSuffix: 'PR42' }, "error ENVIRONMENT_SUFFIX: 'PR42' is not valid; expected a lowercase letter then up to 7 lowercase letters or digits (e.g. pr42)"],
    ])('rejects %j', (runtime, expected) => {
      expect(issuesAfter(() => undefined, runtime)).toEqual([expected]);
    });

    it('accepts valid values and an empty suffix', () => {
      expect(issuesAfter(() => undefined, { team: 'payments team', costCenter: 'CC-2002', environmentSuffix: 'pr42' })).toEqual([]);
      expect(issuesAfter(() => undefined, { environmentSuffix: '' })).toEqual([]);
    });
  });

  describe('preview names within the AWS limits', () => {
    // 15 characters: dev-abcdefgh-<name>-alb is exactly 32, staging-abcdefgh-<name>-alb is 36.
    const LONG = 'reconciliation1';
    const long = (o: Example) => {
      o.services[0].name = LONG;
      o.services[0].hostname = 'recon';
    };
    const STAGING = [
      `error ENVIRONMENT_SUFFIX: staging: alb name 'staging-abcdefgh-${LONG}-alb' is 36 characters; AWS allows at most 32: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${LONG}-alb'`,
      `error ENVIRONMENT_SUFFIX: staging: target-group name 'staging-abcdefgh-${LONG}-tg' is 35 characters; AWS allows at most 32: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${LONG}-tg'`,
    ];
    // prod-abcdefgh-<name>-tg is exactly 32: accepted.
    const PROD = [
      `error ENVIRONMENT_SUFFIX: prod: alb name 'prod-abcdefgh-${LONG}-alb' is 33 characters; AWS allows at most 32: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${LONG}-alb'`,
    ];

    it('reports each environment that allows previews (prod does not, unless it says so)', () => {
      expect(issuesAfter(long, { environmentSuffix: 'abcdefgh' })).toEqual(STAGING);
      expect(issuesAfter((o) => (long(o), delete o.environments.prod.allowPreviews), { environmentSuffix: 'abcdefgh' })).toEqual(STAGING);
      expect(issuesAfter((o) => (long(o), (o.environments.prod.allowPreviews = true)), { environmentSuffix: 'abcdefgh' })).toEqual([...STAGING, ...PROD]);
      expect(issuesAfter((o) => (long(o), (o.environments.staging.allowPreviews = false)), { environmentSuffix: 'abcdefgh' })).toEqual([]);
    });

    it('checks nothing without a valid suffix', () => {
      expect(issuesAfter(long)).toEqual([]);
      expect(issuesAfter(long, { environmentSuffix: 'abcdefghij' })).toEqual([
        "error ENVIRONMENT_SUFFIX: 'abcdefghij' is not valid; expected a lowercase letter then up to 7 lowercase letters or digits (e.g. pr42)",
      ]);
    });

    it('checks nothing while environments, services or databases have schema problems', () => {
      const suffix = { environmentSuffix: 'abcdefgh' };
      expect(issuesAfter((o) => (long(o), (o.environments.dev.allowPreviews = 'yes')), suffix)).toEqual([
        "error environments.dev.allowPreviews: is the string 'yes'; expected true or false",
      ]);
      expect(issuesAfter((o) => (long(o), (o.services[0].containerPort = 80)), suffix)).toEqual(['error services.0.containerPort: is number 80; expected a whole number from 1024 to 65535']);
      expect(issuesAfter((o) => (long(o), (o.databases[0].port = 80)), suffix)).toEqual(['error databases.0.port: is number 80; expected a whole number from 1150 to 65535']);
    });
  });

  describe('schema problems', () => {
    it('are reported as errors, with where to point', () => {
      const input = exampleOrganisationInput();
      input.environmnets = input.environments;
      delete input.environments;
      expect(collectIssues(input, {})).toEqual([
        { path: 'environments', severity: 'error', at: 'environmnets', message: "is missing; expected an object (is 'environmnets' a misspelling of it?)" },
        { path: 'environmnets', severity: 'error', message: "unknown key; did you mean 'environments'?" },
      ]);
    });
  });
});

describe('nameBudgetProblems', () => {
  const org = (part: Example) => part as unknown as OrganisationInput;
  const naming = new Naming('staging', 'abcdefgh');

  it('checks every generated name of services and databases', () => {
    const name = 'x'.repeat(48);
    expect(nameBudgetProblems(naming, org({ services: [{ name }], databases: [{ name }] }))).toEqual([
      `alb name 'staging-abcdefgh-${name}-alb' is 69 characters; AWS allows at most 32: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${name}-alb'`,
      `target-group name 'staging-abcdefgh-${name}-tg' is 68 characters; AWS allows at most 32: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${name}-tg'`,
      `iam-role name 'staging-abcdefgh-${name}-execution' is 75 characters; AWS allows at most 64: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${name}-execution'`,
      `rds-instance name 'staging-abcdefgh-${name}-db' is 68 characters; AWS allows at most 63: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${name}-db'`,
      `dms-replication-instance name 'staging-abcdefgh-${name}-dms' is 69 characters; AWS allows at most 63: shorten ENVIRONMENT_SUFFIX 'abcdefgh' or the name '${name}-dms'`,
    ]);
  });

  it('checks the bucket names, with a 12-digit account id', () => {
    const base = 'e'.repeat(40);
    expect(nameBudgetProblems(new Naming(base, 'pr1'), org({}))).toEqual([
      `s3-bucket name '${base}-pr1-assets-000000000000' is 64 characters; AWS allows at most 63: shorten ENVIRONMENT_SUFFIX 'pr1' or the name 'assets-000000000000'`,
      `s3-bucket name '${base}-pr1-alb-logs-000000000000' is 66 characters; AWS allows at most 63: shorten ENVIRONMENT_SUFFIX 'pr1' or the name 'alb-logs-000000000000'`,
    ]);
  });

  it('skips entries without a name', () => {
    const unnamed = [null, { name: ['x'.repeat(60)] }, {}];
    expect(nameBudgetProblems(naming, org({ services: unnamed, databases: unnamed }))).toEqual([]);
    expect(nameBudgetProblems(naming, org({ services: [{ name: 'api' }] }))).toEqual([]);
  });
});

describe('tierOf and effectiveSettings', () => {
  const org = (part: Example) => part as unknown as OrganisationInput;

  it('take the tier from the name when the environment does not say', () => {
    expect(tierOf(org({}), 'prod')).toBe('production');
    expect(tierOf(org({ environments: {} }), 'prod')).toBe('production');
    expect(tierOf(org({ environments: {} }), 'staging')).toBe('non-production');
    expect(tierOf(org({ environments: { dev: { tier: 'production' } } }), 'dev')).toBe('production');
  });

  it('merge baseline, defaults, tier, overrides and, for a preview, the preview rules', () => {
    expect(effectiveSettings(org({}), 'prod', undefined)).toEqual(mergeSettings(BASELINE_SETTINGS, TIER_SETTINGS.production));
    expect(effectiveSettings(org({ environments: {} }), 'dev', 'pr1')).toEqual(mergeSettings(BASELINE_SETTINGS, PREVIEW_RULES));
    const settings = effectiveSettings(
      org({ defaults: { logs: { retentionDays: 60 } }, environments: { prod: { overrides: { service: { maxCount: 20 } } } } }),
      'prod',
      undefined,
    );
    expect([settings.logs.retentionDays, settings.service.maxCount, settings.service.minCount]).toEqual([365, 20, 3]);
  });
});
