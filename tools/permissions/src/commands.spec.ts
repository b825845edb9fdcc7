import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_PERMISSIONS, commandKey, findCommands, type CommandPermission } from './commands';
import { actionInfo } from './check';

const ROOT = join(__dirname, '..', '..', '..');

describe('SDK command inventory', () => {
  const found = findCommands(ROOT);

  it('finds the commands the runner, the driver and the integration checks send, however they are imported', () => {
    const keys = found.map(commandKey);
    expect(keys).toEqual(
      expect.arrayContaining([
        'migrate @aws-sdk/client-rds CreateDBSnapshotCommand',
        // loaded at run time with optionalClient('@aws-sdk/client-secrets-manager')
        'migrate @aws-sdk/client-secrets-manager GetSecretValueCommand',
        'migrate @aws-sdk/client-secrets-manager PutSecretValueCommand',
        'migrate @aws-sdk/client-ecs UpdateServiceCommand',
        // a waiter, which sends DescribeServices
        'migrate @aws-sdk/client-ecs waitUntilServicesStable',
        // a destructured dynamic import
        'deploy @aws-sdk/client-sts GetCallerIdentityCommand',
        'integration @aws-sdk/client-resource-groups-tagging-api GetResourcesCommand',
      ]),
    );
  });

  it('has a permission (action and sending role) for every command found', () => {
    expect(found.filter((c) => !COMMAND_PERMISSIONS[commandKey(c)]).map(commandKey)).toEqual([]);
  });

  it('names only actions IAM knows', async () => {
    const actions = Object.values(COMMAND_PERMISSIONS).flatMap((e) => ([] as CommandPermission[]).concat(e as CommandPermission[]).flatMap((p) => [p.action, ...(p.also ?? []).map((a) => a.action)]));
    for (const action of new Set(actions)) await expect(actionInfo(action)).resolves.toBeDefined();
  });

  it('sees a command added to a source file, whichever form it takes', () => {
    const root = mkdtempSync(join(tmpdir(), 'commands-'));
    for (const p of ['migrate', 'deploy', 'integration']) mkdirSync(join(root, 'tools', p, 'src'), { recursive: true });
    writeFileSync(
      join(root, 'tools', 'migrate', 'src', 'new-step.ts'),
      [
        "import { DeleteDBInstanceCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';",
        "const sm = optionalClient<{ X: 1 }>('@aws-sdk/client-secrets-manager');",
        'new sm.RotateSecretCommand({});',
      ].join('\n'),
    );
    writeFileSync(join(root, 'tools', 'migrate', 'src', 'new-step.spec.ts'), "import { DeleteBucketCommand } from '@aws-sdk/client-s3';");
    expect(findCommands(root).map(commandKey)).toEqual(['migrate @aws-sdk/client-rds DeleteDBInstanceCommand', 'migrate @aws-sdk/client-secrets-manager RotateSecretCommand']);
  });
});
