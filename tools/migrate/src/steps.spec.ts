import { Client } from 'pg';
import { exampleOrganisationInput, Organisation } from '@estate/config';
import { createLedgerTable, startLocalDynamo, startPostgres, type LocalDynamo, type PostgresServer } from '@estate/testing';
import { rollbackMigration, runMigration, StepFailedError } from './engine';
import { Ledger } from './ledger';
import { roleFrozen, slotState, subscriptionState, type Query } from './postgres-sql';
import { buildMigrationSteps, inertPorts, migratedDatabases, outputKeys, replicationRoleName, type AlarmState, type CdcEngine, type DatabaseSide, type MigrationPorts, type SnapshotState, type StepOptions } from './steps';

jest.setTimeout(180_000);

const TABLE = 'ops-migration-ledger';
let dynamo: LocalDynamo;
const servers: PostgresServer[] = [];
let counter = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createLedgerTable(dynamo.client, TABLE);
});

afterAll(async () => {
  await Promise.all([dynamo?.stop(), ...servers.map((s) => s.stop())]);
});

const pairs = new Map<string, Promise<[PostgresServer, PostgresServer]>>();
/**
 * A pair of servers per group of tests. Replication slots are per cluster: tests sharing a
 * pair use different environments (dev, staging, prod), whose slots have different names.
 */
function serverPair(group: string): Promise<[PostgresServer, PostgresServer]> {
  let pair = pairs.get(group);
  if (!pair) {
    pair = (async () => {
      const started = await Promise.all([startPostgres({ logical: true }), startPostgres({ logical: true })]);
      servers.push(...started);
      for (const server of started) await query(server.url(), 'CREATE ROLE app LOGIN');
      return started;
    })();
    pairs.set(group, pair);
  }
  return pair;
}

async function query(url: string, sql: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function organisationWith(engine: CdcEngine, replicationRole: string): Organisation {
  const input = exampleOrganisationInput() as unknown as { databases: Record<string, unknown>[]; legacy: { databases: Record<string, unknown>[] } };
  input.databases = input.databases.map((d) => ({ ...d, cdcEngine: engine }));
  // Roles are per cluster and the tests share clusters: a replication login per world.
  input.legacy.databases = input.legacy.databases.map((d) => ({ ...d, replicationRole }));
  return Organisation.fromInput(input as never);
}

const SCHEMA = 'CREATE TABLE accounts (id bigserial PRIMARY KEY, balance bigint NOT NULL); GRANT SELECT, INSERT, UPDATE ON accounts TO app; GRANT USAGE ON SEQUENCE accounts_id_seq TO app';

/**
 * A legacy and a new database on two real PostgreSQL servers (the new one a copy of the
 * legacy schema and rows, as a restore leaves it), with recording ports for what is AWS.
 */
async function world(
  engine: CdcEngine,
  environment: 'dev' | 'staging' | 'prod',
  overrides: { verify?: MigrationPorts['verify']; snapshot?: (recordedAt: () => Date) => SnapshotState | undefined; alarms?: () => AlarmState[]; afterSlot?: string } = {},
) {
  const name = `ledger_${++counter}`;
  const [legacyServer, newServer] = await serverPair(engine);
  const legacyUrl = await legacyServer.createDatabase(name);
  const migratedUrl = await newServer.createDatabase(name);
  await query(legacyUrl, `${SCHEMA}; INSERT INTO accounts (balance) SELECT 100 FROM generate_series(1, 20)`);
  await query(migratedUrl, `${SCHEMA}; INSERT INTO accounts (balance) SELECT 100 FROM generate_series(1, 20)`);
  const organisation = organisationWith(engine, `repl_${counter}`);
  const dev = organisation.environment(environment);
  const calls: string[] = [];
  let task = 'ready';
  const urlOf = (side: DatabaseSide) => (side === 'legacy' ? legacyUrl : migratedUrl);
  const conninfo = (url: string) => {
    const u = new URL(url);
    return `host=127.0.0.1 port=${u.port} dbname=${u.pathname.slice(1)} user=postgres`;
  };
  const outputs = {
    [outputKeys.hostedZoneId(dev)]: 'Z123',
    [outputKeys.recordName(dev, organisation.services[0])]: 'api.dev.fintech.example.com',
    [outputKeys.healthCheckId(dev, organisation.services[0], 'legacy')]: 'hc-legacy',
    [outputKeys.healthCheckId(dev, organisation.services[0], 'migrated')]: 'hc-migrated',
    [outputKeys.taskArn(dev, organisation.databases[0])]: 'arn:aws:dms:us-east-1:333333333333:task:LEDGER',
  };
  let recordedAt = new Date();
  let snapshot: SnapshotState | undefined;
  const ports: MigrationPorts = {
    ...inertPorts(),
    preflight: async () => [],
    deploy: async () => outputs,
    outputs: () => outputs,
    sql: async (side) => {
      const client = new Client({ connectionString: urlOf(side) });
      await client.connect();
      const q: Query = async (sql, values) => (await client.query(sql, values as unknown[])).rows;
      return { query: q, close: () => client.end() };
    },
    replicationConnection: async (publisher) => conninfo(urlOf(publisher)),
    replicationUser: async (db) => ({ username: replicationRoleName(dev, db), password: `secret-of-world-${name}` }),
    restoredPosition: async () => undefined,
    legacy: {
      createSlot: async (_db, slot, plugin) => {
        calls.push(`slot create ${slot} ${plugin}`);
        const [row] = await query(legacyUrl, 'SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, $2)', [slot, plugin]);
        recordedAt = new Date();
        // Writes after the slot: CDC must carry them (they are not in the restored copy).
        if (overrides.afterSlot) await query(legacyUrl, overrides.afterSlot);
        return { lsn: String(row['lsn']), created: true };
      },
      describeSnapshot: async () => (overrides.snapshot ? overrides.snapshot(() => recordedAt) : snapshot),
      createSnapshot: async (_db, identifier) => {
        calls.push(`snapshot create ${identifier}`);
        snapshot = { status: 'available', percentProgress: 100, createdAt: new Date(), encrypted: true };
      },
    },
    fillReplicationSecrets: async () => void calls.push('secrets filled'),
    dms: {
      start: async (arn, position) => {
        calls.push(`dms start ${arn} ${position}`);
        task = 'running';
      },
      stop: async (arn) => {
        calls.push(`dms stop ${arn}`);
        task = 'stopped';
      },
      describe: async () => ({ status: task }),
    },
    alarms: async () => overrides.alarms?.() ?? [{ name: 'dev-api-5xx', state: 'OK' }],
    setWeights: async (record, weights) => void calls.push(`weights ${record.recordName} legacy=${weights.legacy} migrated=${weights.migrated}`),
    removeLegacyRecord: async (record) => void calls.push(`remove legacy ${record.recordName}`),
    verify: overrides.verify ?? (async () => ({ ok: true, summary: '1 table identical', rows: 20 })),
    services: { pointAt: async (_db, side) => void calls.push(`services -> ${side}`) },
  };
  const ledger = new Ledger({ client: dynamo.client, tableName: TABLE, environment: `steps-${counter}` });
  const engineOptions = (steps: ReturnType<typeof buildMigrationSteps>) => ({ ledger, steps, owner: 'runner', operator: 'alice', leaseMs: 60_000, log: () => undefined, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))) });
  return { organisation, dev, ports, calls, ledger, legacyUrl, migratedUrl, engineOptions, setTask: (s: string) => (task = s) };
}

const fast: StepOptions = { shiftWaitSeconds: 0.05, pollSeconds: 0.05, catchUpSamples: 1, drainPollMs: 20, rollbackWindowMinutes: 0 };

describe('migration steps (DMS engine, real PostgreSQL for the SQL)', () => {
  it('rolls back after a failed alarm gate: weights back to legacy, CDC stopped, the new side frozen, then the slot dropped', async () => {
    let migrated = 0;
    const w = await world('dms', 'dev', { alarms: () => [{ name: 'dev-api-5xx', state: migrated >= 50 ? 'ALARM' : 'OK', reason: migrated >= 50 ? '5xx 7% > 5%' : undefined }] });
    const setWeights = w.ports.setWeights;
    const ports: MigrationPorts = { ...w.ports, setWeights: async (record, weights) => ((migrated = weights.migrated), setWeights(record, weights)) };
    const steps = buildMigrationSteps(w.organisation, w.dev, ports, fast);
    const failure = await runMigration(w.engineOptions(steps)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailedError);
    expect((failure as StepFailedError).stepId).toBe('traffic-50');
    expect((failure as Error).message).toMatch(/alarm gate at 50% .*dev-api-5xx is ALARM \(5xx 7% > 5%\)/);
    expect(w.calls).toEqual([
      'slot create dev_ledger_dms test_decoding',
      'snapshot create legacy-ledger-premigration-dev',
      'services -> legacy',
      'secrets filled',
      expect.stringMatching(/^dms start arn:aws:dms:us-east-1:333333333333:task:LEDGER [0-9A-F]+\/[0-9A-F]+$/),
      'weights api.dev.fintech.example.com legacy=75 migrated=25',
      'weights api.dev.fintech.example.com legacy=50 migrated=50',
    ]);
    // The restored copy takes no application writes before the switch.
    expect(await roleFrozen((sql, v) => query(w.migratedUrl, sql, v as unknown[]), 'app')).toBe(true);
    // The replication login exists on both sides, with replication rights and read access to the tables.
    const login = replicationRoleName(w.dev, migratedDatabases(w.organisation)[0]);
    const rights = `SELECT r.rolreplication AS replication, has_table_privilege(r.rolname, 'public.accounts', 'SELECT') AS reads FROM pg_roles r WHERE r.rolname = $1`;
    for (const url of [w.legacyUrl, w.migratedUrl]) expect(await query(url, rights, [login])).toEqual([{ replication: true, reads: true }]);

    w.calls.length = 0;
    const result = await rollbackMigration(w.engineOptions(steps));
    expect(result.undone).toEqual(['traffic-50', 'traffic-25', 'cdc-start-ledger', 'replication-user-ledger', 'cdc-position-ledger']);
    for (const url of [w.legacyUrl, w.migratedUrl]) expect(await query(url, rights, [login])).toEqual([]);
    expect(w.calls).toEqual([
      'weights api.dev.fintech.example.com legacy=100 migrated=0',
      'weights api.dev.fintech.example.com legacy=100 migrated=0',
      'dms stop arn:aws:dms:us-east-1:333333333333:task:LEDGER',
    ]);
    expect(await slotState((sql, v) => query(w.legacyUrl, sql, v as unknown[]), 'dev_ledger_dms')).toBeUndefined();
  });

  it('refuses a snapshot taken before the CDC position was recorded, and creates none', async () => {
    const w = await world('dms', 'staging', { snapshot: (recordedAt) => ({ status: 'available', percentProgress: 100, createdAt: new Date(recordedAt().getTime() - 1000), encrypted: true }) });
    const steps = buildMigrationSteps(w.organisation, w.dev, w.ports, fast);
    const failure = (await runMigration(w.engineOptions(steps)).catch((e: unknown) => e)) as StepFailedError;
    expect(failure.stepId).toBe('snapshot-ledger');
    expect(failure.message).toMatch(/snapshot legacy-ledger-premigration-staging was taken at .* before the CDC position was recorded .*changes in between would be lost/);
    expect(w.calls.filter((c) => c.startsWith('snapshot create'))).toEqual([]);
  });

  it('refuses an unencrypted snapshot', async () => {
    const w = await world('dms', 'prod', { snapshot: () => ({ status: 'available', percentProgress: 100, createdAt: new Date(Date.now() + 60_000), encrypted: false }) });
    const failure = (await runMigration(w.engineOptions(buildMigrationSteps(w.organisation, w.dev, w.ports, fast))).catch((e: unknown) => e)) as StepFailedError;
    expect(failure.message).toMatch(/snapshot legacy-ledger-premigration-prod is not encrypted/);
  });

  it('attaches health checks only while both sides carry weight', async () => {
    const w = await world('dms', 'dev');
    const seen: { weights: string; checks?: unknown }[] = [];
    const ports: MigrationPorts = { ...w.ports, setWeights: async (record, weights) => void seen.push({ weights: `${weights.legacy}/${weights.migrated}`, checks: record.healthCheckIds }) };
    const steps = buildMigrationSteps(w.organisation, w.dev, ports, fast).filter((s) => s.id === 'traffic-25');
    await steps[0].run({ log: () => undefined, progress: () => undefined, sleep: async () => undefined, outputsOf: () => ({}), attempt: 1 });
    expect(seen).toEqual([{ weights: '75/25', checks: { legacy: 'hc-legacy', migrated: 'hc-migrated' } }]);
  });
});

describe('the switch (logical replication engine, two real PostgreSQL servers)', () => {
  const untilSwitch = (steps: ReturnType<typeof buildMigrationSteps>) => steps.filter((s) => s.id !== 'finalize');

  it('stops when verification is not identical: legacy takes writes again, CDC keeps running, the services stay', async () => {
    const w = await world('logical', 'dev', { verify: async () => ({ ok: false, summary: 'differences in public.accounts' }) });
    const steps = untilSwitch(buildMigrationSteps(w.organisation, w.dev, w.ports, fast));
    const failure = (await runMigration(w.engineOptions(steps)).catch((e: unknown) => e)) as StepFailedError;
    expect(failure).toBeInstanceOf(StepFailedError);
    expect(failure.stepId).toBe('switch-ledger');
    expect(failure.message).toMatch(/data verification of ledger failed: differences in public.accounts/);
    const legacy: Query = (sql, v) => query(w.legacyUrl, sql, v as unknown[]);
    const migrated: Query = (sql, v) => query(w.migratedUrl, sql, v as unknown[]);
    expect(await roleFrozen(legacy, 'app')).toBe(false);
    expect(await roleFrozen(migrated, 'app')).toBe(true);
    expect(await subscriptionState(migrated, 'estate_dev_ledger_forward')).toMatchObject({ enabled: true });
    expect(await subscriptionState(legacy, 'estate_dev_ledger_reverse')).toBeUndefined();
    expect(w.calls.filter((c) => c.startsWith('services'))).toEqual(['services -> legacy']);
  });

  it('aborts a freeze that outlives its budget before the point of switch, and lets legacy write again', async () => {
    let offset = 0;
    const w = await world('logical', 'staging', {
      // Verification "takes" 31 s of the 30 s budget.
      verify: async () => ((offset += 31_000), { ok: true, summary: 'identical', rows: 20 }),
    });
    const steps = untilSwitch(buildMigrationSteps(w.organisation, w.dev, w.ports, { ...fast, freezeBudgetSeconds: 30, now: () => Date.now() + offset }));
    const failure = (await runMigration(w.engineOptions(steps)).catch((e: unknown) => e)) as StepFailedError;
    expect(failure.stepId).toBe('switch-ledger');
    expect(failure.message).toMatch(/write freeze of ledger exceeded its budget \(\d+ ms > 30000 ms\) after verification; the switch was aborted and legacy takes writes again/);
    expect(await roleFrozen((sql, v) => query(w.legacyUrl, sql, v as unknown[]), 'app')).toBe(false);
    expect(w.calls.filter((c) => c.startsWith('services'))).toEqual(['services -> legacy']);
  });

  it('switches: sequences past legacy, reverse replication running, services on the new database, writes allowed there; the ledger records the freeze', async () => {
    const w = await world('logical', 'prod', { afterSlot: 'INSERT INTO accounts (balance) SELECT 1 FROM generate_series(1, 5)' });
    const steps = untilSwitch(buildMigrationSteps(w.organisation, w.dev, w.ports, fast));
    await runMigration(w.engineOptions(steps));
    const legacy: Query = (sql, v) => query(w.legacyUrl, sql, v as unknown[]);
    const migrated: Query = (sql, v) => query(w.migratedUrl, sql, v as unknown[]);
    expect(await roleFrozen(legacy, 'app')).toBe(true);
    expect(await roleFrozen(migrated, 'app')).toBe(false);
    expect(w.calls.filter((c) => c.startsWith('services'))).toEqual(['services -> legacy', 'services -> migrated']);
    expect(await subscriptionState(legacy, 'estate_prod_ledger_reverse')).toMatchObject({ enabled: true });
    expect(await subscriptionState(migrated, 'estate_prod_ledger_forward')).toBeUndefined();
    // The 5 rows written after the slot arrived through CDC; the next id on the new side follows legacy's.
    expect(await migrated('SELECT count(*)::int AS n FROM accounts')).toEqual([{ n: 25 }]);
    expect(await migrated("SELECT nextval('accounts_id_seq')::int AS id")).toEqual([{ id: 26 }]);
    const record = (await w.ledger.steps()).find((r) => r.stepId === 'switch-ledger');
    expect(record?.status).toBe('completed');
    expect(Number(record?.outputs['freezeMs'])).toBeGreaterThan(0);
    expect(record?.outputs['sequencesMoved']).toBe('1');
  });
});
