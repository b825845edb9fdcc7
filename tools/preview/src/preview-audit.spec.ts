import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Backend, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { cleanDestroyProblems, isolationProblems, namesOf, prodProtectionProblems, type SynthStack } from './preview-audit';

/** A stack synthesized by cdktf, as the app writes it: `bucket` is what a construct chose as the name. */
function synthesized(id: string, stateKey: string, bucket: string, extra: (stack: TerraformStack) => void = () => undefined): SynthStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new S3Backend(stack, { bucket: 'dev-tfstate-333333333333', key: stateKey, region: 'us-east-1' });
  const assets = new S3Bucket(stack, 'assets', { bucket, forceDestroy: true, tags: { Name: bucket } });
  new TerraformOutput(stack, 'assets_bucket_name', { value: assets.bucket });
  extra(stack);
  return { name: id, json: JSON.parse(Testing.synth(stack)) };
}

const base = [synthesized('dev-data', 'dev/data.tfstate', 'dev-assets')];

describe('isolationProblems', () => {
  it('accepts a preview whose ids, state keys and names all carry the qualifier', () => {
    expect(isolationProblems([synthesized('dev-pr42-data', 'dev-pr42/data.tfstate', 'dev-pr42-assets')], base, 'dev-pr42', 'dev')).toEqual([]);
  });

  it('catches a construct that forgot Naming: its name lacks the suffix and equals the environment\'s', () => {
    const preview = [synthesized('dev-pr42-data', 'dev-pr42/data.tfstate', 'dev-assets')];
    expect(isolationProblems(preview, base, 'dev-pr42', 'dev')).toEqual([
      "stack dev-pr42-data: aws_s3_bucket.assets.bucket = 'dev-assets' does not carry dev-pr42 (use Naming.resource)",
      "stack dev-pr42-data: aws_s3_bucket.assets.tags.Name = 'dev-assets' does not carry dev-pr42 (use Naming.resource)",
      "stack dev-pr42-data: aws_s3_bucket.assets.bucket = 'dev-assets' is also dev-data's aws_s3_bucket.assets.bucket",
      "stack dev-pr42-data: aws_s3_bucket.assets.tags.Name = 'dev-assets' is also dev-data's aws_s3_bucket.assets.bucket",
    ]);
  });

  it('catches a stack id and state key without the qualifier', () => {
    const preview = [synthesized('dev-data', 'dev/data.tfstate', 'dev-pr42-assets')];
    expect(isolationProblems(preview, base, 'dev-pr42', 'dev')).toEqual([
      'stack dev-data: id does not start with dev-pr42-',
      'stack dev-data: state key dev/data.tfstate does not start with dev-pr42/',
      'stack dev-data: state key dev/data.tfstate is also used by dev',
      'units dev-data differ from dev\'s data',
      'output dev-pr42-data_assets_bucket_name is missing (dev has it)',
    ]);
  });

  it('does not take a longer suffix for the qualifier', () => {
    const preview = [synthesized('dev-pr42-data', 'dev-pr42/data.tfstate', 'dev-pr421-assets')];
    expect(isolationProblems(preview, base, 'dev-pr42', 'dev')).toContain("stack dev-pr42-data: aws_s3_bucket.assets.bucket = 'dev-pr421-assets' does not carry dev-pr42 (use Naming.resource)");
  });

  it('catches a preview that lost an output of its environment', () => {
    const withExtra = [synthesized('dev-data', 'dev/data.tfstate', 'dev-assets', (s) => new TerraformOutput(s, 'table_name', { value: 'x' }))];
    const preview = [synthesized('dev-pr42-data', 'dev-pr42/data.tfstate', 'dev-pr42-assets')];
    expect(isolationProblems(preview, withExtra, 'dev-pr42', 'dev')).toEqual(['output dev-pr42-data_table_name is missing (dev has it)']);
  });

  it('lets a preview lack only the migration outputs it is designed without', () => {
    const withMigration = [
      synthesized('dev-data', 'dev/data.tfstate', 'dev-assets', (s) => {
        new TerraformOutput(s, 'ledger_dms_task_arn', { value: 'arn' });
        new TerraformOutput(s, 'ledger_endpoint', { value: 'host' });
      }),
    ];
    const preview = [synthesized('dev-pr42-data', 'dev-pr42/data.tfstate', 'dev-pr42-assets')];
    expect(isolationProblems(preview, withMigration, 'dev-pr42', 'dev')).toEqual(['output dev-pr42-data_ledger_endpoint is missing (dev has it)']);
  });

  it('accepts a DNS name that carries the suffix in its first label, not one that lacks it', () => {
    const record = (name: string) => (s: TerraformStack) => new TerraformOutput(s, 'api_record_name', { value: name });
    const ok = [synthesized('dev-pr42-data', 'dev-pr42/data.tfstate', 'dev-pr42-assets', record('api-pr42.dev.fintech.example.com'))];
    const bad = [synthesized('dev-pr42-data', 'dev-pr42/data.tfstate', 'dev-pr42-assets', record('api.dev.fintech.example.com'))];
    expect(isolationProblems(ok, base, 'dev-pr42', 'dev')).toEqual([]);
    expect(isolationProblems(bad, base, 'dev-pr42', 'dev')).toEqual([
      "stack dev-pr42-data: output api_record_name = 'api.dev.fintech.example.com' does not carry dev-pr42",
    ]);
  });
});

describe('namesOf', () => {
  it('reads name-like arguments, ignores references and engine families', () => {
    const stack: SynthStack = {
      name: 'dev-pr42-data',
      json: {
        resource: {
          aws_db_parameter_group: { pg: { name: 'dev-pr42-ledger', family: 'postgres16' } },
          aws_ecs_task_definition: { api: { family: 'dev-pr42-api' } },
          aws_db_instance: { ledger: { identifier: 'dev-pr42-ledger', db_subnet_group_name: '${aws_db_subnet_group.x.name}' } },
          aws_iam_role_policy: { inline: { name: 'default' } },
        },
      },
    };
    expect(namesOf([stack]).map((u) => `${u.address}=${u.value}`)).toEqual([
      'aws_db_parameter_group.pg.name=dev-pr42-ledger',
      'aws_ecs_task_definition.api.family=dev-pr42-api',
      'aws_db_instance.ledger.identifier=dev-pr42-ledger',
    ]);
  });
});

describe('cleanDestroyProblems', () => {
  it('accepts resources that destroy unattended', () => {
    const stack: SynthStack = {
      name: 'dev-pr42-data',
      json: {
        resource: {
          aws_s3_bucket: { a: { bucket: 'dev-pr42-a', force_destroy: true } },
          aws_db_instance: { db: { deletion_protection: false, skip_final_snapshot: true } },
          aws_lb: { lb: { enable_deletion_protection: false } },
          aws_cloudwatch_log_group: { l: { retention_in_days: 3 } },
          aws_secretsmanager_secret: { s: { recovery_window_in_days: 0 } },
        },
      },
    };
    expect(cleanDestroyProblems([stack])).toEqual([]);
  });

  it('names every protection that would stop or outlive a destroy', () => {
    const stack: SynthStack = {
      name: 'dev-pr42-data',
      json: {
        resource: {
          aws_s3_bucket: { a: { bucket: 'dev-pr42-a' } },
          aws_db_instance: { db: { deletion_protection: true, skip_final_snapshot: false } },
          aws_lb: { lb: { enable_deletion_protection: true } },
          aws_dynamodb_table: { t: { deletion_protection_enabled: true, lifecycle: { prevent_destroy: true } } },
          aws_ecr_repository: { r: { name: 'dev-pr42-api' } },
          aws_cloudwatch_log_group: { l: { retention_in_days: 30 }, forever: {} },
          aws_secretsmanager_secret: { s: {} },
        },
      },
    };
    expect(cleanDestroyProblems([stack])).toEqual([
      'stack dev-pr42-data: aws_s3_bucket.a: force_destroy is not true: destroy fails on a non-empty bucket',
      'stack dev-pr42-data: aws_db_instance.db.deletion_protection is true',
      'stack dev-pr42-data: aws_db_instance.db: skip_final_snapshot is not true',
      'stack dev-pr42-data: aws_lb.lb.enable_deletion_protection is true',
      'stack dev-pr42-data: aws_dynamodb_table.t.deletion_protection_enabled is true',
      'stack dev-pr42-data: aws_dynamodb_table.t.lifecycle.prevent_destroy is true',
      'stack dev-pr42-data: aws_ecr_repository.r: force_delete is not true: destroy fails while images exist',
      'stack dev-pr42-data: aws_cloudwatch_log_group.l: retention_in_days is 30, expected 1..7',
      'stack dev-pr42-data: aws_cloudwatch_log_group.forever: retention_in_days is unset (never expire), expected 1..7',
      'stack dev-pr42-data: aws_secretsmanager_secret.s: recovery_window_in_days is 30 (default), not 0: the name stays reserved and the same preview cannot be created again',
    ]);
  });
});

describe('prodProtectionProblems', () => {
  it('names every protection prod lacks', () => {
    const stack: SynthStack = {
      name: 'prod-data',
      json: {
        resource: {
          aws_db_instance: { db: { deletion_protection: false, multi_az: false, skip_final_snapshot: true } },
          aws_lb: { lb: {} },
          aws_s3_bucket: { a: { force_destroy: true } },
          aws_cloudwatch_log_group: { l: { retention_in_days: 3 } },
        },
      },
    };
    expect(prodProtectionProblems([stack])).toEqual([
      'stack prod-data: aws_db_instance.db: deletion_protection is not true',
      'stack prod-data: aws_db_instance.db: multi_az is not true',
      'stack prod-data: aws_db_instance.db: skip_final_snapshot is true',
      'stack prod-data: aws_db_instance.db: no final_snapshot_identifier',
      'stack prod-data: aws_lb.lb: enable_deletion_protection is not true',
      'stack prod-data: aws_s3_bucket.a: force_destroy is true',
      'stack prod-data: aws_cloudwatch_log_group.l: retention_in_days is 3, expected >= 365',
    ]);
  });

  it('accepts a protected prod', () => {
    const stack: SynthStack = {
      name: 'prod-data',
      json: { resource: { aws_db_instance: { db: { deletion_protection: true, multi_az: true, skip_final_snapshot: false, final_snapshot_identifier: 'prod-ledger-final' } }, aws_cloudwatch_log_group: { l: { retention_in_days: 365 } } } },
    };
    expect(prodProtectionProblems([stack])).toEqual([]);
  });
});
