// Shared by the AWS adapter specs: the SDK clients of both accounts, which the specs replace
// with recorded responses (aws-sdk-client-mock), and a workspace holding the deployed outputs.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { ECSClient } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { MigrationClients } from './aws-ports';

/** Every client the adapters use, in one region, with static credentials (the specs mock each client class). */
export function sdkClients(region = 'us-east-1'): MigrationClients {
  return {
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
}

/** A temporary workspace root; with `outputs`, dev's deployed outputs (apps/dev/cfn-outputs/flat-outputs.json). */
export function workspaceWithOutputs(prefix: string, outputs?: Readonly<Record<string, unknown>>): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  if (outputs) {
    mkdirSync(join(root, 'apps', 'dev', 'cfn-outputs'), { recursive: true });
    writeFileSync(join(root, 'apps', 'dev', 'cfn-outputs', 'flat-outputs.json'), JSON.stringify(outputs));
  }
  return root;
}
