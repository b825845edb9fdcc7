/**
 * The guards of each migration step before the cutover, on an in-memory world: what a step asks
 * the ports and the SQL for, in which order, what it returns, what it reports, and the exact
 * error it stops with. (The SQL itself: postgres-sql.spec.ts and steps.spec.ts on real PostgreSQL.)
 */
import { createHash } from 'node:crypto';
import type { StepOutputs } from './engine';
import { buildMigrationSteps, FreezeBudgetExceededError, inertPorts, migratedDatabases, outputKeys, replicationNames, replicationRoleName, slotNameOf, TRAFFIC_STEPS } from './steps';
import { contextOf, earlierOutputs, newWorld, organisationWith, recordingPorts, stepsOf, TASK, type World } from './steps-test-support';

jest.mock('./postgres-sql', () => jest.requireActual('./steps-test-support').fakePostgresSql());

const SNAPSHOT = 'legacy-ledger-premigration-dev';
const RECORDED_AT = '2023-11-14T22:13:20.000Z';
const at = (iso: string) => new Date(iso);

let w: World;
beforeEach(() => {
  w = newWorld();
});
afterEach(() => {
  // Every SQL session a step opens is closed again, also when the step fails.
  expect(w.sessions.closed).toBe(w.sessions.opened);
});

async function run(stepId: string, engine: 'dms' | 'logical' = 'dms', options = {}, outputs: Record<string, StepOutputs> = earlierOutputs(engine)) {
  return stepsOf(w, engine, options).step(stepId).run(contextOf(w, outputs));
}
async function undo(stepId: string, engine: 'dms' | 'logical' = 'dms', options = {}, outputs: Record<string, StepOutputs> = earlierOutputs(engine)) {
  const step = stepsOf(w, engine, options).step(stepId);
  if (!step.rollback) throw new Error(`${stepId} has no rollback`);
  return step.rollback.run(contextOf(w, outputs));
}

describe('building the steps', () => {
  const org = organisationWith('dms');
  const dev = org.environment('dev');

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects a freeze budget of %p seconds', (freezeBudgetSeconds) => {
    expect(() => buildMigrationSteps(org, dev, inertPorts(), { freezeBudgetSeconds })).toThrow(new Error(`freeze budget ${freezeBudgetSeconds} s must be a positive number of seconds`));
  });

  it('accepts the smallest positive freeze budget and a rollback window of 0', () => {
    expect(buildMigrationSteps(org, dev, inertPorts(), { freezeBudgetSeconds: 0.001, rollbackWindowMinutes: 0 }).length).toBeGreaterThan(0);
  });

  it.each([-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY])('rejects a rollback window of %p minutes', (rollbackWindowMinutes) => {
    expect(() => buildMigrationSteps(org, dev, inertPorts(), { rollbackWindowMinutes })).toThrow(new Error(`rollback window ${rollbackWindowMinutes} min must be 0 or more minutes`));
  });

  it('lists the steps of a production copy in order, with their phases and what can be undone', () => {
    const shape = (engine: 'dms' | 'logical') =>
      buildMigrationSteps(organisationWith(engine), organisationWith(engine).environment('dev'), inertPorts()).map((s) => `${s.phase} ${s.id}${s.rollback ? ' (undoable)' : ''}${s.pointOfNoReturn ? ' (no return)' : ''}`);
    const cutover = [
      'cutover traffic-25 (undoable)',
      'cutover traffic-50 (undoable)',
      'cutover traffic-75 (undoable)',
      'cutover traffic-100 (undoable)',
      'cutover freeze-ledger (undoable)',
      'cutover switch-ledger (undoable)',
      'finalize finalize (no return)',
    ];
    expect(shape('dms')).toEqual([
      'preflight preflight',
      'data cdc-position-ledger (undoable)',
      'data snapshot-ledger',
      'deploy deploy',
      'deploy connect-ledger',
      'cdc replication-user-ledger (undoable)',
      'cdc cdc-secrets-ledger',
      'cdc cdc-start-ledger (undoable)',
      'cdc cdc-catch-up-ledger',
      ...cutover,
    ]);
    // Logical replication needs no DMS endpoint secrets.
    expect(shape('logical')).toEqual(shape('dms').filter((s) => s !== 'cdc cdc-secrets-ledger'));
    expect(TRAFFIC_STEPS).toEqual([25, 50, 75, 100]);
  });

  it('touches nothing while building (dry run): inert ports refuse every call', async () => {
    const ports = inertPorts();
    expect(ports.close).toBeUndefined();
    const calls = [
      ports.preflight, () => ports.deploy({}, () => undefined), ports.outputs, ports.sql, ports.replicationConnection, ports.replicationUser, ports.readSeed, ports.restoredPosition,
      ports.fillReplicationSecrets, ports.alarms, ports.setWeights, ports.removeLegacyRecord, ports.verify,
      ports.legacy.createSlot, ports.legacy.describeSnapshot, ports.legacy.createSnapshot, ports.dms.start, ports.dms.stop, ports.dms.describe, ports.services.pointAt,
    ] as (() => unknown)[];
    for (const call of calls) expect(call).toThrow(new Error('dry run: no AWS call is made'));
    stepsOf(w, 'dms');
    stepsOf(w, 'logical', {}, 'prod');
    expect(w.calls).toEqual([]);
  });

  it('names the replication objects per environment and database, with dashes as underscores', () => {
    const hyphen = organisationWith('dms', (input) => {
      input['legacy'].databases[0].replicationRole = 'repl';
    });
    const env = hyphen.environment('staging');
    // Names that the config does not allow today still give valid identifiers.
    const [real] = migratedDatabases(hyphen);
    const db = { ...real, database: { ...real.database, name: 'core-ledger' } };
    expect(slotNameOf(env, db.database)).toBe('staging_core_ledger_dms');
    expect(slotNameOf(env, db.database, 'logical')).toBe('staging_core_ledger_cdc');
    expect(replicationRoleName(env, db)).toBe('repl_staging_core_ledger');
    expect(replicationRoleName(dev, migratedDatabases(org)[0])).toBe('estate_replication_dev_ledger');
    expect(replicationNames(env, db.database, 'logical')).toEqual({
      forwardSlot: 'staging_core_ledger_cdc',
      forwardPublication: 'estate_staging_core_ledger_forward',
      forwardSubscription: 'estate_staging_core_ledger_forward',
      reversePublication: 'estate_staging_core_ledger_reverse',
      reverseSubscription: 'estate_staging_core_ledger_reverse',
    });
    expect(outputKeys.taskArn(env, db.database)).toBe(`${env.naming.stack('data')}_core_ledger_dms_task_arn`);
    expect(outputKeys.terraformVariable(db.database)).toBe('core_ledger_cdc_start_position');
    expect(outputKeys.hostedZoneId(env)).toBe(`${env.naming.stack('cutover')}_hosted_zone_id`);
    expect(outputKeys.recordName(env, { ...hyphen.services[0], name: 'my-api' })).toBe(`${env.naming.stack('cutover')}_my_api_record_name`);
    expect(outputKeys.healthCheckId(env, { ...hyphen.services[0], name: 'my-api' }, 'migrated')).toBe(`${env.naming.stack('cutover')}_my_api_migrated_health_check_id`);
  });

  it('refuses a database that migrates from a legacy database the organisation does not list', () => {
    const broken = organisationWith('dms');
    const [database] = broken.databases;
    const fake = { databases: [{ ...database, migrateFrom: 'nowhere' }, { ...database, name: 'stays', migrateFrom: undefined }], legacyDatabase: () => undefined } as never;
    expect(() => migratedDatabases(fake)).toThrow(new Error("database 'ledger': migrateFrom 'nowhere' is not in legacy.databases"));
    // Databases that do not migrate are not asked about.
    expect(migratedDatabases({ databases: [{ ...database, migrateFrom: undefined }], legacyDatabase: () => undefined } as never)).toEqual([]);
  });
});

describe('preflight', () => {
  it('passes when the checks find nothing', async () => {
    expect(await run('preflight')).toEqual({ checks: 'passed' });
    expect(w.calls).toEqual(['preflight']);
  });

  it('lists every problem found', async () => {
    w.preflight = ['terraform 1.9 is older than 1.10', 'no credentials'];
    await expect(run('preflight')).rejects.toThrow(new Error('preflight found 2 problem(s):\n  - terraform 1.9 is older than 1.10\n  - no credentials'));
  });
});

describe('cdc-position: the slot is the CDC start', () => {
  it('DMS: resolves the tables on legacy, then creates a test_decoding slot; no publication', async () => {
    expect(await run('cdc-position-ledger')).toEqual({ slot: 'dev_ledger_dms', lsn: '0/2000000', engine: 'dms', tables: 'public.accounts,public.transfers', recordedAt: RECORDED_AT });
    expect(w.calls).toEqual(['legacy resolveTables ["public.%"]', 'createSlot ledger dev_ledger_dms test_decoding']);
    expect(w.progress).toEqual(['created slot dev_ledger_dms at 0/2000000; 2 table(s): public.accounts, public.transfers']);
  });

  it('logical: publishes the resolved tables before creating a pgoutput slot, and says when the slot was found', async () => {
    w.slot = { lsn: '0/2500000', created: false };
    expect(await run('cdc-position-ledger', 'logical')).toEqual({ slot: 'dev_ledger_cdc', lsn: '0/2500000', engine: 'logical', tables: 'public.accounts,public.transfers', recordedAt: RECORDED_AT });
    expect(w.calls).toEqual([
      'legacy resolveTables ["public.%"]',
      'legacy ensurePublication estate_dev_ledger_forward ["public.accounts","public.transfers"]',
      'createSlot ledger dev_ledger_cdc pgoutput',
    ]);
    expect(w.progress).toEqual(['found slot dev_ledger_cdc at 0/2500000; 2 table(s): public.accounts, public.transfers']);
  });

  it('rollback drops the slot (DMS) and reports a slot already gone', async () => {
    await undo('cdc-position-ledger');
    w.sql.dropSlot = () => false;
    await undo('cdc-position-ledger');
    expect(w.calls).toEqual(['legacy dropSlot dev_ledger_dms', 'legacy dropSlot dev_ledger_dms']);
    expect(w.progress).toEqual(['dropped dev_ledger_dms', 'dev_ledger_dms was already gone']);
  });

  it('rollback drops the slot, then the publication (logical)', async () => {
    await undo('cdc-position-ledger', 'logical');
    expect(w.calls).toEqual(['legacy dropSlot dev_ledger_cdc', 'legacy dropPublication estate_dev_ledger_forward']);
    expect(w.progress).toEqual(['dropped dev_ledger_cdc']);
  });
});

describe('snapshot: taken after the slot, encrypted', () => {
  const available = (createdAt?: Date, encrypted = true) => ({ status: 'available', percentProgress: 100, createdAt, encrypted });

  it('creates a missing snapshot and waits, reporting its progress, until it is available', async () => {
    w.snapshots = [undefined, undefined, { status: 'creating', percentProgress: 40, encrypted: true }, available(at('2023-11-14T22:20:00.000Z'))];
    expect(await run('snapshot-ledger')).toEqual({ snapshot: SNAPSHOT, createdAt: '2023-11-14T22:20:00.000Z' });
    expect(w.calls).toEqual([
      `describeSnapshot ${SNAPSHOT}`,
      `createSnapshot legacy-ledger ${SNAPSHOT}`,
      `describeSnapshot ${SNAPSHOT}`,
      'sleep 30000',
      `describeSnapshot ${SNAPSHOT}`,
      'sleep 30000',
      `describeSnapshot ${SNAPSHOT}`,
    ]);
    expect(w.progress).toEqual([`snapshot ${SNAPSHOT}: not visible yet, 0% (0 s)`, `snapshot ${SNAPSHOT}: creating, 40% (30 s)`]);
  });

  it('refuses a snapshot taken before the CDC position was recorded, and creates none', async () => {
    w.snapshots = [available(new Date(at(RECORDED_AT).getTime() - 1))];
    await expect(run('snapshot-ledger')).rejects.toThrow(
      new Error(
        `snapshot ${SNAPSHOT} was taken at 2023-11-14T22:13:19.999Z, before the CDC position was recorded (${RECORDED_AT}): changes in between would be lost. Delete it (aws rds delete-db-snapshot) and resume`,
      ),
    );
    expect(w.calls).toEqual([`describeSnapshot ${SNAPSHOT}`]);
  });

  it('takes an existing snapshot from the very moment of the position, or of unknown age, without creating another', async () => {
    w.snapshots = [available(at(RECORDED_AT))];
    expect(await run('snapshot-ledger')).toEqual({ snapshot: SNAPSHOT, createdAt: RECORDED_AT });
    w.snapshots = [{ status: 'creating', percentProgress: 5, encrypted: true }, available()];
    expect(await run('snapshot-ledger')).toEqual({ snapshot: SNAPSHOT, createdAt: '' });
    expect(w.calls.filter((c) => c.startsWith('createSnapshot'))).toEqual([]);
  });

  it.each(['failed', 'deleted', 'deleting'])('stops at a snapshot that is %s', async (status) => {
    w.snapshots = [undefined, { status, percentProgress: 0, encrypted: true }];
    await expect(run('snapshot-ledger')).rejects.toThrow(new Error(`snapshot ${SNAPSHOT} is ${status}`));
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual([]);
  });

  it('refuses an unencrypted snapshot', async () => {
    w.snapshots = [available(at('2023-11-15T00:00:00.000Z'), false)];
    await expect(run('snapshot-ledger')).rejects.toThrow(new Error(`snapshot ${SNAPSHOT} is not encrypted; the migration only moves encrypted data`));
  });

  it('gives up after the wait timeout, having polled until it was reached', async () => {
    w.snapshots = [undefined, { status: 'creating', percentProgress: 10, encrypted: true }];
    await expect(run('snapshot-ledger', 'dms', { waitTimeoutMinutes: 1 })).rejects.toThrow(
      new Error(`gave up waiting for snapshot ${SNAPSHOT} after 1 min: snapshot ${SNAPSHOT}: creating, 10%`),
    );
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 30000', 'sleep 30000']);
    expect(w.progress).toEqual([0, 30, 60].map((s) => `snapshot ${SNAPSHOT}: creating, 10% (${s} s)`));
  });

  it('polls at the configured interval and rounds the reported wait', async () => {
    w.snapshots = [undefined, { status: 'creating', percentProgress: 10, encrypted: true }, { status: 'creating', percentProgress: 10, encrypted: true }, available()];
    await run('snapshot-ledger', 'dms', { pollSeconds: 0.7 });
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 700', 'sleep 700']);
    expect(w.progress).toEqual([`snapshot ${SNAPSHOT}: creating, 10% (0 s)`, `snapshot ${SNAPSHOT}: creating, 10% (1 s)`]);
  });
});

describe('deploy, connect, replication login, DMS secrets', () => {
  it('deploys with the recorded position as the CDC start variable, and counts the outputs', async () => {
    expect(await run('deploy')).toEqual({ outputs: '5' });
    expect(w.calls).toEqual(['deploy {"ledger_cdc_start_position":"0/2000000"}']);
    expect(w.logs).toEqual(['deploy log line']);
  });

  it('points the services at legacy first', async () => {
    expect(await run('connect-ledger')).toEqual({ database: 'legacy' });
    expect(w.calls).toEqual(['pointAt ledger legacy']);
    expect(w.logs).toEqual(['pointAt log line legacy']);
  });

  it('creates the replication login on legacy, then the new side, for the schemas of the resolved tables (DMS: with rds_superuser)', async () => {
    w.sql.resolveTables = (side) => (side === 'legacy' ? ['public.accounts', 'audit.events'] : ['public.accounts']);
    expect(await run('replication-user-ledger')).toEqual({
      role: 'estate_replication_dev_ledger',
      legacyGrants: 'rds_replication@legacy, SELECT ON public',
      migratedGrants: 'rds_replication@migrated, SELECT ON public',
    });
    expect(w.calls).toEqual([
      'replicationUser ledger',
      'legacy resolveTables ["public.%"]',
      'legacy ensureReplicationRole {"role":"estate_replication_dev_ledger","password":"pw","schemas":["public","audit"],"dms":true}',
      'migrated resolveTables ["public.%"]',
      'migrated ensureReplicationRole {"role":"estate_replication_dev_ledger","password":"pw","schemas":["public"],"dms":true}',
    ]);
  });

  it('logical replication needs no DMS rights', async () => {
    await run('replication-user-ledger', 'logical');
    expect(w.calls.filter((c) => c.includes('ensureReplicationRole')).map((c) => c.endsWith('"dms":false}'))).toEqual([true, true]);
  });

  it('refuses a replication secret that names another login, and creates nothing', async () => {
    w.replicationUser = { username: 'someone', password: 'pw' };
    await expect(run('replication-user-ledger')).rejects.toThrow(
      new Error('the replication secret of ledger names someone, but the organisation says replicationRole estate_replication_dev_ledger'),
    );
    expect(w.calls).toEqual(['replicationUser ledger']);
  });

  it('rollback drops the login on the new side, then on legacy', async () => {
    await undo('replication-user-ledger');
    expect(w.calls).toEqual(['migrated dropReplicationRole estate_replication_dev_ledger', 'legacy dropReplicationRole estate_replication_dev_ledger']);
  });

  it('fills the DMS endpoint secrets from the deploy outputs', async () => {
    expect(await run('cdc-secrets-ledger')).toEqual({ filled: 'source,target' });
    expect(w.calls).toEqual(['fillReplicationSecrets ledger ledger 5 outputs']);
  });
});

describe('cdc-start', () => {
  it('DMS: freezes the new side for the app, starts a ready task at the recorded position, and waits until it runs', async () => {
    w.tasks = [{ status: 'ready' }, { status: 'starting' }, { status: 'running' }];
    expect(await run('cdc-start-ledger')).toEqual({ engine: 'dms', taskArn: TASK, startPosition: '0/2000000' });
    expect(w.calls).toEqual(['migrated freezeRole app', `dms describe ${TASK}`, `dms start ${TASK} 0/2000000`, `dms describe ${TASK}`, 'sleep 30000', `dms describe ${TASK}`]);
    expect(w.progress).toEqual(['task starting (0 s)']);
  });

  it.each(['running', 'starting'])('DMS: does not start a task that is already %s', async (status) => {
    w.tasks = [{ status }, { status: 'running' }];
    await run('cdc-start-ledger');
    expect(w.calls.filter((c) => c.startsWith('dms start'))).toEqual([]);
  });

  it('DMS: restarts a stopped task', async () => {
    w.tasks = [{ status: 'stopped' }, { status: 'running' }];
    await run('cdc-start-ledger');
    expect(w.calls.filter((c) => c.startsWith('dms start'))).toEqual([`dms start ${TASK} 0/2000000`]);
  });

  it.each([
    [{ status: 'failed', stopReason: 'endpoint unreachable' }, `DMS task ${TASK} is failed: endpoint unreachable`],
    [{ status: 'stopped' }, `DMS task ${TASK} is stopped: no reason given`],
  ])('DMS: stops when the task ends up %p', async (state, message) => {
    w.tasks = [{ status: 'ready' }, state];
    await expect(run('cdc-start-ledger')).rejects.toThrow(new Error(message));
  });

  it('DMS: needs the task ARN from the deploy outputs', async () => {
    const { step } = stepsOf(w, 'dms');
    for (const value of [undefined, '', 42]) {
      w.outputs[outputKeys.taskArn(organisationWith('dms').environment('dev'), organisationWith('dms').databases[0])] = value;
      await expect(step('cdc-start-ledger').run(contextOf(w, earlierOutputs('dms')))).rejects.toThrow(
        new Error("output 'dev-data_ledger_dms_task_arn' is missing from the deploy outputs (apps/<env>/cfn-outputs/flat-outputs.json); deploy the environment first"),
      );
    }
  });

  it('logical: subscribes from the recorded slot without a copy, and waits for the apply worker', async () => {
    w.sql.subscriptionState = jest
      .fn()
      .mockReturnValueOnce(undefined)
      .mockReturnValueOnce({ enabled: false, workerRunning: false })
      .mockReturnValueOnce({ enabled: true, workerRunning: false })
      .mockReturnValue({ enabled: true, workerRunning: true });
    expect(await run('cdc-start-ledger', 'logical')).toEqual({ engine: 'logical', subscription: 'estate_dev_ledger_forward', startPosition: '0/2000000', created: 'true' });
    expect(w.calls).toEqual([
      'migrated freezeRole app',
      'restoredPosition ledger',
      'replicationConnection legacy',
      'migrated ensureSubscription {"name":"estate_dev_ledger_forward","connection":"host=legacy","publication":"estate_dev_ledger_forward","existingSlot":"dev_ledger_cdc"}',
      'migrated subscriptionState estate_dev_ledger_forward',
      'sleep 1000',
      'migrated subscriptionState estate_dev_ledger_forward',
      'sleep 1000',
      'migrated subscriptionState estate_dev_ledger_forward',
      'sleep 1000',
      'migrated subscriptionState estate_dev_ledger_forward',
    ]);
    expect(w.progress).toEqual(['subscription missing (0 s)', 'subscription disabled (1 s)', 'subscription starting (2 s)']);
  });

  it('logical: polls faster than a second when told to, and reports an existing subscription', async () => {
    w.sql.ensureSubscription = () => ({ created: false });
    w.sql.subscriptionState = jest.fn().mockReturnValueOnce({ enabled: true, workerRunning: false }).mockReturnValue({ enabled: true, workerRunning: true });
    expect(await run('cdc-start-ledger', 'logical', { pollSeconds: 0.25 })).toMatchObject({ created: 'false' });
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 250']);
  });

  it.each([
    ['0/2000001', '0/2000001', '0/2000001'],
    ['0/2000000', undefined, '0/2000000'],
    ['0/1FFFFFF', undefined, '0/2000000'],
    [undefined, undefined, '0/2000000'],
  ])('logical: with the restored copy at %p starts after %p (startPosition %p)', async (restored, startAfter, startPosition) => {
    w.restoredPosition = restored;
    const outputs = await run('cdc-start-ledger', 'logical');
    const subscribe = w.calls.find((c) => c.includes('ensureSubscription')) ?? '';
    expect(JSON.parse(subscribe.slice(subscribe.indexOf('{')))['startAfter']).toBe(startAfter);
    expect(outputs).toMatchObject({ startPosition });
  });

  it('rollback (DMS) stops a running task and waits until it has stopped', async () => {
    w.tasks = [{ status: 'running' }, { status: 'stopping' }, { status: 'stopped' }];
    await undo('cdc-start-ledger');
    expect(w.calls).toEqual([`dms describe ${TASK}`, `dms stop ${TASK}`, `dms describe ${TASK}`, 'sleep 5000', `dms describe ${TASK}`]);
    expect(w.progress).toEqual(['task stopping (0 s)']);
  });

  it.each([
    ['starting', true],
    ['ready', false],
    ['failed', false],
  ])('rollback (DMS) of a %s task stops it: %p', async (status, stops) => {
    w.tasks = [{ status }, { status: 'stopped' }];
    await undo('cdc-start-ledger', 'dms', { pollSeconds: 2 });
    expect(w.calls.filter((c) => c.startsWith('dms stop')).length).toBe(stops ? 1 : 0);
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual([]);
  });

  it.each(['ready', 'failed'])('rollback (DMS) is done once the task is %s', async (status) => {
    w.tasks = [{ status: 'running' }, { status: 'stopping' }, { status }];
    await undo('cdc-start-ledger', 'dms', { pollSeconds: 2 });
    expect(w.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 2000']);
  });

  it('rollback (logical) drops the subscription and keeps the slot', async () => {
    await undo('cdc-start-ledger', 'logical');
    w.sql.dropSubscription = () => false;
    await undo('cdc-start-ledger', 'logical');
    expect(w.calls).toEqual(['migrated dropSubscription estate_dev_ledger_forward {"keepSlot":true}', 'migrated dropSubscription estate_dev_ledger_forward {"keepSlot":true}']);
    expect(w.progress).toEqual(['subscription estate_dev_ledger_forward dropped (slot kept)', 'subscription estate_dev_ledger_forward was already gone']);
  });
});

describe('cdc-catch-up: a streak of polls within the threshold', () => {
  /** Legacy's WAL at 0/1000; the slot confirms the scripted positions in turn. */
  const confirming = (...positions: (string | undefined)[]) => {
    w.sql.currentLsn = () => '0/1000';
    const answers = jest.fn();
    for (const p of positions) answers.mockReturnValueOnce({ slot: 's', plugin: 'p', active: true, confirmedFlushLsn: p });
    w.sql.slotState = answers;
  };

  it('DMS: counts consecutive polls within the bytes, checking the task each time, and returns the last lag', async () => {
    confirming('0/F00', '0/F9C', '0/1000');
    expect(await run('cdc-catch-up-ledger', 'dms', { catchUpBytes: 100, catchUpSamples: 2 })).toEqual({ lagBytes: '0' });
    const poll = [`dms describe ${TASK}`, 'legacy slotState dev_ledger_dms', 'legacy currentLsn'];
    expect(w.calls).toEqual([...poll, 'sleep 30000', ...poll, 'sleep 30000', ...poll]);
    expect(w.progress).toEqual(['slot dev_ledger_dms 256 bytes behind (0/2 within 100) (0 s)', 'slot dev_ledger_dms 100 bytes behind (1/2 within 100) (30 s)']);
  });

  it('starts the streak again after a poll over the threshold or without a confirmed position', async () => {
    confirming('0/FFF', '0/F00', '0/FFF', undefined, '0/FFF', '0/FFF');
    expect(await run('cdc-catch-up-ledger', 'dms', { catchUpBytes: 1, catchUpSamples: 2 })).toEqual({ lagBytes: '1' });
    expect(w.progress).toEqual([
      'slot dev_ledger_dms 1 bytes behind (1/2 within 1) (0 s)',
      'slot dev_ledger_dms 256 bytes behind (0/2 within 1) (30 s)',
      'slot dev_ledger_dms 1 bytes behind (1/2 within 1) (60 s)',
      'slot dev_ledger_dms has not confirmed a position yet (0/2 within 1) (90 s)',
      'slot dev_ledger_dms 1 bytes behind (1/2 within 1) (120 s)',
    ]);
  });

  it('uses 16 MiB and three polls by default', async () => {
    w.sql.currentLsn = () => '0/1000000';
    w.sql.slotState = jest
      .fn()
      .mockReturnValueOnce({ slot: 's', plugin: 'p', active: true, confirmedFlushLsn: '0/0' })
      .mockReturnValueOnce({ slot: 's', plugin: 'p', active: true, confirmedFlushLsn: '0/0' })
      .mockReturnValueOnce({ slot: 's', plugin: 'p', active: true, confirmedFlushLsn: '0/0' });
    expect(await run('cdc-catch-up-ledger')).toEqual({ lagBytes: String(16 * 1024 * 1024) });
    expect(w.progress).toEqual(['slot dev_ledger_dms 16777216 bytes behind (1/3 within 16777216) (0 s)', 'slot dev_ledger_dms 16777216 bytes behind (2/3 within 16777216) (30 s)']);
  });

  it('never counts a slot without a confirmed position as caught up, even when no polls are required', async () => {
    confirming(undefined, '0/1000');
    expect(await run('cdc-catch-up-ledger', 'dms', { catchUpSamples: 0 })).toEqual({ lagBytes: '0' });
  });

  it('gives up after the catch-up timeout', async () => {
    w.sql.currentLsn = () => '0/FFFFFFFF';
    await expect(run('cdc-catch-up-ledger', 'dms', { catchUpTimeoutMinutes: 1 })).rejects.toThrow(
      new Error('gave up waiting for CDC of ledger to catch up after 1 min: slot dev_ledger_dms 4244635647 bytes behind (0/3 within 16777216)'),
    );
    expect(w.calls.filter((c) => c.startsWith('sleep')).length).toBe(2);
  });

  it.each([
    [{ status: 'stopped', stopReason: 'lost connection' }, `DMS task ${TASK} is stopped: lost connection`],
    [{ status: 'starting' }, `DMS task ${TASK} is starting: no reason given`],
  ])('DMS: stops when the task is not running (%p)', async (state, message) => {
    w.tasks = [state];
    await expect(run('cdc-catch-up-ledger')).rejects.toThrow(new Error(message));
    expect(w.calls).toEqual([`dms describe ${TASK}`]);
  });

  it.each([
    [undefined, 'missing'],
    [{ enabled: false, workerRunning: false }, 'disabled'],
  ])('logical: stops when the subscription is %p', async (state, what) => {
    w.sql.subscriptionState = () => state;
    await expect(run('cdc-catch-up-ledger', 'logical')).rejects.toThrow(new Error(`subscription estate_dev_ledger_forward on the new ledger is ${what}`));
    expect(w.calls).toEqual(['migrated subscriptionState estate_dev_ledger_forward']);
  });

  it('logical: a subscription that is enabled counts as healthy, its worker need not run', async () => {
    w.sql.subscriptionState = () => ({ enabled: true, workerRunning: false });
    confirming('0/1000', '0/1000', '0/1000');
    expect(await run('cdc-catch-up-ledger', 'logical')).toEqual({ lagBytes: '0' });
    expect(w.calls.slice(0, 3)).toEqual(['migrated subscriptionState estate_dev_ledger_forward', 'legacy slotState dev_ledger_cdc', 'legacy currentLsn']);
  });

  it('stops when the slot is gone from legacy', async () => {
    w.sql.slotState = () => undefined;
    await expect(run('cdc-catch-up-ledger')).rejects.toThrow(new Error('replication slot dev_ledger_dms is gone from legacy legacy-ledger; CDC cannot continue'));
    expect(w.calls).toEqual([`dms describe ${TASK}`, 'legacy slotState dev_ledger_dms']);
  });
});

describe('traffic shifts', () => {
  const ZONE = 'Z123';
  const weights = (l: number, m: number, checks = '{"legacy":"hc-legacy","migrated":"hc-migrated"}') => `setWeights api ${ZONE} api.dev.fintech.example.com ${l}/${m} checks=${checks}`;

  it('gates on alarms, shifts the weights, then watches alarms until the wait is over, sleeping at most the rest', async () => {
    expect(await run('traffic-25', 'dms', { shiftWaitSeconds: 60, pollSeconds: 25 })).toEqual({ migratedWeight: '25', legacyWeight: '75' });
    expect(w.calls).toEqual(['alarms', weights(75, 25), 'sleep 25000', 'alarms', 'sleep 25000', 'alarms', 'sleep 10000', 'alarms']);
    expect(w.progress).toEqual([
      'alarm gate before 25%: 1 OK',
      'api.dev.fintech.example.com: legacy 75 / migrated 25',
      'alarm gate at 25% after 25 of 60 s: 1 OK',
      'alarm gate at 25% after 50 of 60 s: 1 OK',
      'alarm gate at 25% after 60 of 60 s: 1 OK',
    ]);
  });

  it.each(TRAFFIC_STEPS.map((share) => [share]))('traffic-%p moves that share and no other', async (share) => {
    expect(await run(`traffic-${share}`, 'dms', { shiftWaitSeconds: 0 })).toEqual({ migratedWeight: String(share), legacyWeight: String(100 - share) });
    expect(w.calls).toEqual(['alarms', weights(100 - share, share)]);
  });

  it('waits 300 s outside production and 900 s in it by default', async () => {
    await run('traffic-50');
    expect(w.calls.filter((c) => c.startsWith('sleep')).length).toBe(10);
    w = newWorld();
    const { step } = stepsOf(w, 'dms', {}, 'prod');
    w.outputs = { ...w.outputs };
    await step('traffic-50').run(contextOf(w));
    expect(w.calls.filter((c) => c.startsWith('sleep')).length).toBe(30);
    expect(w.progress.at(-1)).toBe('alarm gate at 50% after 900 of 900 s: 1 OK');
  });

  it('names every alarm that fires, with its reason, and shifts nothing', async () => {
    w.alarms = [
      [
        { name: 'dev-api-5xx', state: 'ALARM', reason: '5xx 7% > 5%' },
        { name: 'dev-db-cpu', state: 'OK' },
        { name: 'dev-api-latency', state: 'ALARM' },
      ],
    ];
    await expect(run('traffic-75')).rejects.toThrow(new Error('alarm gate before 75%: dev-api-5xx is ALARM (5xx 7% > 5%); dev-api-latency is ALARM'));
    expect(w.calls).toEqual(['alarms']);
  });

  it('counts alarms without data apart, and stops when one fires during the wait', async () => {
    w.alarms = [
      [{ name: 'a', state: 'OK' }, { name: 'b', state: 'INSUFFICIENT_DATA' }, { name: 'c', state: 'INSUFFICIENT_DATA' }],
      [{ name: 'a', state: 'ALARM', reason: '' }],
    ];
    await expect(run('traffic-100', 'dms', { shiftWaitSeconds: 60, pollSeconds: 30 })).rejects.toThrow(new Error('alarm gate at 100% after 30 of 60 s: a is ALARM'));
    expect(w.progress).toEqual(['alarm gate before 100%: 1 OK, 2 without data yet', 'api.dev.fintech.example.com: legacy 0 / migrated 100']);
    expect(w.calls).toEqual(['alarms', weights(0, 100), 'sleep 30000', 'alarms']);
  });

  it('attaches the health checks only when both are in the outputs', async () => {
    const { env, organisation, step } = stepsOf(w, 'dms', { shiftWaitSeconds: 0 });
    delete w.outputs[outputKeys.healthCheckId(env, organisation.services[0], 'migrated')];
    await step('traffic-25').run(contextOf(w));
    w.outputs[outputKeys.healthCheckId(env, organisation.services[0], 'migrated')] = 'hc-migrated';
    w.outputs[outputKeys.healthCheckId(env, organisation.services[0], 'legacy')] = 7;
    await step('traffic-25').run(contextOf(w));
    expect(w.calls.filter((c) => c.startsWith('setWeights'))).toEqual([weights(75, 25, 'none'), weights(75, 25, 'none')]);
  });

  it('needs the hosted zone and the record name from the deploy outputs', async () => {
    const { env, organisation, step } = stepsOf(w, 'dms', { shiftWaitSeconds: 0 });
    const zone = outputKeys.hostedZoneId(env);
    const record = outputKeys.recordName(env, organisation.services[0]);
    const missing = (key: string) => new Error(`output '${key}' is missing from the deploy outputs (apps/<env>/cfn-outputs/flat-outputs.json); deploy the environment first`);
    w.outputs[zone] = '';
    await expect(step('traffic-25').run(contextOf(w))).rejects.toThrow(missing(zone));
    w.outputs[zone] = 'Z123';
    delete w.outputs[record];
    await expect(step('traffic-25').run(contextOf(w))).rejects.toThrow(missing(record));
    expect(w.calls.filter((c) => c.startsWith('setWeights'))).toEqual([]);
  });

  it('moves only the services that have a legacy endpoint', async () => {
    const organisation = organisationWith('dms', (input) => {
      input['services'].push({ ...input['services'][0], name: 'worker', hostname: 'worker', legacyEndpoint: undefined });
    });
    const env = organisation.environment('dev');
    w.outputs = { [outputKeys.hostedZoneId(env)]: 'Z9', [outputKeys.recordName(env, organisation.services[0])]: 'api.example' };
    const steps = buildMigrationSteps(organisation, env, recordingPorts(w), { shiftWaitSeconds: 0, now: () => w.clock });
    await steps.find((s) => s.id === 'traffic-25')?.run(contextOf(w));
    expect(w.calls).toEqual(['alarms', 'setWeights api Z9 api.example 75/25 checks=none']);
  });

  it('rollback routes everything back to legacy', async () => {
    await undo('traffic-75');
    expect(w.calls).toEqual([weights(100, 0)]);
    expect(w.progress).toEqual(['api.dev.fintech.example.com: legacy 100 / migrated 0']);
  });
});

describe('freeze: only once CDC has caught up', () => {
  it('gates on alarms and the forward CDC, freezes the app role on legacy, and records when and where', async () => {
    w.sql.currentLsn = jest.fn().mockReturnValueOnce('0/3000000').mockReturnValue('0/3000010');
    expect(await run('freeze-ledger')).toEqual({ frozenAt: RECORDED_AT, frozenAtMs: '1700000000000', sessionsEnded: '2', sourcePosition: '0/3000010' });
    expect(w.calls).toEqual(['alarms', `dms describe ${TASK}`, 'legacy slotState dev_ledger_dms', 'legacy currentLsn', 'legacy freezeRole app', 'legacy currentLsn']);
    expect(w.progress).toEqual(['alarm gate before freezing ledger: 1 OK', 'legacy frozen for app: 2 session(s) ended, WAL at 0/3000010']);
  });

  it('freezes at exactly the catch-up threshold, not one byte behind it', async () => {
    w.sql.currentLsn = () => '0/3000064';
    await run('freeze-ledger', 'dms', { catchUpBytes: 100 });
    expect(w.calls).toContain('legacy freezeRole app');
    w = newWorld();
    w.sql.currentLsn = () => '0/3000065';
    await expect(run('freeze-ledger', 'dms', { catchUpBytes: 100 })).rejects.toThrow(new Error('CDC of ledger is 101 bytes behind; freeze only once it has caught up (cdc-catch-up)'));
    expect(w.calls).not.toContain('legacy freezeRole app');
  });

  it('refuses while the slot has confirmed nothing', async () => {
    w.sql.slotState = (_side, slot) => ({ slot, plugin: 'p', active: true });
    await expect(run('freeze-ledger', 'logical')).rejects.toThrow(new Error('CDC of ledger is an unknown number of bytes behind; freeze only once it has caught up (cdc-catch-up)'));
    expect(w.calls).toEqual(['alarms', 'migrated subscriptionState estate_dev_ledger_forward', 'legacy slotState dev_ledger_cdc', 'legacy currentLsn']);
  });

  it('refuses while an alarm fires', async () => {
    w.alarms = [[{ name: 'x', state: 'ALARM' }]];
    await expect(run('freeze-ledger')).rejects.toThrow(new Error('alarm gate before freezing ledger: x is ALARM'));
    expect(w.calls).toEqual(['alarms']);
  });

  it('rollback lets the app write to legacy again', async () => {
    await undo('freeze-ledger');
    expect(w.calls).toEqual(['legacy unfreezeRole app']);
  });
});

describe('FreezeBudgetExceededError', () => {
  it('says by how much, where, and what happened', () => {
    const error = new FreezeBudgetExceededError('ledger', 31_000, 30_000, 'after verification');
    expect(error.name).toBe('FreezeBudgetExceededError');
    expect(error.message).toBe('write freeze of ledger exceeded its budget (31000 ms > 30000 ms) after verification; the switch was aborted and legacy takes writes again');
  });
});


describe('seed (an environment without production data)', () => {
  const seeded = (seedFile: string | undefined, sql: string) => {
    const valid = organisationWith('dms', (input) => {
      input['environments'].dev.overrides.migration.data = 'seed';
      input['databases'][0].seedFile = 'seeds/ledger.sql';
    });
    // The config refuses a seed environment without the file, and a quote in its path; the steps hold up without it.
    const organisation: typeof valid = Object.create(valid, { databases: { value: valid.databases.map((d) => ({ ...d, seedFile })) } });
    const ports = { ...recordingPorts(w), readSeed: async (file: string) => (w.calls.push(`readSeed ${file}`), sql) };
    return () => buildMigrationSteps(organisation, organisation.environment('dev'), ports).find((s) => s.id === 'seed-ledger');
  };
  /** The new database: no comment yet, no tables until the seed ran. */
  const empty = () => {
    let loaded = false;
    w.sql.raw = (_side, sql) => {
      if (sql.startsWith('SELECT current_database()')) return [{ name: 'ledger', comment: null }];
      if (sql.startsWith('SELECT count(*)')) return [{ n: loaded ? 3 : 0 }];
      if (sql === 'COMMIT') loaded = true;
      if (sql.startsWith('INSERT INTO broken')) throw new Error('relation "broken" does not exist');
      return [];
    };
  };
  const queries = () => w.calls.map((c) => c.replace(/ undefined$/, '').replace(/^migrated query /, ''));

  it('needs a seed file', () => {
    expect(seeded(undefined, '')).toThrow(new Error("database 'ledger' has no seedFile, but dev's migration.data is 'seed'"));
  });

  it('loads the seed and its marker in one transaction', async () => {
    empty();
    const sql = 'CREATE TABLE a (id int);';
    const sha = createHash('sha256').update(sql).digest('hex');
    expect(await seeded("seeds/o'brien.sql", sql)()?.run(contextOf(w))).toEqual({ seedFile: "seeds/o'brien.sql", sha256: sha, bytes: '24', tables: '3' });
    expect(queries()).toEqual([
      "readSeed seeds/o'brien.sql",
      "SELECT current_database() AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()",
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
      'BEGIN',
      sql,
      `COMMENT ON DATABASE "ledger" IS 'estate seed seeds/o''brien.sql sha256:${sha}'`,
      'COMMIT',
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    ]);
  });

  it('counts bytes, not characters', async () => {
    empty();
    expect(await seeded('seeds/ledger.sql', "SELECT 'é';")()?.run(contextOf(w))).toMatchObject({ bytes: '12' });
  });

  it('rolls a failing seed back', async () => {
    empty();
    await expect(seeded('seeds/ledger.sql', 'INSERT INTO broken VALUES (1);')()?.run(contextOf(w))).rejects.toThrow(
      new Error('seeds/ledger.sql failed on the new ledger and was rolled back: relation "broken" does not exist'),
    );
    expect(queries().slice(-2)).toEqual(['INSERT INTO broken VALUES (1);', 'ROLLBACK']);
  });

  it.each(['CREATE TABLE a (id int);\n  copy public.a (id) from STDIN;\n1\n\\.\n', 'COPY a FROM stdin;'])('refuses COPY FROM stdin anywhere at a line start: %p', async (sql) => {
    await expect(seeded('seeds/ledger.sql', sql)()?.run(contextOf(w))).rejects.toThrow(
      new Error('seeds/ledger.sql uses COPY ... FROM stdin, which only psql can feed; write the seed as INSERT statements (pg_dump --inserts or --column-inserts)'),
    );
    expect(w.calls).toEqual(['readSeed seeds/ledger.sql']);
  });

  it('lets COPY from a file through (the server reads it)', async () => {
    empty();
    await seeded('seeds/ledger.sql', "COPY a FROM '/tmp/a.csv'; SELECT 'stdin';")()?.run(contextOf(w));
    expect(queries()).toContain('COMMIT');
  });

  it('loads nothing twice, and nothing over a different seed or foreign tables', async () => {
    const sql = 'CREATE TABLE a (id int);';
    const marker = `estate seed seeds/ledger.sql sha256:${createHash('sha256').update(sql).digest('hex')}`;
    let comment: unknown = marker;
    let tables = 4;
    w.sql.raw = (_side, text) => (text.startsWith('SELECT current_database()') ? [{ name: 'ledger', comment }] : [{ n: tables }]);
    expect(await seeded('seeds/ledger.sql', sql)()?.run(contextOf(w))).toMatchObject({ tables: '4' });
    expect(queries()).not.toContain('BEGIN');
    comment = 'estate seed seeds/ledger.sql sha256:0000';
    await expect(seeded('seeds/ledger.sql', sql)()?.run(contextOf(w))).rejects.toThrow(
      new Error(`the new ledger already holds a different seed (estate seed seeds/ledger.sql sha256:0000); seeds/ledger.sql now hashes to ${marker.split(':')[1]}. Recreate the database to load the new seed`),
    );
    comment = 'some note';
    tables = 1;
    await expect(seeded('seeds/ledger.sql', sql)()?.run(contextOf(w))).rejects.toThrow(
      new Error('the new ledger already has 1 table(s) and no seed marker: it was loaded some other way; refusing to load seeds/ledger.sql over it'),
    );
    comment = 42;
    await expect(seeded('seeds/ledger.sql', sql)()?.run(contextOf(w))).rejects.toThrow(/already has 1 table\(s\) and no seed marker/);
  });
});

describe('which engine and which role', () => {
  it('replicates with DMS and freezes role app unless the config or the runner says otherwise', () => {
    const plain = organisationWith('dms', (input) => {
      input['databases'] = input['databases'].map(({ cdcEngine: _engine, ...d }: Record<string, unknown>) => d);
    });
    const ids = (options = {}) => buildMigrationSteps(plain, plain.environment('dev'), inertPorts(), options).map((s) => s.id);
    expect(ids()).toContain('cdc-secrets-ledger');
    expect(ids({ engine: () => 'logical' })).not.toContain('cdc-secrets-ledger');
    const freeze = (options = {}) => buildMigrationSteps(plain, plain.environment('dev'), inertPorts(), options).find((s) => s.id === 'freeze-ledger')?.title;
    expect(freeze()).toBe('freeze writes of app on legacy legacy-ledger (new sessions read-only, open sessions ended); budget 30 s');
    expect(freeze({ appRole: () => 'teller' })).toBe('freeze writes of teller on legacy legacy-ledger (new sessions read-only, open sessions ended); budget 30 s');
  });
});
