import { Organisation, OrganisationConfigError } from './organisation-model';
import { exampleOrganisationInput } from './test-fixtures';

/* eslint-disable @typescript-eslint/no-explicit-any */
function errorOf(change: (o: Record<string, any>) => void): string {
  const input = exampleOrganisationInput() as Record<string, any>;
  change(input);
  try {
    Organisation.fromInput(input);
  } catch (e) {
    expect(e).toBeInstanceOf(OrganisationConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

function accepted(change: (o: Record<string, any>) => void): Organisation {
  const input = exampleOrganisationInput() as Record<string, any>;
  change(input);
  return Organisation.fromInput(input);
}

describe('what data a migrated database holds (migration.data)', () => {
  it('must be chosen for a non-production environment with migrating databases, naming where', () => {
    const message = errorOf((o) => delete o.environments.dev.overrides.migration);
    expect(message).toContain(
      "environments.dev.overrides.migration.data: is missing; a non-production environment with migrating databases must say what data it gets: 'production-copy' (production's data, restored and kept in step), 'seed' (databases[].seedFile, masked or synthetic) or 'empty'",
    );
    expect(message).not.toContain('environments.staging');
  });

  it('may be chosen once for every environment in defaults, and is then not asked per environment', () => {
    const org = accepted((o) => {
      delete o.environments.dev.overrides.migration;
      delete o.environments.staging.overrides.migration;
      o.defaults.migration = { data: 'empty' };
    });
    expect(org.environment('dev').settings.migration.data).toBe('empty');
    expect(org.environment('staging').settings.migration.data).toBe('empty');
    // The production tier sets production-copy after the defaults.
    expect(org.environment('prod').settings.migration.data).toBe('production-copy');
  });

  it('is not asked when nothing migrates', () => {
    const org = accepted((o) => {
      delete o.environments.dev.overrides.migration;
      o.databases = o.databases.map((d: Record<string, unknown>) => ({ ...d, migrateFrom: undefined }));
    });
    expect(org.environment('dev').settings.migration.data).toBe('production-copy');
  });

  it('is always production-copy in production, wherever it is set', () => {
    expect(errorOf((o) => (o.environments.prod.overrides = { migration: { data: 'seed' } }))).toContain(
      "environments.prod.overrides.migration.data: is 'seed'; a production environment is where production's data moves, so it is always 'production-copy'",
    );
    expect(errorOf((o) => (o.environments.prod.overrides = { migration: { data: 'empty' } }))).toContain("environments.prod.overrides.migration.data: is 'empty'; a production environment");
    expect(accepted((o) => (o.environments.prod.overrides = { migration: { data: 'production-copy' } })).environment('prod').settings.migration.data).toBe('production-copy');
  });

  it("needs a seed file for each migrating database when the data is 'seed'", () => {
    expect(errorOf((o) => (o.environments.dev.overrides.migration.data = 'seed'))).toContain(
      "databases.0.seedFile: is missing; dev gets 'seed' data (migration.data), so ledger needs the SQL file to load",
    );
    const org = accepted((o) => {
      o.environments.dev.overrides.migration.data = 'seed';
      o.databases[0].seedFile = 'seeds/ledger-masked.sql';
    });
    expect(org.environment('dev').settings.migration.data).toBe('seed');
    expect(org.databases[0].seedFile).toBe('seeds/ledger-masked.sql');
  });

  it('takes only a relative .sql path without .. as a seed file', () => {
    for (const bad of ['/etc/seed.sql', '../outside.sql', 'seeds/../../x.sql', 'seeds/ledger.dump']) {
      expect(errorOf((o) => (o.databases[0].seedFile = bad))).toContain(`databases.0.seedFile: '${bad}' is not valid; expected a path of a .sql file relative to the workspace root, without '..'`);
    }
  });

  it('names the choices for an unknown value', () => {
    expect(errorOf((o) => (o.environments.dev.overrides.migration.data = 'prod-copy'))).toContain(
      "environments.dev.overrides.migration.data: 'prod-copy' is not valid; expected one of 'production-copy', 'seed', 'empty'",
    );
  });
});
