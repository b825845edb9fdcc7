import { synthEnvironment } from '../testing/environment';

const values = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});
const entries = (json: any, type: string): [string, any][] => Object.entries(json.resource?.[type] ?? {});

describe('DataStack', () => {
  const dev = synthEnvironment('dev');
  const devData = dev.synth(dev.stacks.data);
  const prod = synthEnvironment('prod');
  const prodData = prod.synth(prod.stacks.data);
  const preview = synthEnvironment('dev', 'pr42');
  const previewData = preview.synth(preview.stacks.data);

  it('restores each migrated database from the legacy snapshot: legacy copy on the legacy provider, target copy and instance here', () => {
    const copies = entries(devData, 'aws_db_snapshot_copy');
    const [shareName, share] = copies.find(([name]) => name.includes('share-copy'))!;
    const [targetName, target] = copies.find(([name]) => name.includes('target-copy'))!;
    // Each environment restores its own snapshot of legacy (`<snapshotIdentifier>-<qualifier>`).
    expect(share).toMatchObject({ provider: 'aws.legacy', source_db_snapshot_identifier: 'legacy-ledger-premigration-dev', shared_accounts: ['333333333333'] });
    const prodShare = entries(prodData, 'aws_db_snapshot_copy').find(([name]) => name.includes('share-copy'))![1];
    expect(prodShare.source_db_snapshot_identifier).toBe('legacy-ledger-premigration-prod');
    expect(target.provider).toBeUndefined();
    expect(target.source_db_snapshot_identifier).toBe(`\${aws_db_snapshot_copy.${shareName}.db_snapshot_arn}`);
    expect(target.kms_key_id).toMatch(/^\$\{aws_kms_key\.key_[A-Z0-9]+\.arn\}$/);
    const instance = values(devData, 'aws_db_instance')[0];
    expect(instance.snapshot_identifier).toBe(`\${aws_db_snapshot_copy.${targetName}.target_db_snapshot_identifier}`);
    expect(instance.lifecycle.ignore_changes).toEqual(['snapshot_identifier', 'username', 'db_name']);
    expect(Object.values<any>(devData.provider.aws).map((p) => p.alias ?? 'default')).toEqual(['default', 'legacy']);
  });

  it('sets up CDC with a validated start-position variable and the account DMS roles', () => {
    expect(devData.variable.ledger_cdc_start_position.validation[0].condition).toBe(
      '${can(regex("^[0-9A-F]+/[0-9A-F]+$", var.ledger_cdc_start_position))}',
    );
    expect(values(devData, 'aws_dms_replication_task')[0].cdc_start_position).toBe('${var.ledger_cdc_start_position}');
    expect(values(devData, 'aws_iam_role').map((r) => r.name)).toEqual(
      expect.arrayContaining(['dms-vpc-role', 'dms-cloudwatch-logs-role', 'dev-ledger-dms-secrets', 'dev-ledger-rds-monitoring']),
    );
    // DMS checks dms-vpc-role's policy when the subnet group is created: the attachment must come first.
    const vpcAttachment = entries(devData, 'aws_iam_role_policy_attachment').find(([, a]) => a.policy_arn.endsWith('/AmazonDMSVPCManagementRole'));
    expect(vpcAttachment).toBeDefined();
    expect(values(devData, 'aws_dms_replication_subnet_group')[0].depends_on).toContain(`aws_iam_role_policy_attachment.${vpcAttachment?.[0]}`);
    const subnets: string[] = values(devData, 'aws_dms_replication_subnet_group')[0].subnet_ids;
    expect(subnets).toHaveLength(2);
    expect(subnets.every((id) => /private-subnet/.test(id))).toBe(true);
  });

  it('gives a preview copy a fresh empty database, no migration and buckets that destroy cleanly', () => {
    expect(previewData.resource.aws_db_snapshot_copy).toBeUndefined();
    expect(previewData.resource.aws_dms_replication_task).toBeUndefined();
    expect(previewData.variable).toBeUndefined();
    const instance = values(previewData, 'aws_db_instance')[0];
    expect(instance).toMatchObject({ identifier: 'dev-pr42-ledger', db_name: 'ledger', skip_final_snapshot: true });
    expect(instance.snapshot_identifier).toBeUndefined();
    expect(values(previewData, 'aws_s3_bucket').map((b) => [b.bucket, b.force_destroy])).toEqual([['dev-pr42-assets-333333333333', true]]);
  });

  it('encrypts the assets bucket with the data key and logs access in prod only', () => {
    const buckets = values(prodData, 'aws_s3_bucket').map((b) => [b.bucket, b.force_destroy]);
    expect(buckets).toEqual([
      ['prod-access-logs-555555555555', false],
      ['prod-assets-555555555555', false],
    ]);
    expect(values(prodData, 'aws_s3_bucket_logging')).toHaveLength(1);
    expect(values(devData, 'aws_s3_bucket').map((b) => b.bucket)).toEqual(['dev-assets-333333333333']);
    expect(devData.resource.aws_s3_bucket_logging).toBeUndefined();
    const sse = values(prodData, 'aws_s3_bucket_server_side_encryption_configuration').map((c) => c.rule[0].apply_server_side_encryption_by_default.sse_algorithm);
    expect(sse.sort()).toEqual(['AES256', 'aws:kms']);
  });

  it('uses only customer keys with rotation', () => {
    for (const json of [devData, prodData]) {
      const keys = values(json, 'aws_kms_key');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.map((k) => k.enable_key_rotation)).toEqual(keys.map(() => true));
      expect(JSON.stringify(json)).not.toMatch(/alias\/aws\//);
    }
  });

  it('never writes a password or secret value', () => {
    for (const json of [devData, prodData, previewData]) {
      const text = JSON.stringify(json);
      const instances = values(json, 'aws_db_instance');
      expect(instances.length).toBeGreaterThan(0);
      for (const i of instances) expect(i).toMatchObject({ manage_master_user_password: true });
      for (const i of instances) expect(i.password).toBeUndefined();
      const endpoints = values(json, 'aws_dms_endpoint');
      // Previews are built without the migration (docs/decisions.md), so only dev and prod have endpoints.
      expect(endpoints.length > 0).toBe(json !== previewData);
      for (const e of endpoints) expect(e).toMatchObject({ secrets_manager_arn: expect.stringMatching(/aws_secretsmanager_secret/) });
      for (const e of endpoints) expect(e.password).toBeUndefined();
      expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
      expect(text).not.toMatch(/"(password|secret_string)"\s*:/);
    }
  });

  it('lets the services reach legacy during the compute phase, through a connection secret the runner owns', () => {
    const egress = values(devData, 'aws_vpc_security_group_egress_rule').filter((r) => /legacy ledger over the peering/.test(r.description));
    expect(egress).toEqual([expect.objectContaining({ cidr_ipv4: '10.50.0.0/16', from_port: 5432, to_port: 5432, ip_protocol: 'tcp' })]);
    const secret = values(devData, 'aws_secretsmanager_secret').find((x) => x.name === 'dev-ledger/app-connection');
    expect(secret).toMatchObject({ kms_key_id: expect.stringMatching(/aws_kms_key\./) });
    expect(devData.resource.aws_secretsmanager_secret_version).toBeUndefined();
    const preview = values(previewData, 'aws_secretsmanager_secret').filter((x) => /app-connection/.test(x.name));
    expect(preview).toEqual([]);
  });

  it('outputs connection facts (the secret ARN, never the secret) and the DMS task', () => {
    expect(Object.keys(devData.output).filter((k) => !k.startsWith('cross-stack')).sort()).toEqual([
      'assets_bucket_arn',
      'assets_bucket_name',
      'data_key_arn',
      'db_access_cluster_name',
      'db_access_container_name',
      'db_access_security_group_ids',
      'db_access_subnet_ids',
      'db_access_task_definition_arn',
      'ledger_app_connection_secret_arn',
      'ledger_client_security_group_id',
      'ledger_dms_slot_name',
      'ledger_dms_source_secret_arn',
      'ledger_dms_target_secret_arn',
      'ledger_dms_task_arn',
      'ledger_endpoint',
      'ledger_instance_id',
      'ledger_port',
      'ledger_replication_user_secret_arn',
      'ledger_secret_arn',
      'ledger_security_group_id',
    ]);
    expect(devData.output.ledger_secret_arn.value).toMatch(/master_user_secret\[0\]\.secret_arn/);
    // The replication login's secret: created empty, encrypted with the data key, filled by the runner.
    const secrets = values(devData, 'aws_secretsmanager_secret').filter((r) => String(r.name).endsWith('/replication-user'));
    expect(secrets).toHaveLength(1);
    expect(secrets[0].kms_key_id).toMatch(/aws_kms_key\..*\.arn/);
    expect(values(devData, 'aws_secretsmanager_secret_version').filter((r) => String(r.secret_id).includes('replication-user'))).toEqual([]);
  });

  it('admits the client security group, DMS and (for reverse replication) the legacy VPC on the database port', () => {
    const ingress = values(devData, 'aws_vpc_security_group_ingress_rule');
    expect(ingress.map((r) => [r.description, r.cidr_ipv4]).sort()).toEqual([
      ['PostgreSQL from DMS CDC replication dev-ledger-cdc', undefined],
      ['PostgreSQL from ledger clients (application tasks)', undefined],
      ['Reverse replication from the legacy ledger (rollback window)', '10.50.0.0/16'],
    ]);
    expect(ingress.every((r) => r.from_port === 5432 && r.to_port === 5432)).toBe(true);
    expect(dev.stacks.data.database('ledger').clientSecurityGroupId).toBeDefined();
    expect(() => dev.stacks.data.database('nope')).toThrow(/no database 'nope'; the organisation model has ledger/);
  });

  it("defines the runner's database access task with the databases' client groups, and outputs what the runner starts it with; never in a preview", () => {
    const task = values(devData, 'aws_ecs_task_definition');
    expect(task.map((t) => t.family)).toEqual(['dev-db-access']);
    expect(values(devData, 'aws_ecs_cluster').map((c) => c.name)).toEqual(['dev-db-access']);
    expect(Object.keys(devData.output).filter((k) => k.startsWith('db_access_')).sort()).toEqual([
      'db_access_cluster_name',
      'db_access_container_name',
      'db_access_security_group_ids',
      'db_access_subnet_ids',
      'db_access_task_definition_arn',
    ]);
    const clientGroup = entries(devData, 'aws_security_group').find(([, g]) => g.name === 'dev-ledger-db-client')![0];
    expect(devData.output.db_access_security_group_ids.value).toContain(`aws_security_group.${clientGroup}.id`);
    expect(values(prodData, 'aws_ecs_task_definition').map((t) => t.family)).toEqual(['prod-db-access']);
    expect(previewData.resource.aws_ecs_task_definition).toBeUndefined();
    expect(Object.keys(previewData.output).filter((k) => k.startsWith('db_access_'))).toEqual([]);
  });
});
