import { TerraformVariable } from 'cdktf';
import type { LegacyDatabaseConfig } from '@estate/config';
import { NETWORK, environment, only, organisation, testStack } from '../testing/fixtures';
import { CdcReplication, type CdcReplicationProps } from './cdc-replication';
import { DmsServiceRoles } from './dms-service-roles';
import { LegacyDatabase } from './legacy-database';
import { PostgresDatabase } from './postgres-database';

const LEGACY = organisation().legacyDatabase('ledger') as LegacyDatabaseConfig;

function build(env: 'dev' | 'prod' = 'dev', overrides: Partial<CdcReplicationProps> | ((t: ReturnType<typeof testStack>) => Partial<CdcReplicationProps>) = {}) {
  const t = testStack();
  const context = environment(env);
  const target = new PostgresDatabase(t.stack, 'ledger', {
    naming: context.naming,
    config: organisation().databases[0],
    settings: context.settings.database,
    tier: context.tier,
    network: NETWORK,
    encryptionKey: t.key,
  });
  const legacy = new LegacyDatabase(t.stack, 'ledger-legacy', { legacy: LEGACY, vpcCidr: '10.50.0.0/16', legacyProvider: t.legacyProvider });
  const roles = new DmsServiceRoles(t.stack, 'dms-roles');
  const extra = typeof overrides === 'function' ? overrides(t) : overrides;
  const cdc = new CdcReplication(t.stack, 'ledger-cdc', {
    naming: context.naming,
    name: 'ledger',
    region: 'us-east-1',
    network: NETWORK,
    settings: context.settings.migration,
    logRetentionDays: context.settings.logs.retentionDays,
    encryptionKey: t.key,
    source: legacy.cdcSource,
    target,
    tables: LEGACY.tables,
    cdcStartPosition: '16/B374D848',
    dependsOn: roles.dependables,
    ...extra,
  });
  return { json: t.synth(), cdc };
}

const policies = (json: any) => Object.values(json.resource.aws_iam_role_policy as Record<string, any>).map((p) => JSON.parse(p.policy));

describe('CdcReplication', () => {
  it('creates a stopped CDC-only task from the recorded LSN with mappings from the organisation model', () => {
    const task = only(build().json, 'aws_dms_replication_task');
    expect(task).toMatchObject({ replication_task_id: 'dev-ledger-cdc', migration_type: 'cdc', cdc_start_position: '16/B374D848', start_replication_task: false });
    expect(JSON.parse(task.table_mappings).rules).toEqual([
      expect.objectContaining({ 'rule-action': 'include', 'object-locator': { 'schema-name': 'public', 'table-name': '%' } }),
      expect.objectContaining({ 'rule-action': 'exclude', 'object-locator': { 'schema-name': '%', 'table-name': 'awsdms_%' } }),
    ]);
    const settings = JSON.parse(task.replication_task_settings);
    expect(settings.ValidationSettings.EnableValidation).toBe(true);
    expect(settings.Logging.EnableLogging).toBe(true);
    expect(settings.ControlTablesSettings).toEqual({ ControlSchema: 'awsdms_control' });
  });

  it('never lets a later apply modify (and so stop) the running task', () => {
    const task = only(build().json, 'aws_dms_replication_task');
    expect(task.lifecycle.ignore_changes).toEqual(['cdc_start_position', 'cdc_start_time', 'replication_task_settings', 'table_mappings', 'migration_type', 'start_replication_task']);
  });

  it('carries LOBs up to the limit and fails the task on a larger one instead of truncating it', () => {
    const { json } = build('dev', { lobMaxSizeKb: 2048 });
    const settings = JSON.parse(only(json, 'aws_dms_replication_task').replication_task_settings);
    expect(settings.TargetMetadata).toEqual({ SupportLobs: true, FullLobMode: false, LimitedSizeLobMode: true, LobMaxSize: 2048 });
    expect(settings.ValidationSettings.ValidationPartialLobSize).toBe(2048);
    const source = (Object.values(json.resource.aws_dms_endpoint) as any[]).find((e) => e.endpoint_type === 'source');
    expect(source.postgres_settings.fail_tasks_on_lob_truncation).toBe(true);
    expect(JSON.parse(only(build().json, 'aws_dms_replication_task').replication_task_settings).TargetMetadata.LobMaxSize).toBe(8192);
  });

  it.each([0, 102401, 1.5])('rejects lobMaxSizeKb %p', (lobMaxSizeKb) => {
    expect(() => build('dev', { lobMaxSizeKb })).toThrow(new RegExp(`lobMaxSizeKb ${lobMaxSizeKb} must be a whole number 1..102400`));
  });

  it('applies changes on the target as a replica, so its triggers and foreign-key triggers do not fire', () => {
    const target = (Object.values(build().json.resource.aws_dms_endpoint) as any[]).find((e) => e.endpoint_type === 'target');
    expect(target.postgres_settings).toEqual({ after_connect_script: 'SET session_replication_role = replica' });
  });

  it('takes the start position from a Terraform variable', () => {
    const { json } = build('dev', (t) => ({ cdcStartPosition: new TerraformVariable(t.stack, 'lsn', { type: 'string' }).stringValue }));
    expect(only(json, 'aws_dms_replication_task').cdc_start_position).toBe('${var.lsn}');
  });

  it.each(['2024-01-01T00:00:00', '16/b374d848', 'now'])('rejects the literal start position %p', (cdcStartPosition) => {
    expect(() => build('dev', { cdcStartPosition })).toThrow(/CdcReplication ledger-cdc \(ledger\): cdcStartPosition '.*' is not a PostgreSQL LSN/);
  });

  it('rejects bad table patterns and SSL verification without a certificate', () => {
    expect(() => build('dev', { tables: ['ledger'] })).toThrow(/table pattern 'ledger' must be schema.table/);
    expect(() => build('dev', { sslMode: 'verify-full' })).toThrow(/sslMode 'verify-full' needs certificateArn/);
  });

  it('runs a private, encrypted replication instance sized per tier, after the DMS service roles', () => {
    const dev = only(build('dev').json, 'aws_dms_replication_instance');
    expect(dev).toMatchObject({ replication_instance_class: 'dms.t3.medium', multi_az: false, publicly_accessible: false, allocated_storage: 50 });
    expect(dev.kms_key_arn).toMatch(/^\$\{aws_kms_key\.key_[A-Z0-9]+\.arn\}$/);
    expect(dev.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role\.dms-roles_vpc_role/), expect.stringMatching(/^aws_cloudwatch_log_group\./)]));
    const prod = only(build('prod').json, 'aws_dms_replication_instance');
    expect(prod).toMatchObject({ replication_instance_class: 'dms.r6i.large', multi_az: true, allocated_storage: 200 });
  });

  it('puts the subnet group in the private subnets', () => {
    expect(only(build().json, 'aws_dms_replication_subnet_group').subnet_ids).toEqual(NETWORK.privateSubnetIds);
  });

  it('authenticates both endpoints through Secrets Manager over SSL', () => {
    const { json } = build();
    const endpoints = Object.values(json.resource.aws_dms_endpoint) as any[];
    expect(endpoints.map((e) => e.endpoint_type).sort()).toEqual(['source', 'target']);
    for (const e of endpoints) {
      expect(e.ssl_mode).toBe('require');
      expect(e.secrets_manager_arn).toMatch(/^\$\{aws_secretsmanager_secret\..*\.arn\}$/);
      expect(e.secrets_manager_access_role_arn).toMatch(/^\$\{aws_iam_role\..*secrets-access.*\.arn\}$/);
      expect(e.password).toBeUndefined();
      expect(e.username).toBeUndefined();
    }
    const source = endpoints.find((e) => e.endpoint_type === 'source');
    expect(source.postgres_settings).toMatchObject({ slot_name: 'dev_ledger_dms', plugin_name: 'test_decoding', heartbeat_schema: 'awsdms_control' });
    const secrets = Object.values(json.resource.aws_secretsmanager_secret) as any[];
    expect(secrets.map((s) => s.kms_key_id)).toEqual([expect.stringMatching(/aws_kms_key/), expect.stringMatching(/aws_kms_key/)]);
    expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
  });

  it('lets DMS read only its two secrets and decrypt only with the data key', () => {
    const { json } = build();
    const roles = json.resource.aws_iam_role as Record<string, any>;
    const access = Object.entries(roles).find(([name]) => name.includes('secrets-access')) as [string, any];
    expect(JSON.parse(access[1].assume_role_policy).Statement[0].Principal).toEqual({ Service: 'dms.us-east-1.amazonaws.com' });
    const policy = policies(json).find((p) => JSON.stringify(p).includes('secretsmanager:GetSecretValue') && JSON.stringify(p).includes('aws_secretsmanager_secret.'));
    expect(policy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: [expect.stringMatching(/source-secret.*\.arn\}$/), expect.stringMatching(/target-secret.*\.arn\}$/)],
      },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: expect.stringMatching(/^\$\{aws_kms_key\./) },
    ]);
  });

  it('lets DMS reach only the legacy port, the new database and HTTPS; the new database admits DMS', () => {
    const { json } = build();
    const egress = Object.values(json.resource.aws_vpc_security_group_egress_rule) as any[];
    expect(egress.map((r) => `${r.cidr_ipv4 ?? 'sg'}:${r.from_port}-${r.to_port}`).sort()).toEqual([
      '0.0.0.0/0:443-443',
      '10.50.0.0/16:5432-5432',
      'sg:5432-5432',
    ]);
    expect(egress.every((r) => r.description)).toBe(true);
    const ingress = only(json, 'aws_vpc_security_group_ingress_rule');
    expect(ingress.description).toMatch(/DMS CDC replication/);
    expect(ingress.referenced_security_group_id).toMatch(/ledger-cdc_security-group/);
  });

  it('pre-creates the task log group, encrypted, with the configured retention', () => {
    const group = only(build('prod').json, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: 'dms-tasks-prod-ledger-cdc', retention_in_days: 365 });
    expect(group.kms_key_id).toMatch(/aws_kms_key/);
  });

  it('reads the legacy instance through the legacy provider', () => {
    const { json } = build();
    expect(only({ resource: json.data }, 'aws_db_instance')).toMatchObject({ provider: 'aws.legacy', db_instance_identifier: 'legacy-ledger' });
  });
});
