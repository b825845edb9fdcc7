import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DatabaseMigrationServiceClient, DescribeReplicationTasksCommand, StartReplicationTaskCommand, StopReplicationTaskCommand } from '@aws-sdk/client-database-migration-service';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateDBSnapshotCommand, DescribeDBInstancesCommand, DescribeDBLogFilesCommand, DescribeDBSnapshotsCommand, DownloadDBLogFilePortionCommand, RDSClient } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { exampleOrganisationInput, Organisation } from '@estate/config';
import { awsPorts, conninfo, environmentAlarms, redoDoneAt, removeLegacyRecord, setRecordWeights, type MigrationClients } from './aws-ports';
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

function ports(env: NodeJS.ProcessEnv = {}) {
  const root = mkdtempSync(join(tmpdir(), 'aws-ports-'));
  mkdirSync(join(root, 'apps', 'dev', 'cfn-outputs'), { recursive: true });
  writeFileSync(join(root, 'apps', 'dev', 'cfn-outputs', 'flat-outputs.json'), JSON.stringify(OUTPUTS));
  const region = 'us-east-1';
  const clients: MigrationClients = {
    target: {
      sts: new STSClient({ region }),
      s3: new S3Client({ region }),
      cloudwatch: new CloudWatchClient({ region }),
      dms: new DatabaseMigrationServiceClient({ region }),
      rds: new RDSClient({ region }),
      ecs: new ECSClient({ region }),
      ssm: new SSMClient({ region }),
      secrets: new SecretsManagerClient({ region }),
    },
    legacy: { rds: new RDSClient({ region }), route53: new Route53Client({ region }), kms: new KMSClient({ region }), secrets: new SecretsManagerClient({ region }) },
    base: { sts: new STSClient({ region }) },
    legacyCredentials: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'x' }),
    targetCredentials: async () => ({ accessKeyId: 'AKIA', secretAccessKey: 'x' }),
  };
  return awsPorts(organisation, dev, clients, { workspaceRoot: root, env });
}

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
