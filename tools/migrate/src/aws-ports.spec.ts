import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DatabaseMigrationServiceClient, DescribeReplicationTasksCommand, StartReplicationTaskCommand, StopReplicationTaskCommand } from '@aws-sdk/client-database-migration-service';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { CreateDBSnapshotCommand, DescribeDBInstancesCommand, DescribeDBLogFilesCommand, DescribeDBSnapshotsCommand, DownloadDBLogFilePortionCommand, RDSClient } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { exampleOrganisationInput, Organisation } from '@estate/config';
import {
  appSecretVariable,
  awsPorts,
  connectionOutputKeys,
  conninfo,
  environmentAlarms,
  legacyUrlVariable,
  redoDoneAt,
  removeLegacyRecord,
  setRecordWeights,
  targetUrlVariable,
} from './aws-ports';
import { sdkClients, workspaceWithOutputs } from './aws-ports-test-support';
import { migratedDatabases, type WeightedRecord } from './steps';

const route53 = mockClient(Route53Client);
const cloudwatch = mockClient(CloudWatchClient);
const dms = mockClient(DatabaseMigrationServiceClient);
const rds = mockClient(RDSClient);
const ecs = mockClient(ECSClient);
const secrets = mockClient(SecretsManagerClient);

const organisation = Organisation.fromInput(exampleOrganisationInput());
const dev = organisation.environment('dev');
const db = migratedDatabases(organisation)[0];
const TASK = 'arn:aws:dms:us-east-1:333333333333:task:LEDGERTASK';

const OUTPUTS = {
  'dev-data_ledger_endpoint': 'dev-ledger.abc.us-east-1.rds.amazonaws.com',
  'dev-data_ledger_secret_arn': 'arn:aws:secretsmanager:us-east-1:333333333333:secret:rds!db-master',
  'dev-data_ledger_instance_id': 'dev-ledger',
  'dev-data_ledger_dms_source_secret_arn': 'arn:aws:secretsmanager:us-east-1:333333333333:secret:dev-ledger/dms/source',
  'dev-data_ledger_dms_target_secret_arn': 'arn:aws:secretsmanager:us-east-1:333333333333:secret:dev-ledger/dms/target',
  'dev-data_ledger_app_connection_secret_arn': 'arn:aws:secretsmanager:us-east-1:333333333333:secret:dev-ledger/app-connection',
  'dev-data_ledger_replication_user_secret_arn': 'arn:aws:secretsmanager:us-east-1:333333333333:secret:dev-ledger/replication-user',
  'dev-app_cluster_name': 'dev-cluster',
  'dev-app_api_service_name': 'dev-api',
};

function ports(env: NodeJS.ProcessEnv = {}, outputs: Readonly<Record<string, unknown>> = OUTPUTS) {
  return awsPorts(organisation, dev, sdkClients(), { workspaceRoot: workspaceWithOutputs('aws-ports-', outputs), env });
}
const portsWith = (outputs: Readonly<Record<string, unknown>>) => ports({}, outputs);

beforeEach(() => {
  for (const mock of [route53, cloudwatch, dms, rds, ecs, secrets]) mock.reset();
});

const RECORD: WeightedRecord = { service: 'api', hostedZoneId: 'ZLEGACY', recordName: 'api.dev.fintech.example.com', healthCheckIds: { legacy: 'hc-legacy', migrated: 'hc-migrated' } };
const SETS: ResourceRecordSet[] = [
  { Name: 'api.dev.fintech.example.com.', Type: 'CNAME', SetIdentifier: 'legacy', Weight: 100, TTL: 60, ResourceRecords: [{ Value: 'legacy-api.elb.amazonaws.com' }], HealthCheckId: 'hc-legacy' },
  { Name: 'api.dev.fintech.example.com.', Type: 'CNAME', SetIdentifier: 'migrated', Weight: 0, TTL: 60, ResourceRecords: [{ Value: 'dev-api.elb.amazonaws.com' }] },
  { Name: 'api.dev.fintech.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"unrelated"' }] },
];

describe('Route 53 weights', () => {
  it('puts the new share on the migrated record and the rest on legacy, both with their health checks while both carry weight', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: SETS });
    await setRecordWeights(new Route53Client({}), RECORD, { legacy: 75, migrated: 25 });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({ HostedZoneId: 'ZLEGACY', StartRecordName: 'api.dev.fintech.example.com.', MaxItems: 20 });
    const change = route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input;
    expect(change.HostedZoneId).toBe('ZLEGACY');
    expect(change.ChangeBatch?.Comment).toBe('estate-migrate: api legacy=75 migrated=25');
    expect(change.ChangeBatch?.Changes).toEqual([
      { Action: 'UPSERT', ResourceRecordSet: { ...SETS[0], Weight: 75, HealthCheckId: 'hc-legacy' } },
      { Action: 'UPSERT', ResourceRecordSet: { ...SETS[1], Weight: 25, HealthCheckId: 'hc-migrated' } },
    ]);
  });

  it('detaches both health checks when one side has no weight, so a failing side cannot pull traffic to the other', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: SETS });
    await setRecordWeights(new Route53Client({}), RECORD, { legacy: 0, migrated: 100 });
    const changes = route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Changes ?? [];
    expect(changes.map((c) => [c.ResourceRecordSet?.SetIdentifier, c.ResourceRecordSet?.Weight, c.ResourceRecordSet?.HealthCheckId])).toEqual([
      ['legacy', 0, undefined],
      ['migrated', 100, undefined],
    ]);
    expect(changes.every((c) => 'HealthCheckId' in (c.ResourceRecordSet ?? {}))).toBe(false);
  });

  it('refuses impossible weights and a missing record before changing anything', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [SETS[0]] });
    await expect(setRecordWeights(new Route53Client({}), RECORD, { legacy: 0, migrated: 0 })).rejects.toThrow(/both 0/);
    await expect(setRecordWeights(new Route53Client({}), RECORD, { legacy: 256, migrated: 0 })).rejects.toThrow(/weight legacy=256 must be a whole number 0..255/);
    await expect(setRecordWeights(new Route53Client({}), RECORD, { legacy: 50, migrated: 50 })).rejects.toThrow(/has no weighted record 'migrated'; deploy the cutover stack first/);
    await expect(setRecordWeights(new Route53Client({}), { ...RECORD, healthCheckIds: undefined }, { legacy: 50, migrated: 50 })).rejects.toThrow();
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('deletes exactly the legacy record at finalize, and only while the migrated one has weight', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ ...SETS[0], Weight: 0 }, { ...SETS[1], Weight: 100 }] });
    expect(await removeLegacyRecord(new Route53Client({}), RECORD)).toBe(true);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Changes).toEqual([{ Action: 'DELETE', ResourceRecordSet: { ...SETS[0], Weight: 0 } }]);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: SETS });
    await expect(removeLegacyRecord(new Route53Client({}), RECORD)).rejects.toThrow(/refusing to delete the legacy record while the migrated one has weight 0/);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [SETS[1]] });
    expect(await removeLegacyRecord(new Route53Client({}), RECORD)).toBe(false);
  });
});

describe('CloudWatch alarm gate', () => {
  it('pages through the environment prefix, leaves out preview copies, and reports states', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'dev-api-5xx', StateValue: 'ALARM', StateReason: '7% > 5%' }, { AlarmName: 'dev-pr42-api-5xx', StateValue: 'ALARM' }], NextToken: 'page2' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'dev-ledger-cpu', StateValue: 'OK' }, { AlarmName: 'dev-ledger-free-storage' }] });
    const states = await environmentAlarms(new CloudWatchClient({}), dev, ['pr42']);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNamePrefix: 'dev-', NextToken: undefined, AlarmTypes: ['MetricAlarm'] },
      { AlarmNamePrefix: 'dev-', NextToken: 'page2', AlarmTypes: ['MetricAlarm'] },
    ]);
    expect(states).toEqual([
      { name: 'dev-api-5xx', state: 'ALARM', reason: '7% > 5%' },
      { name: 'dev-ledger-cpu', state: 'OK', reason: undefined },
      { name: 'dev-ledger-free-storage', state: 'INSUFFICIENT_DATA', reason: undefined },
    ]);
  });
});

describe('DMS task calls', () => {
  it('starts the task at the recorded position, stops it, and reads its state', async () => {
    const p = ports();
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [{ Status: 'stopped', StopReason: 'Stop Reason FATAL_ERROR', LastFailureMessage: 'slot missing' }] });
    await p.dms.start(TASK, '16/B374D848');
    await p.dms.stop(TASK);
    expect(await p.dms.describe(TASK)).toEqual({ status: 'stopped', stopReason: 'Stop Reason FATAL_ERROR' });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0].args[0].input).toEqual({ ReplicationTaskArn: TASK, StartReplicationTaskType: 'start-replication', CdcStartPosition: '16/B374D848' });
    expect(dms.commandCalls(StopReplicationTaskCommand)[0].args[0].input).toEqual({ ReplicationTaskArn: TASK });
    expect(dms.commandCalls(DescribeReplicationTasksCommand)[0].args[0].input).toEqual({ Filters: [{ Name: 'replication-task-arn', Values: [TASK] }] });
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [] });
    await expect(p.dms.describe(TASK)).rejects.toThrow(`DMS task ${TASK} does not exist`);
  });
});

describe('RDS snapshot and restore calls', () => {
  it('takes the environment\'s own snapshot of the legacy instance and reads its state', async () => {
    const p = ports();
    const created = new Date('2026-03-01T10:00:00Z');
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ Status: 'creating', PercentProgress: 40, SnapshotCreateTime: created, Encrypted: true, KmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/k' }] });
    await p.legacy.createSnapshot(db.legacy, 'legacy-ledger-premigration-dev');
    expect(rds.commandCalls(CreateDBSnapshotCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: 'legacy-ledger',
      DBSnapshotIdentifier: 'legacy-ledger-premigration-dev',
      Tags: [
        { Key: 'Purpose', Value: 'estate-migration' },
        { Key: 'Environment', Value: 'dev' },
      ],
    });
    expect(await p.legacy.describeSnapshot('legacy-ledger-premigration-dev')).toEqual({ status: 'creating', percentProgress: 40, createdAt: created, encrypted: true, kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/k' });
    expect(rds.commandCalls(DescribeDBSnapshotsCommand)[0].args[0].input).toEqual({ DBSnapshotIdentifier: 'legacy-ledger-premigration-dev' });
    const notFound = Object.assign(new Error('not found'), { name: 'DBSnapshotNotFoundFault' });
    rds.on(DescribeDBSnapshotsCommand).rejects(notFound);
    expect(await p.legacy.describeSnapshot('legacy-ledger-premigration-dev')).toBeUndefined();
    rds.on(DescribeDBSnapshotsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(p.legacy.describeSnapshot('legacy-ledger-premigration-dev')).rejects.toThrow('denied');
  });

  it('finds where the restored copy ends from its recovery log, across log pages', async () => {
    const p = ports();
    rds.on(DescribeDBLogFilesCommand).resolves({ DescribeDBLogFiles: [{ LogFileName: 'error/postgresql.log.2026-03-01-11', LastWritten: 2 }, { LogFileName: 'error/postgresql.log.2026-03-01-10', LastWritten: 1 }] });
    rds
      .on(DownloadDBLogFilePortionCommand)
      .resolvesOnce({ LogFileData: 'LOG:  redo starts at 16/B3000028\n', AdditionalDataPending: true, Marker: '10:5' })
      .resolvesOnce({ LogFileData: 'LOG:  redo done at 16/B374F000 system usage: ...\n', AdditionalDataPending: false });
    expect(await p.restoredPosition(db)).toBe('16/B374F000');
    expect(rds.commandCalls(DescribeDBLogFilesCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: 'dev-ledger', FilenameContains: 'postgresql.log' });
    expect(rds.commandCalls(DownloadDBLogFilePortionCommand).map((c) => [c.args[0].input.LogFileName, c.args[0].input.Marker])).toEqual([
      ['error/postgresql.log.2026-03-01-10', '0'],
      ['error/postgresql.log.2026-03-01-10', '10:5'],
    ]);
    rds.on(DownloadDBLogFilePortionCommand).resolves({ LogFileData: 'LOG:  database system is ready\n', AdditionalDataPending: false });
    await expect(p.restoredPosition(db)).rejects.toThrow(/no "redo done at" line in the logs of dev-ledger/);
  });

  it('reads the last recovery end in a log', () => {
    expect(redoDoneAt('redo done at 0/1A2B\nrestart\nredo done at 1/FF00AA00')).toBe('1/FF00AA00');
    expect(redoDoneAt('nothing here')).toBeUndefined();
  });
});

describe('secrets and services', () => {
  beforeEach(() => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ Endpoint: { Address: 'legacy-ledger.xyz.us-east-1.rds.amazonaws.com' }, StorageEncrypted: true }] });
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master' }).resolves({ SecretString: JSON.stringify({ username: 'legacy_admin', password: "it's\\secret" }) });
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master-app' }).resolves({ SecretString: JSON.stringify({ username: 'app', password: 'app-pass' }) });
    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_secret_arn'] }).resolves({ SecretString: JSON.stringify({ username: 'estate_admin', password: 'new-pass' }) });
    secrets
      .on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_replication_user_secret_arn'] })
      .resolves({ SecretString: JSON.stringify({ username: 'estate_replication_dev_ledger', password: "repl'pass\\" }) });
  });

  it('generates the replication login once: written to its empty secret first, then read back on every later call', async () => {
    const noValue = Object.assign(new Error("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"), { name: 'ResourceNotFoundException' });
    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_replication_user_secret_arn'] }).rejects(noValue);
    const login = await ports().replicationUser(db);
    expect(login.username).toBe('estate_replication_dev_ledger');
    expect(login.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const puts = secrets.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input);
    expect(puts).toEqual([{ SecretId: OUTPUTS['dev-data_ledger_replication_user_secret_arn'], SecretString: JSON.stringify(login) }]);
    // Another login each time the secret is empty: never a fixed password.
    expect((await ports().replicationUser(db)).password).not.toBe(login.password);

    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_replication_user_secret_arn'] }).resolves({ SecretString: JSON.stringify({ username: 'estate_replication_dev_ledger', password: 'kept' }) });
    secrets.resetHistory();
    expect(await ports().replicationUser(db)).toEqual({ username: 'estate_replication_dev_ledger', password: 'kept' });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);

    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_replication_user_secret_arn'] }).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(ports().replicationUser(db)).rejects.toThrow('denied');
    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_replication_user_secret_arn'] }).resolves({ SecretString: '{"username":"x"}' });
    await expect(ports().replicationUser(db)).rejects.toThrow(`secret ${OUTPUTS['dev-data_ledger_replication_user_secret_arn']} holds no username/password`);
  });

  it('fills the DMS endpoint secrets with host and port as DMS needs them', async () => {
    await ports().fillReplicationSecrets(db.database, db.legacy, OUTPUTS);
    const puts = secrets.commandCalls(PutSecretValueCommand).map((c) => [c.args[0].input.SecretId, JSON.parse(c.args[0].input.SecretString ?? '{}')]);
    expect(puts).toEqual([
      // The replication login on both sides, never the master users (RDS rotates those).
      [OUTPUTS['dev-data_ledger_dms_source_secret_arn'], { username: 'estate_replication_dev_ledger', password: "repl'pass\\", host: 'legacy-ledger.xyz.us-east-1.rds.amazonaws.com', port: 5432 }],
      [OUTPUTS['dev-data_ledger_dms_target_secret_arn'], { username: 'estate_replication_dev_ledger', password: "repl'pass\\", host: OUTPUTS['dev-data_ledger_endpoint'], port: 5432 }],
    ]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: 'legacy-ledger' });
  });

  it('gives a subscription a quoted libpq connection to the publisher', async () => {
    expect(await ports().replicationConnection('legacy', db)).toBe(
      "host='legacy-ledger.xyz.us-east-1.rds.amazonaws.com' port='5432' dbname='ledger' user='estate_replication_dev_ledger' password='repl\\'pass\\\\' sslmode='require'",
    );
    expect(conninfo({ host: 'h', port: 1, empty: '', none: undefined })).toBe("host='h' port='1'");
  });

  it('points the services at a database: the app connection secret, a new deployment, then steady state', async () => {
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'dev-api', status: 'ACTIVE', desiredCount: 2, runningCount: 2, deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }] }] });
    const lines: string[] = [];
    await ports().services.pointAt(db, 'migrated', (l) => lines.push(l));
    const put = secrets.commandCalls(PutSecretValueCommand)[0].args[0].input;
    expect(put.SecretId).toBe(OUTPUTS['dev-data_ledger_app_connection_secret_arn']);
    expect(JSON.parse(put.SecretString ?? '{}')).toEqual({ host: OUTPUTS['dev-data_ledger_endpoint'], port: 5432, dbname: 'ledger', username: 'app', password: 'app-pass', side: 'migrated' });
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'dev-cluster', service: 'dev-api', forceNewDeployment: true }]);
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'dev-cluster', services: ['dev-api'] });
    expect(lines).toEqual(['  dev-api: new deployment reading the migrated database', '  dev-api: steady on the migrated database']);

    secrets.resetHistory();
    await ports().services.pointAt(db, 'legacy', () => undefined);
    expect(JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString ?? '{}')).toMatchObject({ host: 'legacy-ledger.xyz.us-east-1.rds.amazonaws.com', side: 'legacy' });
  });

  it('says which variable to set when the legacy database URL is missing', async () => {
    await expect(ports().sql('legacy', db)).rejects.toThrow(/set LEGACY_LEDGER_DATABASE_URL to a postgres:\/\/ URL of legacy-ledger/);
  });
});

describe('Route 53 weights: what is refused and what is changed', () => {
  const client = () => new Route53Client({});

  it('takes whole weights 0..255 and names the side and value it refuses', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: SETS });
    await setRecordWeights(client(), RECORD, { legacy: 255, migrated: 0 });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet?.Weight)).toEqual([255, 0]);
    await expect(setRecordWeights(client(), RECORD, { legacy: 50, migrated: 256 })).rejects.toThrow(new Error('weight migrated=256 must be a whole number 0..255'));
    await expect(setRecordWeights(client(), RECORD, { legacy: -1, migrated: 50 })).rejects.toThrow(new Error('weight legacy=-1 must be a whole number 0..255'));
    await expect(setRecordWeights(client(), RECORD, { legacy: 50, migrated: 12.5 })).rejects.toThrow(new Error('weight migrated=12.5 must be a whole number 0..255'));
    await expect(setRecordWeights(client(), RECORD, { legacy: 0, migrated: 0 })).rejects.toThrow(new Error('weights of api.dev.fintech.example.com are both 0; Route 53 would then split traffic evenly'));
    // Only the first call reached Route 53; the refused ones did not even read the records.
    expect(route53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('reads a name given with its final dot as it is, and changes only the legacy and migrated sets of exactly that name', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        { Name: 'api.dev.fintech.example.com.', Type: 'CNAME', SetIdentifier: 'canary', Weight: 5, TTL: 60, ResourceRecords: [{ Value: 'canary.elb.amazonaws.com' }] },
        ...SETS,
        { Name: 'api2.dev.fintech.example.com.', Type: 'CNAME', SetIdentifier: 'legacy', Weight: 100, TTL: 60, ResourceRecords: [{ Value: 'other.elb.amazonaws.com' }] },
      ],
    });
    await setRecordWeights(client(), { ...RECORD, recordName: 'api.dev.fintech.example.com.' }, { legacy: 0, migrated: 100 });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input.StartRecordName).toBe('api.dev.fintech.example.com.');
    const { HealthCheckId: _check, ...legacyWithoutCheck } = SETS[0];
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'ZLEGACY',
      ChangeBatch: {
        Comment: 'estate-migrate: api legacy=0 migrated=100',
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: { ...legacyWithoutCheck, Weight: 0 } },
          { Action: 'UPSERT', ResourceRecordSet: { ...SETS[1], Weight: 100 } },
        ],
      },
    });
  });

  it('names every missing record, and the health check outputs it needs when both sides carry weight', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({});
    await expect(setRecordWeights(client(), RECORD, { legacy: 100, migrated: 0 })).rejects.toThrow(
      new Error("api.dev.fintech.example.com. in zone ZLEGACY has no weighted record 'legacy', 'migrated'; deploy the cutover stack first"),
    );
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [SETS[1]] });
    await expect(setRecordWeights(client(), RECORD, { legacy: 100, migrated: 0 })).rejects.toThrow(
      new Error("api.dev.fintech.example.com. in zone ZLEGACY has no weighted record 'legacy'; deploy the cutover stack first"),
    );
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: SETS });
    await expect(setRecordWeights(client(), { ...RECORD, healthCheckIds: undefined }, { legacy: 50, migrated: 50 })).rejects.toThrow(
      new Error('api.dev.fintech.example.com.: both sides carry weight but the health check ids are unknown (outputs <cutover>_<service>_<side>_health_check_id)'),
    );
    // With one side at 0 no health check is attached, so none is needed.
    await setRecordWeights(client(), { ...RECORD, healthCheckIds: undefined }, { legacy: 100, migrated: 0 });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet)).toEqual([
      { Name: SETS[0].Name, Type: 'CNAME', SetIdentifier: 'legacy', Weight: 100, TTL: 60, ResourceRecords: SETS[0].ResourceRecords },
      { ...SETS[1], Weight: 0 },
    ]);
  });

  it('removes the legacy record in the zone it lives in, saying so in the change comment', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [{ ...SETS[0], Weight: 0 }, { ...SETS[1], Weight: 100 }, SETS[2]] });
    expect(await removeLegacyRecord(client(), RECORD)).toBe(true);
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({ HostedZoneId: 'ZLEGACY', StartRecordName: 'api.dev.fintech.example.com.', MaxItems: 20 });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'ZLEGACY',
      ChangeBatch: { Comment: 'estate-migrate: api finalized, legacy record removed', Changes: [{ Action: 'DELETE', ResourceRecordSet: { ...SETS[0], Weight: 0 } }] },
    });
  });

  it('keeps the legacy record while the migrated one is missing or has no weight', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [SETS[0]] });
    await expect(removeLegacyRecord(client(), RECORD)).rejects.toThrow(new Error('api.dev.fintech.example.com.: refusing to delete the legacy record while the migrated one has weight none'));
    const { Weight: _weight, ...unweighted } = SETS[1];
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [SETS[0], unweighted] });
    await expect(removeLegacyRecord(client(), RECORD)).rejects.toThrow(new Error('api.dev.fintech.example.com.: refusing to delete the legacy record while the migrated one has weight none'));
    route53.on(ListResourceRecordSetsCommand).resolves({});
    expect(await removeLegacyRecord(client(), RECORD)).toBe(false);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('changes the weights and removes the legacy record through the ports', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [SETS[0], { ...SETS[1], Weight: 100 }] });
    const p = ports();
    await p.setWeights(RECORD, { legacy: 0, migrated: 100 });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch?.Comment).toBe('estate-migrate: api legacy=0 migrated=100');
    expect(await p.removeLegacyRecord(RECORD)).toBeUndefined();
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[1].args[0].input.ChangeBatch?.Changes).toEqual([{ Action: 'DELETE', ResourceRecordSet: SETS[0] }]);
  });
});

describe('CloudWatch alarm gate: names and states', () => {
  it('keeps every alarm under the prefix when no preview suffix is given, also through the ports', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'dev-pr42-api-5xx', StateValue: 'OK' }, { StateValue: 'ALARM', StateReason: 'no name' }] });
    const expected = [
      { name: 'dev-pr42-api-5xx', state: 'OK', reason: undefined },
      { name: '', state: 'ALARM', reason: 'no name' },
    ];
    expect(await environmentAlarms(new CloudWatchClient({}), dev)).toEqual(expected);
    expect(await ports().alarms()).toEqual(expected);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNamePrefix: 'dev-', NextToken: undefined, AlarmTypes: ['MetricAlarm'] },
      { AlarmNamePrefix: 'dev-', NextToken: undefined, AlarmTypes: ['MetricAlarm'] },
    ]);
  });

  it('leaves out only alarms of the named preview copies, and reads a page without alarms', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ NextToken: 'p2' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'dev-pr42-api-5xx', StateValue: 'ALARM' }, { AlarmName: 'dev-pr7-api-5xx', StateValue: 'ALARM' }, { AlarmName: 'dev-pr42x-api', StateValue: 'OK' }, { AlarmName: 'xdev-pr7-api', StateValue: 'OK' }, { StateValue: 'OK' }] });
    expect(await environmentAlarms(new CloudWatchClient({}), dev, ['pr42', 'pr7'])).toEqual([
      { name: 'dev-pr42x-api', state: 'OK', reason: undefined },
      { name: 'xdev-pr7-api', state: 'OK', reason: undefined },
      { name: '', state: 'OK', reason: undefined },
    ]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2']);
  });
});

describe('DMS task state', () => {
  it('falls back to the last failure message and an unknown status', async () => {
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [{ LastFailureMessage: 'slot missing' }] });
    expect(await ports().dms.describe(TASK)).toEqual({ status: 'unknown', stopReason: 'slot missing' });
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [{ Status: 'running' }] });
    expect(await ports().dms.describe(TASK)).toEqual({ status: 'running', stopReason: undefined });
    dms.on(DescribeReplicationTasksCommand).resolves({});
    await expect(ports().dms.describe(TASK)).rejects.toThrow(new Error(`DMS task ${TASK} does not exist`));
  });
});

describe('RDS snapshots and the recovery log', () => {
  it('reads a snapshot whose fields RDS left out, and no snapshot at all', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{}] });
    expect(await ports().legacy.describeSnapshot('s')).toEqual({ status: 'unknown', percentProgress: 0, createdAt: undefined, encrypted: false, kmsKeyId: undefined });
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    expect(await ports().legacy.describeSnapshot('s')).toBeUndefined();
    rds.on(DescribeDBSnapshotsCommand).resolves({});
    expect(await ports().legacy.describeSnapshot('s')).toBeUndefined();
    rds.on(DescribeDBSnapshotsCommand).rejects(new Error('throttled'));
    await expect(ports().legacy.describeSnapshot('s')).rejects.toThrow(new Error('throttled'));
  });

  it('reads the log files oldest first, 10000 lines a page, until one says where recovery ended', async () => {
    rds.on(DescribeDBLogFilesCommand).resolves({
      DescribeDBLogFiles: [{ LogFileName: 'error/postgresql.log.c', LastWritten: 30 }, { LogFileName: 'error/postgresql.log.a' }, { LogFileName: 'error/postgresql.log.b', LastWritten: 20 }],
    });
    rds
      .on(DownloadDBLogFilePortionCommand)
      .resolvesOnce({ AdditionalDataPending: false, Marker: '5:0' })
      .resolvesOnce({ LogFileData: 'LOG:  redo done at 1/A', AdditionalDataPending: true, Marker: '20:1' })
      .resolvesOnce({ LogFileData: 'B00 system usage\n', AdditionalDataPending: true })
      .resolves({ LogFileData: 'LOG:  redo done at 2/C000\n', AdditionalDataPending: false });
    expect(await ports().restoredPosition(db)).toBe('1/AB00');
    expect(rds.commandCalls(DownloadDBLogFilePortionCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: 'dev-ledger', LogFileName: 'error/postgresql.log.a', Marker: '0', NumberOfLines: 10000 },
      { DBInstanceIdentifier: 'dev-ledger', LogFileName: 'error/postgresql.log.b', Marker: '0', NumberOfLines: 10000 },
      { DBInstanceIdentifier: 'dev-ledger', LogFileName: 'error/postgresql.log.b', Marker: '20:1', NumberOfLines: 10000 },
    ]);
  });

  it('says so when the instance has no log files, or its instance id is not among the outputs', async () => {
    rds.on(DescribeDBLogFilesCommand).resolves({});
    await expect(ports().restoredPosition(db)).rejects.toThrow(
      new Error('no "redo done at" line in the logs of dev-ledger: cannot tell where its snapshot ends, so a subscription could replay changes it already holds'),
    );
    expect(rds.commandCalls(DownloadDBLogFilePortionCommand)).toHaveLength(0);
    const { 'dev-data_ledger_instance_id': _id, ...rest } = OUTPUTS;
    await expect(portsWith(rest).restoredPosition(db)).rejects.toThrow(/^output dev-data_ledger_instance_id is missing from .*flat-outputs\.json; deploy dev first$/);
  });

  it('reads the position only from a whole "redo done at" line of hexadecimal parts', () => {
    expect(redoDoneAt('redo done at 16/B374F000')).toBe('16/B374F000');
    expect(redoDoneAt('redo done at FFFFFFFF/FFFFFFFF')).toBe('FFFFFFFF/FFFFFFFF');
    expect(redoDoneAt('redo done at 123456789/0')).toBeUndefined();
    expect(redoDoneAt('redo done at 16/b374f000')).toBeUndefined();
    expect(redoDoneAt('redo done at /B374F000')).toBeUndefined();
    expect(redoDoneAt('redo done at 16/')).toBeUndefined();
    expect(redoDoneAt('redo  done at 16/1')).toBeUndefined();
  });
});

describe('names the runner reads and writes', () => {
  const hyphenated = { ...db, database: { ...db.database, name: 'ledger-eu-west' }, legacy: { ...db.legacy, name: 'ledger-eu-west' } };

  it('turns every hyphen of a database name into an underscore in its variables', () => {
    expect(legacyUrlVariable(hyphenated.legacy)).toBe('LEGACY_LEDGER_EU_WEST_DATABASE_URL');
    expect(targetUrlVariable(hyphenated.database)).toBe('TARGET_LEDGER_EU_WEST_DATABASE_URL');
    expect(appSecretVariable(hyphenated.legacy)).toBe('APP_SECRET_LEDGER_EU_WEST');
  });

  it('reads the data and app stacks\' outputs under their flat keys', () => {
    const keys = connectionOutputKeys;
    expect([
      keys.appConnectionSecret(dev, hyphenated.database),
      keys.endpoint(dev, hyphenated.database),
      keys.masterSecret(dev, hyphenated.database),
      keys.replicationUserSecret(dev, hyphenated.database),
      keys.instanceId(dev, hyphenated.database),
      keys.cluster(dev),
      keys.accessCluster(dev),
      keys.accessTaskDefinition(dev),
      keys.accessSubnets(dev),
      keys.accessSecurityGroups(dev),
      keys.accessContainer(dev),
      keys.service(dev, 'api-public-v2'),
    ]).toEqual([
      'dev-data_ledger_eu_west_app_connection_secret_arn',
      'dev-data_ledger_eu_west_endpoint',
      'dev-data_ledger_eu_west_secret_arn',
      'dev-data_ledger_eu_west_replication_user_secret_arn',
      'dev-data_ledger_eu_west_instance_id',
      'dev-app_cluster_name',
      'dev-data_db_access_cluster_name',
      'dev-data_db_access_task_definition_arn',
      'dev-data_db_access_subnet_ids',
      'dev-data_db_access_security_group_ids',
      'dev-data_db_access_container_name',
      'dev-app_api_public_v2_service_name',
    ]);
  });

  it('quotes every backslash and single quote of a libpq value', () => {
    expect(conninfo({ password: "a\\b\\c'd'e", dbname: 'ledger' })).toBe("password='a\\\\b\\\\c\\'d\\'e' dbname='ledger'");
    expect(conninfo({ port: 0 })).toBe("port='0'");
    expect(conninfo({})).toBe('');
  });
});

describe('secrets and services: what is read, and what is said when it is missing', () => {
  const REPLICATION = OUTPUTS['dev-data_ledger_replication_user_secret_arn'];
  beforeEach(() => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ Endpoint: { Address: 'legacy-ledger.xyz.us-east-1.rds.amazonaws.com' }, StorageEncrypted: true }] });
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master' }).resolves({ SecretString: JSON.stringify({ username: 'legacy_admin', password: 'legacy-pass' }) });
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master-app' }).resolves({ SecretString: JSON.stringify({ username: 'app', password: 'app-pass' }) });
    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_secret_arn'] }).resolves({ SecretString: JSON.stringify({ username: 'estate_admin', password: 'new-pass' }) });
    secrets.on(GetSecretValueCommand, { SecretId: REPLICATION }).resolves({ SecretString: JSON.stringify({ username: 'estate_replication_dev_ledger', password: 'repl-pass' }) });
    ecs.on(UpdateServiceCommand).resolves({});
    ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'dev-api', status: 'ACTIVE', desiredCount: 1, runningCount: 1, deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }] }] });
  });

  it('refuses a replication secret without a string username and password', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: REPLICATION }).resolves({});
    await expect(ports().replicationUser(db)).rejects.toThrow(new Error(`secret ${REPLICATION} holds no username/password`));
    secrets.on(GetSecretValueCommand, { SecretId: REPLICATION }).resolves({ SecretString: JSON.stringify({ username: 'estate_replication_dev_ledger', password: 42 }) });
    await expect(ports().replicationUser(db)).rejects.toThrow(new Error(`secret ${REPLICATION} holds no username/password`));
    secrets.on(GetSecretValueCommand, { SecretId: REPLICATION }).resolves({ SecretString: JSON.stringify({ username: 7, password: 'p' }) });
    await expect(ports().replicationUser(db)).rejects.toThrow(new Error(`secret ${REPLICATION} holds no username/password`));
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    const { 'dev-data_ledger_replication_user_secret_arn': _arn, ...rest } = OUTPUTS;
    await expect(portsWith(rest).replicationUser(db)).rejects.toThrow(/^output dev-data_ledger_replication_user_secret_arn is missing from .*; deploy dev first$/);
    await expect(portsWith({ ...OUTPUTS, 'dev-data_ledger_replication_user_secret_arn': '' }).replicationUser(db)).rejects.toThrow(/^output dev-data_ledger_replication_user_secret_arn is missing/);
    await expect(portsWith({ ...OUTPUTS, 'dev-data_ledger_replication_user_secret_arn': 42 }).replicationUser(db)).rejects.toThrow(/^output dev-data_ledger_replication_user_secret_arn is missing/);
  });

  it('gives a subscription on legacy a connection to the new database, and refuses a master secret without a password', async () => {
    expect(await ports().replicationConnection('migrated', db)).toBe(
      `host='${OUTPUTS['dev-data_ledger_endpoint']}' port='5432' dbname='ledger' user='estate_replication_dev_ledger' password='repl-pass' sslmode='require'`,
    );
    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_secret_arn'] }).resolves({ SecretString: JSON.stringify({ username: 'estate_admin' }) });
    await expect(ports().replicationConnection('migrated', db)).rejects.toThrow(new Error(`secret ${OUTPUTS['dev-data_ledger_secret_arn']} has no username/password`));
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master' }).resolves({});
    await expect(ports().replicationConnection('legacy', db)).rejects.toThrow(new Error('secret legacy/ledger/master has no username/password'));
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master' }).resolves({ SecretString: JSON.stringify({ username: 1, password: 'p' }) });
    await expect(ports().replicationConnection('legacy', db)).rejects.toThrow(new Error('secret legacy/ledger/master has no username/password'));
  });

  it('says which output of the new database is missing', async () => {
    const { 'dev-data_ledger_secret_arn': _secret, ...rest } = OUTPUTS;
    await expect(portsWith(rest).replicationConnection('migrated', db)).rejects.toThrow(/^output dev-data_ledger_secret_arn is missing from .*flat-outputs\.json; deploy dev first$/);
    const { 'dev-data_ledger_endpoint': _endpoint, ...noEndpoint } = OUTPUTS;
    await expect(portsWith(noEndpoint).replicationConnection('migrated', db)).rejects.toThrow(/^output dev-data_ledger_endpoint is missing from .*flat-outputs\.json; deploy dev first$/);
  });

  it('waits for the legacy endpoint address before using it', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: 'creating' }] });
    await expect(ports().replicationConnection('legacy', db)).rejects.toThrow(new Error('legacy instance legacy-ledger has no endpoint address yet'));
    rds.on(DescribeDBInstancesCommand).resolves({});
    await expect(ports().services.pointAt(db, 'legacy', () => undefined)).rejects.toThrow(new Error('legacy instance legacy-ledger has no endpoint address yet'));
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    await expect(ports().replicationConnection('legacy', db)).rejects.toThrow(new Error('legacy instance legacy-ledger has no endpoint address yet'));
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('says which DMS endpoint secret output is missing', async () => {
    const { 'dev-data_ledger_dms_target_secret_arn': _target, ...rest } = OUTPUTS;
    await expect(portsWith(rest).fillReplicationSecrets(db.database, db.legacy, rest)).rejects.toThrow(/^output dev-data_ledger_dms_target_secret_arn is missing from .*flat-outputs\.json; deploy dev first$/);
  });

  it('points the services at legacy with the legacy host, port and database, and the application role\'s own secret', async () => {
    const appRole = { ...db, legacy: { ...db.legacy, appRole: 'ledger_app', port: 6432, databaseName: 'ledger_prod' } };
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master-ledger_app' }).resolves({ SecretString: JSON.stringify({ username: 'ledger_app', password: 'la-pass', engine: 'postgres' }) });
    await ports().services.pointAt(appRole, 'legacy', () => undefined);
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual(['legacy/ledger/master-ledger_app']);
    const put = secrets.commandCalls(PutSecretValueCommand)[0].args[0].input;
    expect(put.SecretId).toBe(OUTPUTS['dev-data_ledger_app_connection_secret_arn']);
    expect(JSON.parse(put.SecretString ?? '{}')).toEqual({ host: 'legacy-ledger.xyz.us-east-1.rds.amazonaws.com', port: 6432, dbname: 'ledger_prod', username: 'ledger_app', password: 'la-pass', side: 'legacy' });
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: 'legacy-ledger' });

    secrets.resetHistory();
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/app-login' }).resolves({ SecretString: JSON.stringify({ username: 'app2', password: 'p2' }) });
    await ports({ APP_SECRET_LEDGER: 'legacy/app-login' }).services.pointAt(db, 'migrated', () => undefined);
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual(['legacy/app-login']);
    expect(JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretString ?? '{}')).toMatchObject({ username: 'app2', password: 'p2' });
  });

  it('says which secret to name when the application role\'s credentials cannot be read', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master-app' }).rejects(new Error('secret not found'));
    await expect(ports().services.pointAt(db, 'migrated', () => undefined)).rejects.toThrow(
      new Error('credentials of the application role app: secret not found (set APP_SECRET_LEDGER to its legacy secret)'),
    );
    secrets.on(GetSecretValueCommand, { SecretId: 'legacy/ledger/master-app' }).resolves({ SecretString: JSON.stringify({ username: 'app' }) });
    await expect(ports().services.pointAt(db, 'migrated', () => undefined)).rejects.toThrow(
      new Error('credentials of the application role app: secret legacy/ledger/master-app has no username/password (set APP_SECRET_LEDGER to its legacy secret)'),
    );
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('redeploys only the services of that database, and waits for none when it has none', async () => {
    const archive = { ...db, database: { ...db.database, name: 'archive' } };
    const outputs = { ...OUTPUTS, 'dev-data_archive_app_connection_secret_arn': 'arn:archive-connection', 'dev-data_archive_endpoint': 'dev-archive.abc.us-east-1.rds.amazonaws.com' };
    const lines: string[] = [];
    await portsWith(outputs).services.pointAt(archive, 'migrated', (l) => lines.push(l));
    expect(secrets.commandCalls(PutSecretValueCommand).map((c) => [c.args[0].input.SecretId, JSON.parse(c.args[0].input.SecretString ?? '{}').host])).toEqual([['arn:archive-connection', 'dev-archive.abc.us-east-1.rds.amazonaws.com']]);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    expect(lines).toEqual([]);
  });

  it('says which output is missing before pointing anything', async () => {
    const { 'dev-app_api_service_name': _service, ...rest } = OUTPUTS;
    await expect(portsWith(rest).services.pointAt(db, 'migrated', () => undefined)).rejects.toThrow(/^output dev-app_api_service_name is missing from .*flat-outputs\.json; deploy dev first$/);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});
