import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Organisation, exampleOrganisationInput } from '@estate/config';
import { createLedgerTable, startLocalDynamo, type LocalDynamo } from '@estate/testing';
import { rollbackMigration, runMigration, StepFailedError, type MigrationStep } from './engine';
import { Ledger, LeaseHeldError, LeaseLostError } from './ledger';
import { buildMigrationSteps, type AlarmState, type MigrationPorts } from './steps';

const TABLE = 'ops-migration-ledger';
const LEASE_MS = 60_000;
let dynamo: LocalDynamo;
let now = Date.parse('2026-03-01T10:00:00Z');
const clock = () => now;
const noSleep = async () => undefined;
const quiet = () => undefined;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createLedgerTable(dynamo.client, TABLE);
}, 60_000);

afterAll(async () => {
  await dynamo?.stop();
});

let envCounter = 0;
/** A fresh environment key per test, so tests share the table but not state. */
const freshEnvironment = () => `test${++envCounter}`;

const ledgerFor = (environment: string, client: DynamoDBClient = dynamo.client) => new Ledger({ client, tableName: TABLE, environment, clock });

/** Stub steps that count how often their body ran. */
function countingSteps(ids: readonly string[], counts: Map<string, number>, delayMs = 0): MigrationStep[] {
  return ids.map((id) => ({
    id,
    phase: 'data',
    title: `stub ${id}`,
    commands: [],
    run: async () => {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { ran: id };
    },
  }));
}

class Killed extends Error {}

/** A client that stops reaching DynamoDB once `kill()` is called, as a killed process would. */
function killableClient() {
  let dead = false;
  const client = { send: (command: never) => (dead ? Promise.reject(new Error('process was killed')) : dynamo.client.send(command)) } as unknown as DynamoDBClient;
  return { client, kill: () => (dead = true) };
}

describe('migration engine on DynamoDB Local', () => {
  const ids = ['preflight', 'snapshot', 'deploy', 'cdc-start', 'traffic-25'];

  it.each(ids.map((id, index) => [index + 1, id]))('resumes a run killed after step %i (%s) without repeating a step', async (killedAfter) => {
    const environment = freshEnvironment();
    const counts = new Map<string, number>();
    const steps = countingSteps(ids, counts);
    const first = killableClient();
    let completed = 0;
    await expect(
      runMigration({
        ledger: ledgerFor(environment, first.client),
        steps,
        owner: 'runner-a',
        operator: 'alice',
        leaseMs: LEASE_MS,
        log: quiet,
        sleep: noSleep,
        afterStep: () => {
          if (++completed === killedAfter) {
            first.kill();
            throw new Killed('SIGKILL');
          }
        },
      }),
    ).rejects.toBeInstanceOf(Killed);

    // The dead run still holds the lease: nobody may run until it expires.
    const resume = { ledger: ledgerFor(environment), steps, owner: 'runner-b', operator: 'bob', leaseMs: LEASE_MS, log: quiet, sleep: noSleep, resume: true };
    await expect(runMigration(resume)).rejects.toBeInstanceOf(LeaseHeldError);
    now += LEASE_MS + 1000;
    // A second run without --resume refuses to start over a ledger with history.
    await expect(runMigration({ ...resume, resume: false })).rejects.toThrow(/already records \d step\(s\).*--resume/);

    const result = await runMigration(resume);
    expect(result.skipped).toEqual(ids.slice(0, killedAfter));
    expect(result.ran).toEqual(ids.slice(killedAfter));
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    const records = await ledgerFor(environment).steps();
    expect(records.map((r) => [r.stepId, r.status, r.attempt])).toEqual(ids.map((id) => [id, 'completed', 1]));
    expect(records.map((r) => r.operator)).toEqual(ids.map((_, i) => (i < killedAfter ? 'alice' : 'bob')));
    expect(await ledgerFor(environment).readLease()).toBeUndefined();
  });

  it('lets exactly one of two racing runners proceed', async () => {
    const environment = freshEnvironment();
    const counts = new Map<string, number>();
    const steps = countingSteps(['a', 'b', 'c'], counts, 20);
    const run = (owner: string) => runMigration({ ledger: ledgerFor(environment), steps, owner, operator: owner, leaseMs: LEASE_MS, log: quiet, sleep: noSleep });
    const results = await Promise.allSettled([run('runner-1'), run('runner-2')]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(LeaseHeldError);
    expect((rejected[0].reason as Error).message).toMatch(/is locked by runner-\d/);
    expect(Object.fromEntries(counts)).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('takes over an expired lease, and the old holder can record nothing after that', async () => {
    const environment = freshEnvironment();
    const ledger = ledgerFor(environment);
    await ledger.acquireLease('crashed', 'alice', LEASE_MS);
    await ledger.beginStep('crashed', 'alice', { position: 1, stepId: 'deploy', phase: 'deploy', title: 'deploy' });

    now += LEASE_MS / 2;
    await expect(ledger.acquireLease('rescuer', 'bob', LEASE_MS)).rejects.toThrow(/locked by alice \(crashed\) until/);
    now += LEASE_MS / 2 + 1000;
    const lease = await ledger.acquireLease('rescuer', 'bob', LEASE_MS);
    expect(lease.owner).toBe('rescuer');

    await expect(ledger.renewLease('crashed', LEASE_MS)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(ledger.completeStep('crashed', { position: 1, stepId: 'deploy', phase: 'deploy', title: 'deploy' }, {})).rejects.toBeInstanceOf(LeaseLostError);
    // The step the crashed run left running is started again by the new holder, as attempt 2.
    expect(await ledger.beginStep('rescuer', 'bob', { position: 1, stepId: 'deploy', phase: 'deploy', title: 'deploy' })).toBe(2);
    await ledger.completeStep('rescuer', { position: 1, stepId: 'deploy', phase: 'deploy', title: 'deploy' }, { stacks: '6' });
    // ...and once completed, nobody can start it again.
    await expect(ledger.beginStep('rescuer', 'bob', { position: 1, stepId: 'deploy', phase: 'deploy', title: 'deploy' })).rejects.toThrow(/cannot start/);
    expect(await ledger.releaseLease('crashed')).toBe(false);
    expect(await ledger.releaseLease('rescuer')).toBe(true);
  });

  it('rolls back after a failed alarm gate: weights back to legacy, CDC stopped, then the slot dropped', async () => {
    const organisation = Organisation.fromInput(exampleOrganisationInput());
    const dev = organisation.environment('dev');
    const calls: string[] = [];
    let migrated = 0;
    const taskStatus = { value: 'ready' };
    const ports: MigrationPorts = {
      preflight: async () => [],
      deploy: async () => ({}),
      outputs: () => ({
        'dev-cutover_hosted_zone_id': 'Z123',
        'dev-cutover_api_record_name': 'api.dev.fintech.example.com',
        'dev-data_ledger_dms_task_arn': 'arn:aws:dms:us-east-1:333333333333:task:LEDGER',
      }),
      legacy: {
        createReplicationSlot: async (_db, slot) => (calls.push(`slot create ${slot}`), { lsn: '16/B374D848', created: true }),
        dropReplicationSlot: async (_db, slot) => (calls.push(`slot drop ${slot}`), true),
        describeSnapshot: async () => ({ status: 'available', percentProgress: 100, createdAt: new Date(Date.now() + 60_000), encrypted: true }),
        createSnapshot: async () => undefined,
      },
      fillReplicationSecrets: async () => undefined,
      dms: {
        start: async (arn, position) => (calls.push(`dms start ${arn} ${position}`), void (taskStatus.value = 'running')),
        stop: async (arn) => (calls.push(`dms stop ${arn}`), void (taskStatus.value = 'stopped')),
        describe: async () => ({ status: taskStatus.value }),
        latency: async () => ({ source: 2, target: 3 }),
      },
      // Healthy until half the traffic arrives, then the 5xx alarm fires.
      alarms: async (): Promise<AlarmState[]> => [{ name: 'dev-api-5xx', state: migrated >= 50 ? 'ALARM' : 'OK', reason: migrated >= 50 ? '5xx 7% > 5%' : undefined }],
      setWeights: async (record, weights) => {
        calls.push(`weights ${record.recordName} legacy=${weights.legacy} migrated=${weights.migrated}`);
        migrated = weights.migrated;
      },
      verify: async () => ({ ok: true, summary: '3 tables, 1200 rows, checksums equal' }),
    };
    const steps = buildMigrationSteps(organisation, dev, ports, { shiftWaitSeconds: 60, pollSeconds: 30 });
    const environment = freshEnvironment();
    const options = { ledger: ledgerFor(environment), steps, owner: 'runner', operator: 'alice', leaseMs: LEASE_MS, log: quiet, sleep: noSleep };

    const failure = await runMigration(options).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailedError);
    expect((failure as StepFailedError).stepId).toBe('traffic-50');
    expect((failure as Error).message).toMatch(/alarm gate at 50% .*dev-api-5xx is ALARM \(5xx 7% > 5%\)/);
    const afterRun = await ledgerFor(environment).steps();
    expect(afterRun.find((r) => r.stepId === 'traffic-50')?.status).toBe('failed');
    expect(afterRun.find((r) => r.stepId === 'traffic-75')).toBeUndefined();

    calls.length = 0;
    const result = await rollbackMigration(options);
    expect(result.undone).toEqual(['traffic-50', 'traffic-25', 'cdc-start-ledger', 'cdc-position-ledger']);
    expect(calls).toEqual([
      'weights api.dev.fintech.example.com legacy=100 migrated=0',
      'weights api.dev.fintech.example.com legacy=100 migrated=0',
      'dms stop arn:aws:dms:us-east-1:333333333333:task:LEDGER',
      'slot drop dev_ledger_dms',
    ]);
    expect(migrated).toBe(0);
    const afterRollback = await ledgerFor(environment).steps();
    expect(afterRollback.every((r) => r.status === 'rolled-back')).toBe(true);
    expect(afterRollback.find((r) => r.stepId === 'deploy')?.rollbackNote).toBe('nothing to undo');

    // After a rollback the migration can start again from the top, as new attempts.
    migrated = 0;
    const again = await runMigration({ ...options, steps: steps.slice(0, 2) });
    expect(again.ran).toEqual(['preflight', 'cdc-position-ledger']);
    expect((await ledgerFor(environment).steps())[1].attempt).toBe(2);
  });

  it('refuses to roll back once finalize has completed', async () => {
    const environment = freshEnvironment();
    const steps: MigrationStep[] = [
      ...countingSteps(['deploy'], new Map()),
      { id: 'finalize', phase: 'finalize', title: 'finalize', commands: [], pointOfNoReturn: 'CDC is stopped', run: async () => undefined },
    ];
    const options = { ledger: ledgerFor(environment), steps, owner: 'r', operator: 'alice', leaseMs: LEASE_MS, log: quiet, sleep: noSleep };
    await runMigration(options);
    await expect(rollbackMigration(options)).rejects.toThrow(/finalize has completed.*CDC is stopped/);
    expect((await ledgerFor(environment).steps()).map((r) => r.status)).toEqual(['completed', 'completed']);
  });
});
