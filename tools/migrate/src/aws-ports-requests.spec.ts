import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleCommand as ProviderAssumeRoleCommand, STSClient as ProviderSTSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { exampleOrganisationInput, Organisation } from '@estate/config';
import { runDriver } from '@estate/deploy';
import { startPostgres, type PostgresServer } from '@estate/testing';
import { awsPorts, createClients } from './aws-ports';
import { sdkClients, workspaceWithOutputs } from './aws-ports-test-support';
import { migratedDatabases } from './steps';

// The driver runs Terraform; here it only records what the runner hands it.
jest.mock('@estate/deploy', () => ({ ...jest.requireActual('@estate/deploy'), runDriver: jest.fn(async () => ({})) }));
jest.setTimeout(60_000);

const sts = mockClient(STSClient);
const kms = mockClient(KMSClient);
const rds = mockClient(RDSClient);
const s3 = mockClient(S3Client);
const providerSts = mockClient(ProviderSTSClient);

const organisation = Organisation.fromInput(exampleOrganisationInput());
const dev = organisation.environment('dev');
const db = migratedDatabases(organisation)[0];
const region = 'us-east-1';

const clientsFor = () => sdkClients(region);
const workspace = (outputs?: Record<string, unknown>) => workspaceWithOutputs('aws-ports-requests-', outputs);

beforeEach(() => {
  for (const mock of [sts, kms, rds, s3, providerSts]) mock.reset();
  jest.mocked(runDriver).mockClear();
});

describe('the clients of both accounts', () => {
  const input = exampleOrganisationInput();
  input['region'] = 'eu-west-1';
  input['iam']['maxSessionDurationSeconds'] = 7200;
  const europe = Organisation.fromInput(input);
  const environment = europe.environment('dev');

  it('assume the deploy role for the environment, and the legacy migration role through it for one hour', async () => {
    providerSts.on(ProviderAssumeRoleCommand).callsFake((params: { RoleArn: string }) => ({
      Credentials: { AccessKeyId: params.RoleArn.includes('legacy') ? 'ASIALEGACY' : 'ASIATARGET', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) },
    }));
    const clients = createClients(europe, environment);
    expect((await clients.targetCredentials()).accessKeyId).toBe('ASIATARGET');
    expect((await clients.legacyCredentials()).accessKeyId).toBe('ASIALEGACY');
    const calls = providerSts.commandCalls(ProviderAssumeRoleCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { RoleArn: environment.deployRoleArn, ExternalId: 'estate-migration-2026', RoleSessionName: 'estate-migrate', DurationSeconds: 7200 },
      { RoleArn: europe.deployRoleArn('legacy'), ExternalId: 'estate-migration-2026', RoleSessionName: 'estate-migrate', DurationSeconds: 3600 },
    ]);
    // Both STS sessions are in the environment's region; the legacy one signs with the deploy role's credentials.
    const [targetSts, legacySts] = calls.map((c) => c.thisValue as ProviderSTSClient);
    expect([await targetSts.config.region(), await legacySts.config.region()]).toEqual(['eu-west-1', 'eu-west-1']);
    expect((await legacySts.config.credentials()).accessKeyId).toBe('ASIATARGET');
  });

  it('put every client in the environment\'s region except Route 53, whose API lives in us-east-1', async () => {
    providerSts.on(ProviderAssumeRoleCommand).callsFake((params: { RoleArn: string }) => ({
      Credentials: { AccessKeyId: params.RoleArn.includes('legacy') ? 'ASIALEGACY' : 'ASIATARGET', SecretAccessKey: 'secret', Expiration: new Date(Date.now() + 3_600_000) },
    }));
    const clients = createClients(europe, environment);
    const target = Object.values(clients.target);
    const legacy = [clients.legacy.rds, clients.legacy.kms, clients.legacy.secrets];
    expect(await Promise.all([...target, ...legacy, clients.base.sts].map((c) => c.config.region()))).toEqual(Array(target.length + legacy.length + 1).fill('eu-west-1'));
    expect(await clients.legacy.route53.config.region()).toBe('us-east-1');
    const keyOf = async (c: { config: { credentials: () => Promise<{ accessKeyId: string }> } }) => (await c.config.credentials()).accessKeyId;
    expect(await Promise.all(target.map(keyOf))).toEqual(Array(target.length).fill('ASIATARGET'));
    expect(await Promise.all([...legacy, clients.legacy.route53].map(keyOf))).toEqual(Array(4).fill('ASIALEGACY'));
  });
});

describe('preflight', () => {
  const CALLER = 'arn:aws:sts::222222222222:assumed-role/estate-operator/alice';
  /** Credentials in the environment and a Terraform new enough for S3 lockfiles (a stand-in that prints its version). */
  function toolEnv(): NodeJS.ProcessEnv {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
    const terraform = join(dir, 'terraform');
    writeFileSync(terraform, `#!/bin/sh\necho '{"terraform_version":"1.12.2"}'\n`);
    chmodSync(terraform, 0o755);
    return { HOME: dir, PATH: '/usr/bin:/bin', TERRAFORM_BINARY: terraform, AWS_ACCESS_KEY_ID: 'AKIAOPERATOR', AWS_SECRET_ACCESS_KEY: 'secret' };
  }
  const preflight = (env: NodeJS.ProcessEnv, org = organisation, root = workspace({})) => awsPorts(org, org.environment('dev'), clientsFor(), { workspaceRoot: root, env }).preflight();
  const healthy = () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER });
    sts.on(AssumeRoleCommand).resolves({});
    s3.on(HeadBucketCommand).resolves({});
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'legacy-ledger', StorageEncrypted: true }] });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'CUSTOMER', KeyState: 'Enabled' } });
  };

  it('finds nothing wrong when both roles can be assumed, the state bucket answers and the legacy instance and share key are fit', async () => {
    healthy();
    expect(await preflight(toolEnv())).toEqual([]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: dev.deployRoleArn, RoleSessionName: 'estate-migrate-preflight', ExternalId: 'estate-migration-2026', DurationSeconds: 900 },
      { RoleArn: organisation.deployRoleArn('legacy'), RoleSessionName: 'estate-migrate-preflight', ExternalId: 'estate-migration-2026', DurationSeconds: 900 },
    ]);
    expect(s3.commandCalls(HeadBucketCommand)[0].args[0].input).toEqual({ Bucket: 'dev-tfstate-333333333333' });
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: 'legacy-ledger' });
    expect(kms.commandCalls(DescribeKeyCommand)[0].args[0].input).toEqual({ KeyId: 'alias/legacy-rds-share' });
  });

  it('lists every problem it finds, naming the caller, the role, the bucket, the instance and the key', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER });
    sts.on(AssumeRoleCommand).rejects(new Error('not authorized to perform sts:AssumeRole'));
    s3.on(HeadBucketCommand).rejects(Object.assign(new Error(''), { name: 'NotFound' }));
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ StorageEncrypted: false }] });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', KeyManager: 'AWS', KeyState: 'PendingDeletion' } });
    const env = toolEnv();
    expect(await preflight({ ...env, TERRAFORM_BINARY: '/nowhere/terraform' })).toEqual([
      "TERRAFORM_BINARY '/nowhere/terraform' does not exist",
      `${CALLER} cannot assume the deploy role ${dev.deployRoleArn}: not authorized to perform sts:AssumeRole`,
      `${CALLER} cannot assume the legacy migration role (through the deploy role) ${organisation.deployRoleArn('legacy')}: not authorized to perform sts:AssumeRole`,
      'state bucket dev-tfstate-333333333333 is not reachable (NotFound): deploy backend-bootstrap first',
      'legacy instance legacy-ledger is not encrypted',
      'share key alias/legacy-rds-share is AWS-managed; a snapshot can only be shared encrypted with a CUSTOMER key',
      'share key alias/legacy-rds-share is PendingDeletion, not Enabled',
    ]);
  });

  it('says what RDS and KMS answered when they refuse, and reads missing fields as unfit', async () => {
    healthy();
    rds.on(DescribeDBInstancesCommand).rejects(new Error('DBInstance legacy-ledger not found'));
    kms.on(DescribeKeyCommand).rejects(new Error('Alias alias/legacy-rds-share is not found'));
    expect(await preflight(toolEnv())).toEqual(['legacy instance legacy-ledger: DBInstance legacy-ledger not found', 'share key alias/legacy-rds-share: Alias alias/legacy-rds-share is not found']);
    rds.on(DescribeDBInstancesCommand).resolves({});
    kms.on(DescribeKeyCommand).resolves({});
    expect(await preflight(toolEnv())).toEqual([
      'legacy instance legacy-ledger is not encrypted',
      'share key alias/legacy-rds-share is unknown-managed; a snapshot can only be shared encrypted with a CUSTOMER key',
      'share key alias/legacy-rds-share is in an unknown state, not Enabled',
    ]);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    expect(await preflight(toolEnv())).toContain('legacy instance legacy-ledger is not encrypted');
  });

  it('stops at missing credentials, after the local checks, without calling AWS', async () => {
    healthy();
    const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...env } = toolEnv();
    const problems = await preflight({ ...env, TERRAFORM_BINARY: '/nowhere/terraform' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe("TERRAFORM_BINARY '/nowhere/terraform' does not exist");
    expect(problems[1]).toMatch(/^no AWS credentials: /);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(s3.commandCalls(HeadBucketCommand)).toHaveLength(0);
  });

  it("checks the seed files of a 'seed' environment instead of the legacy instances", async () => {
    healthy();
    const input = exampleOrganisationInput();
    input['environments']['dev']['overrides']['migration']['data'] = 'seed';
    input['databases'][0]['seedFile'] = 'seeds/ledger.sql';
    const seeded = Organisation.fromInput(input);
    const root = workspace({});
    expect(await preflight(toolEnv(), seeded, root)).toEqual([`seed file seeds/ledger.sql of ledger (databases[].seedFile) does not exist under ${root}`]);
    mkdirSync(join(root, 'seeds'));
    writeFileSync(join(root, 'seeds', 'ledger.sql'), 'INSERT INTO accounts VALUES (1);\n');
    expect(await preflight(toolEnv(), seeded, root)).toEqual([]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(0);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });

  it("neither reads seed files nor legacy instances for an 'empty' environment", async () => {
    healthy();
    const input = exampleOrganisationInput();
    input['environments']['dev']['overrides']['migration']['data'] = 'empty';
    input['databases'][0]['seedFile'] = 'seeds/missing.sql';
    expect(await preflight(toolEnv(), Organisation.fromInput(input))).toEqual([]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(0);
  });
});

describe('deploy, outputs and seed files', () => {
  const OUTPUTS = { 'dev-data_ledger_endpoint': 'dev-ledger.abc.us-east-1.rds.amazonaws.com' };

  it('deploys the environment with the step\'s variables as TF_VAR_s and returns the outputs written', async () => {
    const root = workspace(OUTPUTS);
    const log = (): void => undefined;
    const p = awsPorts(organisation, dev, clientsFor(), { workspaceRoot: root, confirmProd: true, env: { AWS_PROFILE: 'dev', TF_VAR_keep: 'x' } });
    expect(await p.deploy({ cdc_start_position: '16/B374D848', migration_phase: 'replicate' }, log)).toEqual(OUTPUTS);
    expect(jest.mocked(runDriver).mock.calls).toEqual([
      [{ action: 'deploy', app: 'dev', workspaceRoot: root, confirmProd: true, env: { AWS_PROFILE: 'dev', TF_VAR_keep: 'x', TF_VAR_cdc_start_position: '16/B374D848', TF_VAR_migration_phase: 'replicate' }, log }],
    ]);
  });

  it('reads no outputs before the first deploy, and the file once it exists', async () => {
    const root = workspace();
    const p = awsPorts(organisation, dev, clientsFor(), { workspaceRoot: root, env: {} });
    expect(p.outputs()).toEqual({});
    mkdirSync(join(root, 'apps', 'dev', 'cfn-outputs'), { recursive: true });
    writeFileSync(join(root, 'apps', 'dev', 'cfn-outputs', 'flat-outputs.json'), JSON.stringify(OUTPUTS));
    expect(p.outputs()).toEqual(OUTPUTS);
  });

  it('reads a seed file under the workspace, and names a missing one', async () => {
    const root = workspace();
    mkdirSync(join(root, 'seeds'));
    writeFileSync(join(root, 'seeds', 'ledger.sql'), 'INSERT INTO accounts VALUES (1);\n');
    const p = awsPorts(organisation, dev, clientsFor(), { workspaceRoot: root, env: {} });
    expect(await p.readSeed('seeds/ledger.sql')).toBe('INSERT INTO accounts VALUES (1);\n');
    await expect(p.readSeed('seeds/other.sql')).rejects.toThrow(new Error(`seed file seeds/other.sql (databases[].seedFile) does not exist under ${root}`));
  });
});

describe('SQL sessions, slots and verification against a real PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres({ logical: true });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const local = (database = 'postgres') => `${server.url(database)}?sslmode=disable`;
  const portsFor = (env: NodeJS.ProcessEnv) => awsPorts(organisation, dev, clientsFor(), { workspaceRoot: workspace({}), env });
  /** Sessions the runner still holds open on the server (it names itself `estate-migrate`). */
  const runnerSessions = async () => {
    const admin = new Client({ connectionString: server.url() });
    await admin.connect();
    try {
      return Number((await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'estate-migrate'")).rows[0].n);
    } finally {
      await admin.end();
    }
  };

  it('opens a session on each side from its URL variable, named estate-migrate, and closes it', async () => {
    const p = portsFor({ LEGACY_LEDGER_DATABASE_URL: local(), TARGET_LEDGER_DATABASE_URL: local() });
    for (const side of ['legacy', 'migrated'] as const) {
      const session = await p.sql(side, db);
      expect(await session.query("SELECT current_setting('application_name') AS name, $1::text AS side", [side])).toEqual([{ name: 'estate-migrate', side }]);
      expect(await runnerSessions()).toBe(1);
      await session.close();
      expect(await runnerSessions()).toBe(0);
      await session.close();
    }
  });

  it('names the side whose database it cannot reach', async () => {
    const p = portsFor({ LEGACY_LEDGER_DATABASE_URL: 'postgres://legacy.example/ledger?mode=x', TARGET_LEDGER_DATABASE_URL: 'postgres://target.example/ledger?mode=x' });
    await expect(p.sql('legacy', db)).rejects.toThrow(new Error("legacy database: source: unknown URL parameter 'mode' in 'postgres://legacy.example/ledger?mode=x'; supported: sslmode, sslrootcert, application_name"));
    await expect(p.sql('migrated', db)).rejects.toThrow(new Error("migrated database: target: unknown URL parameter 'mode' in 'postgres://target.example/ledger?mode=x'; supported: sslmode, sslrootcert, application_name"));
    // The CA bundle for certificate checks comes from PGSSLROOTCERT.
    await expect(portsFor({ LEGACY_LEDGER_DATABASE_URL: 'postgres://legacy.example/ledger', PGSSLROOTCERT: '/nowhere/rds-ca.pem' }).sql('legacy', db)).rejects.toThrow(
      /^legacy database: source: cannot read CA file '\/nowhere\/rds-ca\.pem': ENOENT/,
    );
    const closed = `postgres://postgres@127.0.0.1:1/ledger?sslmode=disable`;
    await expect(portsFor({ TARGET_LEDGER_DATABASE_URL: closed }).sql('migrated', db)).rejects.toThrow(new Error('migrated database: connect ECONNREFUSED 127.0.0.1:1'));
  });

  it('creates the replication slot on legacy once, then finds it, and closes its session either way', async () => {
    const p = portsFor({ LEGACY_LEDGER_DATABASE_URL: local() });
    const first = await p.legacy.createSlot(db, 'dev_ledger_dms', 'test_decoding');
    expect(first).toEqual({ lsn: expect.stringMatching(/^[0-9A-F]+\/[0-9A-F]+$/), created: true });
    expect(await p.legacy.createSlot(db, 'dev_ledger_dms', 'test_decoding')).toEqual({ lsn: first.lsn, created: false });
    await expect(p.legacy.createSlot(db, 'dev_ledger_dms', 'pgoutput')).rejects.toThrow(/^replication slot dev_ledger_dms exists with plugin test_decoding, not pgoutput/);
    expect(await runnerSessions()).toBe(0);
  });

  it('compares the migrated tables of both databases, leaving out DMS\'s own, and names the tables that differ', async () => {
    const admin = new Client({ connectionString: server.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE legacy_copy');
    await admin.query('CREATE DATABASE migrated_copy');
    await admin.end();
    for (const [name, extra] of [
      ['legacy_copy', ''],
      ['migrated_copy', 'CREATE TABLE public.awsdms_apply_exceptions (task_name text); INSERT INTO public.awsdms_apply_exceptions VALUES (\'t\');'],
    ]) {
      const c = new Client({ connectionString: server.url(name) });
      await c.connect();
      await c.query(`CREATE TABLE public.accounts (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO public.accounts VALUES (1, 100), (2, 250); ${extra}`);
      await c.end();
    }
    const p = portsFor({ LEGACY_LEDGER_DATABASE_URL: local('legacy_copy'), TARGET_LEDGER_DATABASE_URL: local('migrated_copy') });
    const lines: string[] = [];
    expect(await p.verify(db, ['public.%'], (l) => lines.push(l))).toEqual({ ok: true, rows: 2, summary: '1 tables identical, 2 rows' });
    expect(lines.slice(0, -1)).toEqual(['  hashed public.accounts: 2 rows', '  OK   public.accounts: source 2 rows, target 2 rows']);
    expect(lines[lines.length - 1]).toMatch(/^ {2}IDENTICAL: 1 table, 2 source rows in .*, strict$/);
    expect(await runnerSessions()).toBe(0);

    const c = new Client({ connectionString: server.url('migrated_copy') });
    await c.connect();
    await c.query('ALTER TABLE public.accounts RENAME TO accounts_renamed');
    await c.end();
    const report = await p.verify(db, ['public.%'], () => undefined);
    expect(report).toEqual({ ok: false, rows: 2, summary: 'differences in public.accounts, public.accounts_renamed' });
  });
});

describe('the new database through the access task', () => {
  const ecs = mockClient(ECSClient);
  const ssm = mockClient(SSMClient);
  const secrets = mockClient(SecretsManagerClient);
  const TASK = 'arn:aws:ecs:us-east-1:333333333333:task/dev-db-access/0123456789abcdef0123456789abcdef';
  const OUTPUTS = {
    'dev-data_ledger_endpoint': 'dev-ledger.abc.us-east-1.rds.amazonaws.com',
    'dev-data_ledger_secret_arn': 'arn:aws:secretsmanager:us-east-1:333333333333:secret:rds!db-master',
    'dev-data_db_access_cluster_name': 'dev-db-access',
    'dev-data_db_access_task_definition_arn': 'arn:aws:ecs:us-east-1:333333333333:task-definition/dev-db-access:3',
    'dev-data_db_access_subnet_ids': 'subnet-a,,subnet-b',
    'dev-data_db_access_security_group_ids': 'sg-access',
    'dev-data_db_access_container_name': 'access',
  };
  beforeEach(() => {
    for (const mock of [ecs, ssm, secrets]) mock.reset();
  });
  afterAll(() => {
    for (const mock of [ecs, ssm, secrets]) mock.restore();
  });

  /** Stands in for the Session Manager plugin: records its command line and listens on the local port, answering like a server without TLS. */
  function pluginStandIn(dir: string): string {
    const path = join(dir, 'session-manager-plugin');
    writeFileSync(
      path,
      `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify(args));
const { Parameters } = JSON.parse(args[4]);
require('node:net').createServer((socket) => socket.once('data', () => socket.write('N'))).listen(Number(Parameters.localPortNumber[0]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`,
    );
    chmodSync(path, 0o755);
    return path;
  }

  it('forwards a port to the endpoint from the outputs, insists on TLS through it, and ends the session when the connection fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-ports-tunnel-'));
    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_secret_arn'] }).resolves({ SecretString: JSON.stringify({ username: 'estate_admin', password: 'p@ss/word' }) });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING', containers: [{ name: 'access', runtimeId: 'abc-123', managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' }] }] }] });
    ecs.on(StopTaskCommand).resolves({});
    ssm.on(StartSessionCommand).resolves({ SessionId: 'operator-0abc', StreamUrl: 'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/operator-0abc', TokenValue: 'token' });
    ssm.on(TerminateSessionCommand).resolves({});
    const written: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const p = awsPorts(organisation, dev, clientsFor(), { workspaceRoot: workspace(OUTPUTS), env: { SESSION_MANAGER_PLUGIN: pluginStandIn(dir) } });
      await expect(p.sql('migrated', db)).rejects.toThrow(new Error('migrated database: The server does not support SSL connections'));
      expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input).toMatchObject({
        cluster: 'dev-db-access',
        taskDefinition: OUTPUTS['dev-data_db_access_task_definition_arn'],
        startedBy: 'estate-migrate-dev',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-access'], assignPublicIp: 'DISABLED' } },
      });
      const parameters = ssm.commandCalls(StartSessionCommand)[0].args[0].input.Parameters;
      expect(parameters).toEqual({ host: ['dev-ledger.abc.us-east-1.rds.amazonaws.com'], portNumber: ['5432'], localPortNumber: [expect.stringMatching(/^\d+$/)] });
      expect(JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8'))[1]).toBe('us-east-1');
      expect(ssm.commandCalls(TerminateSessionCommand).map((c) => c.args[0].input)).toEqual([{ SessionId: 'operator-0abc' }]);
      expect(written).toContain(`  tunnel 127.0.0.1:${parameters?.['localPortNumber']?.[0]} → dev-ledger.abc.us-east-1.rds.amazonaws.com:5432 (SSM session operator-0abc)\n`);
      await p.close?.();
      expect(ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'dev-db-access', task: TASK, reason: 'estate migration estate-migrate-dev ended' }]);
    } finally {
      stderr.mockRestore();
    }
  });

  it('says to deploy the environment first when the access task is not among the outputs', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS['dev-data_ledger_secret_arn'] }).resolves({ SecretString: JSON.stringify({ username: 'estate_admin', password: 'pw' }) });
    const { 'dev-data_db_access_cluster_name': _cluster, ...rest } = OUTPUTS;
    const p = awsPorts(organisation, dev, clientsFor(), { workspaceRoot: workspace(rest), env: {} });
    await expect(p.sql('migrated', db)).rejects.toThrow(/^output dev-data_db_access_cluster_name is missing from .*flat-outputs\.json; deploy dev first \(the data stack defines the database access task\)$/);
  });
});
