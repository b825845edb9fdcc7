import { Role, servicePrincipal } from '@estate/iam';
import type { DatabaseConfig } from '@estate/config';
import { NETWORK, environment, only, testStack } from '../testing/fixtures';
import { PostgresDatabase, type PostgresDatabaseProps, snapshotEngineProblems } from './postgres-database';

const LEDGER: DatabaseConfig = {
  name: 'ledger',
  engineVersion: '16.4',
  databaseName: 'ledger',
  port: 5432,
  credentials: 'rds-managed',
};

const KEY_ARN = expect.stringMatching(/^\$\{aws_kms_key\.key_[A-Z0-9]+\.arn\}$/);

function build(env: 'dev' | 'prod' | 'staging', overrides: Partial<PostgresDatabaseProps> = {}, suffix?: string) {
  const t = testStack();
  const context = environment(env, suffix);
  const db = new PostgresDatabase(t.stack, 'ledger', {
    naming: context.naming,
    config: LEDGER,
    settings: context.settings.database,
    tier: context.tier,
    network: NETWORK,
    encryptionKey: t.key,
    ...overrides,
  });
  return { ...t, db, json: () => t.synth(), context };
}

describe('PostgresDatabase', () => {
  it('uses the non-production defaults in dev', () => {
    const instance = only(build('dev').json(), 'aws_db_instance');
    expect(instance).toMatchObject({
      identifier: 'dev-ledger',
      instance_class: 'db.t4g.medium',
      allocated_storage: 50,
      max_allocated_storage: 200,
      multi_az: false,
      backup_retention_period: 7,
      deletion_protection: false,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'dev-ledger-final',
      performance_insights_retention_period: 7,
      monitoring_interval: 60,
      backup_window: '03:00-04:00',
      maintenance_window: 'sun:05:00-sun:06:00',
    });
  });

  it('uses the production protections in prod', () => {
    const instance = only(build('prod').json(), 'aws_db_instance');
    expect(instance).toMatchObject({
      identifier: 'prod-ledger',
      instance_class: 'db.r6g.large',
      allocated_storage: 200,
      max_allocated_storage: 1000,
      multi_az: true,
      backup_retention_period: 14,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'prod-ledger-final',
      performance_insights_retention_period: 31,
      monitoring_interval: 15,
    });
  });

  it('skips the final snapshot and monitoring role in a preview copy', () => {
    const json = build('dev', {}, 'pr42').json();
    const instance = only(json, 'aws_db_instance');
    expect(instance.identifier).toBe('dev-pr42-ledger');
    expect(instance.skip_final_snapshot).toBe(true);
    expect(instance.final_snapshot_identifier).toBeUndefined();
    expect(instance.monitoring_interval).toBe(0);
    expect(instance.monitoring_role_arn).toBeUndefined();
    expect(json.resource.aws_iam_role).toBeUndefined();
  });

  it('always encrypts with the customer key, stays private and turns on the hardening', () => {
    const instance = only(build('dev').json(), 'aws_db_instance');
    expect(instance).toMatchObject({
      storage_encrypted: true,
      kms_key_id: KEY_ARN,
      performance_insights_enabled: true,
      performance_insights_kms_key_id: KEY_ARN,
      publicly_accessible: false,
      iam_database_authentication_enabled: true,
      auto_minor_version_upgrade: true,
      copy_tags_to_snapshot: true,
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
      manage_master_user_password: true,
      master_user_secret_kms_key_id: KEY_ARN,
    });
    expect(instance.password).toBeUndefined();
    expect(instance.monitoring_role_arn).toMatch(/^\$\{aws_iam_role\..*\.arn\}$/);
  });

  it('forces SSL and enables logical replication in a parameter group of the engine family', () => {
    const json = build('dev').json();
    const group = only(json, 'aws_db_parameter_group');
    expect(group.family).toBe('postgres16');
    expect(group.parameter).toEqual([
      { name: 'rds.force_ssl', value: '1', apply_method: 'immediate' },
      { name: 'rds.logical_replication', value: '1', apply_method: 'pending-reboot' },
    ]);
    expect(only(json, 'aws_db_instance').parameter_group_name).toContain('aws_db_parameter_group.');
  });

  it('places the instance in the data subnets', () => {
    const json = build('dev').json();
    expect(only(json, 'aws_db_subnet_group').subnet_ids).toEqual(NETWORK.dataSubnetIds);
  });

  it('admits only the given security groups on the configured port, with descriptions', () => {
    const { db, json } = build('dev', { clients: [{ securityGroupId: 'sg-app', description: 'api tasks' }] });
    db.allowFrom({ securityGroupId: 'sg-dms', description: 'DMS CDC' });
    const rules = Object.values(json().resource.aws_vpc_security_group_ingress_rule) as any[];
    expect(rules.map((r) => [r.referenced_security_group_id, r.from_port, r.to_port, r.ip_protocol])).toEqual([
      ['sg-app', 5432, 5432, 'tcp'],
      ['sg-dms', 5432, 5432, 'tcp'],
    ]);
    expect(rules.every((r) => typeof r.description === 'string' && r.description.length > 0)).toBe(true);
    expect(rules.some((r) => r.cidr_ipv4 !== undefined)).toBe(false);
    const sg = only(json(), 'aws_security_group');
    expect(sg.ingress).toBeUndefined();
  });

  it('reads an existing secret instead of managing one, without a literal password', () => {
    const json = build('dev', { config: { ...LEDGER, credentials: 'existing-secret', masterSecretName: 'dev/ledger/master' } }).json();
    const instance = only(json, 'aws_db_instance');
    expect(instance.manage_master_user_password).toBeUndefined();
    expect(instance.password).toMatch(/^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.[^}]*\.secret_string\)\.password\}$/);
    expect(Object.values(json.data.aws_secretsmanager_secret_version)[0]).toMatchObject({ secret_id: 'dev/ledger/master' });
  });

  it('restores from a snapshot and ignores later changes of its identifier, user and database name', () => {
    const instance = only(build('dev', { snapshotIdentifier: 'dev-ledger-migrated' }).json(), 'aws_db_instance');
    expect(instance.snapshot_identifier).toBe('dev-ledger-migrated');
    expect(instance.lifecycle).toEqual({ ignore_changes: ['snapshot_identifier', 'username', 'db_name'] });
  });

  it('states the same user and database name with and without a restore, so removing migrateFrom forces no replacement', () => {
    const restored = only(build('dev', { snapshotIdentifier: 'dev-ledger-migrated' }).json(), 'aws_db_instance');
    const fresh = only(build('dev').json(), 'aws_db_instance');
    expect(restored.username).toBe('estate_admin');
    expect(restored.db_name).toBe(LEDGER.databaseName);
    expect({ username: fresh.username, db_name: fresh.db_name, lifecycle: fresh.lifecycle }).toEqual({
      username: restored.username,
      db_name: restored.db_name,
      lifecycle: restored.lifecycle,
    });
  });

  it("pins the major version only, so a restore keeps the snapshot's minor (no modify, no refused downgrade)", () => {
    const restored = only(build('dev', { snapshotIdentifier: 'dev-ledger-migrated' }).json(), 'aws_db_instance');
    expect(restored.engine_version).toBe('16');
    expect(restored.auto_minor_version_upgrade).toBe(true);
    // A new instance is stated the same way, so removing migrateFrom after the restore changes nothing.
    expect(only(build('dev').json(), 'aws_db_instance').engine_version).toBe('16');
  });

  it("compares a snapshot's engine with the parameter group family before a restore", () => {
    expect(snapshotEngineProblems({ engine: 'postgres', engineVersion: '16.6' }, 'postgres16', 'ledger')).toEqual([]);
    expect(snapshotEngineProblems({ engine: 'postgres', engineVersion: '15.8' }, 'postgres16', 'ledger')).toEqual([
      "ledger: snapshot engine version 15.8 is PostgreSQL 15, but the parameter group family is postgres16; set engineVersion to '15' (or upgrade the legacy snapshot first)",
    ]);
    expect(snapshotEngineProblems({ engine: 'mysql', engineVersion: '16.1' }, 'postgres16', 'ledger')).toEqual(["ledger: snapshot engine is 'mysql', expected 'postgres'"]);
  });

  it('exposes the managed secret ARN and grants connect and secret read', () => {
    const { db, stack, json } = build('dev');
    expect(db.secretArn).toBeDefined();
    const role = new Role(stack, 'app', { roleName: 'dev-app', description: 'app', assumedBy: servicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantConnect(role);
    db.grantSecretRead(role);
    const policy = JSON.parse(
      (Object.values(json().resource.aws_iam_role_policy) as any[]).find((p) => p.role.includes('app_role'))?.policy,
    );
    const actions = policy.Statement.map((s: any) => s.Action);
    expect(actions).toEqual(['rds-db:connect', ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], ['kms:Decrypt', 'kms:DescribeKey']]);
    expect(policy.Statement[0].Resource).toMatch(/^arn:aws:rds-db:\$\{data\.aws_region\.[^}]+\.region\}:\$\{data\.aws_caller_identity\.[^}]+\.account_id\}:dbuser:\$\{aws_db_instance\..*\.resource_id\}\/app$/);
    expect(policy.Statement[1].Resource).toMatch(/^\$\{aws_db_instance\.ledger_instance_[A-Z0-9]+\.master_user_secret\[0\]\.secret_arn\}$/);
  });

  describe('rejects', () => {
    const cases: [string, Partial<PostgresDatabaseProps> | ((p: PostgresDatabaseProps) => Partial<PostgresDatabaseProps>), RegExp][] = [
      ['a backup retention below the production minimum', (p) => ({ tier: 'production', settings: { ...p.settings, multiAz: true, deletionProtection: true, backupRetentionDays: 5 } }), /backupRetentionDays 5 is below the production minimum of 7 days/],
      ['a retention of zero outside production', (p) => ({ settings: { ...p.settings, backupRetentionDays: 0 } }), /backupRetentionDays 0 is below the non-production minimum of 1 days/],
      ['production without Multi-AZ', (p) => ({ tier: 'production', settings: { ...p.settings, multiAz: false, deletionProtection: true } }), /multiAz must be on in production/],
      ['an invalid Performance Insights retention', (p) => ({ settings: { ...p.settings, performanceInsightsRetentionDays: 30 } }), /performanceInsightsRetentionDays 30 must be 7 or a multiple of 31/],
      ['an invalid monitoring interval', (p) => ({ settings: { ...p.settings, monitoringIntervalSeconds: 7 } }), /monitoringIntervalSeconds 7 must be one of/],
      ['storage autoscaling below the allocation', (p) => ({ settings: { ...p.settings, maxAllocatedStorageGb: 10 } }), /maxAllocatedStorageGb 10 is below allocatedStorageGb 50/],
      ['a malformed maintenance window', (p) => ({ settings: { ...p.settings, maintenanceWindow: 'sunday 5am' } }), /maintenanceWindow 'sunday 5am' must be ddd:hh24:mi-ddd:hh24:mi/],
      ['existing-secret without a secret name', (p) => ({ config: { ...p.config, credentials: 'existing-secret' } }), /needs masterSecretName/],
      ['a non-numeric engine version', (p) => ({ config: { ...p.config, engineVersion: 'latest' } }), /engineVersion 'latest'/],
    ];
    it.each(cases)('%s', (_name, change, message) => {
      const t = testStack();
      const context = environment('dev');
      const base: PostgresDatabaseProps = {
        naming: context.naming,
        config: LEDGER,
        settings: context.settings.database,
        tier: context.tier,
        network: NETWORK,
        encryptionKey: t.key,
      };
      const extra = typeof change === 'function' ? change(base) : change;
      expect(() => new PostgresDatabase(t.stack, 'ledger', { ...base, ...extra })).toThrow(message);
    });
  });
});
