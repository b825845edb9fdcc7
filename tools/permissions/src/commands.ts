import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Arns, Context } from './resource-actions';

/** The projects whose AWS SDK calls run with the product's roles. */
export const CALLING_PROJECTS = ['migrate', 'deploy', 'integration'] as const;
export type CallingProject = (typeof CALLING_PROJECTS)[number];

/** One `*Command` a project's source sends, found by reading the source. */
export interface FoundCommand {
  readonly project: CallingProject;
  /** `@aws-sdk/client-rds` */
  readonly client: string;
  /** `CreateDBSnapshotCommand` */
  readonly command: string;
  /** Files (relative to the workspace) that use it. */
  readonly files: readonly string[];
}

const IMPORT = /import\s*(type\s*)?\{([^}]*)\}\s*from\s*['"](@aws-sdk\/client-[\w-]+)['"]/g;
const DYNAMIC = /const\s*\{([^}]*)\}\s*=\s*await\s+import\(\s*['"](@aws-sdk\/client-[\w-]+)['"]\s*\)/g;
const OPTIONAL = /const\s+(\w+)\s*=\s*optionalClient<[\s\S]*?>\(\s*['"](@aws-sdk\/client-[\w-]+)['"]\s*\)/g;
const NAMESPACED = /new\s+(\w+)\.(\w+Command)\s*\(/g;

const commandNames = (list: string) =>
  list
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith('type '))
    .map((n) => n.split(/\s+as\s+/)[0].trim())
    // Waiters (`waitUntilServicesStable`) poll a Describe call with the same credentials.
    .filter((n) => /^[A-Z]\w*Command$/.test(n) || /^waitUntil[A-Z]\w*$/.test(n));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(name) && !/\.spec\.ts$/.test(name) && name !== 'test-fixtures.ts') out.push(path);
  }
  return out;
}

/**
 * Every AWS SDK v3 command the runner, the driver and the integration checks send, from
 * their sources (tests excluded): named imports of `*Command` from `@aws-sdk/client-*`,
 * destructured dynamic imports, and `new <client>.<Name>Command(...)` on a client package
 * loaded at run time (`optionalClient('@aws-sdk/client-...')`), and waiters
 * (`waitUntil*`, which poll a Describe call). A new call is found here
 * the moment it is written, so it cannot go unchecked.
 */
export function findCommands(workspaceRoot: string, projects: readonly CallingProject[] = CALLING_PROJECTS): FoundCommand[] {
  const found = new Map<string, { project: CallingProject; client: string; command: string; files: Set<string> }>();
  const add = (project: CallingProject, client: string, command: string, file: string) => {
    const key = `${project} ${client} ${command}`;
    const entry = found.get(key) ?? { project, client, command, files: new Set<string>() };
    entry.files.add(relative(workspaceRoot, file));
    found.set(key, entry);
  };
  for (const project of projects) {
    for (const file of sourceFiles(join(workspaceRoot, 'tools', project, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) if (!m[1]) for (const c of commandNames(m[2])) add(project, m[3], c, file);
      for (const m of text.matchAll(DYNAMIC)) for (const c of commandNames(m[1])) add(project, m[2], c, file);
      const namespaces = new Map([...text.matchAll(OPTIONAL)].map((m) => [m[1], m[2]]));
      for (const m of text.matchAll(NAMESPACED)) {
        const client = namespaces.get(m[1]);
        if (client) add(project, client, m[2], file);
      }
    }
  }
  return [...found.values()].map((e) => ({ ...e, files: [...e.files].sort() })).sort((a, b) => `${a.project}${a.client}${a.command}`.localeCompare(`${b.project}${b.client}${b.command}`));
}

/** Which of the product's roles sends a command. */
export type Sender =
  /** The environment's deploy role (the runner's target clients, the integration checks). */
  | 'deploy'
  /** The environment's legacy migration role (the runner's legacy clients, chained through the deploy role). */
  | 'legacy'
  /** The CI or operator role in ops: the credentials a run starts with (first hop, the ledger). */
  | 'operator';

/** What the command needs: the IAM action, who sends it, on what, with which context. */
export interface CommandPermission {
  readonly action: string;
  readonly sender: Sender;
  /** `none`: the call needs no IAM permission (sts:GetCallerIdentity). */
  readonly needs?: 'none';
  readonly arns?: (f: CommandFacts) => Arns;
  readonly context?: (f: CommandFacts) => Context;
  /** More actions the same call needs (a KMS-encrypted item, a customer-key secret). */
  readonly also?: readonly Omit<CommandPermission, 'sender' | 'also'>[];
}

/** What the command table fills ARNs from: the environment, its synthesized resources, the organisation model. */
export interface CommandFacts {
  readonly region: string;
  readonly environment: string;
  readonly prefix: string;
  readonly accountId: string;
  readonly opsAccountId: string;
  readonly legacyAccountId: string;
  readonly stateBucket: string;
  readonly deployRoleArn: string;
  readonly legacyRoleArn: string;
  readonly ledgerTableArn: string;
  readonly ledgerKeyArn: string;
  readonly legacy: { readonly instance: string; readonly snapshot: string; readonly secretName: string; readonly shareKey: string };
  /** Names of the weighted cutover records the runner shifts (from the cutover stack). */
  readonly recordNames: readonly string[];
  readonly dmsTaskArn: string;
  readonly dmsSecretArns: readonly string[];
  readonly masterSecretArn: string;
  readonly externalId: string;
}

const viaSecrets = (f: CommandFacts): Context => ({ 'kms:ViaService': `secretsmanager.${f.region}.amazonaws.com` });
const viaDynamo = (f: CommandFacts): Context => ({ 'kms:ViaService': `dynamodb.${f.region}.amazonaws.com` });
const envKey = (f: CommandFacts) => `arn:aws:kms:${f.region}:${f.accountId}:key/00000000-0000-0000-0000-00000000data`;
const legacyKey = (f: CommandFacts) => `arn:aws:kms:${f.region}:${f.legacyAccountId}:key/00000000-0000-0000-0000-000000secret`;
const ledger = (action: string, write: boolean): CommandPermission => ({
  action,
  sender: 'operator',
  arns: (f) => ({ 'dynamodb:table': f.ledgerTableArn }),
  also: [
    { action: 'kms:Decrypt', arns: (f) => ({ 'kms:key': f.ledgerKeyArn }), context: viaDynamo },
    ...(write ? [{ action: 'kms:GenerateDataKey', arns: (f: CommandFacts) => ({ 'kms:key': f.ledgerKeyArn }), context: viaDynamo }] : []),
  ],
});

/**
 * The permission table of every SDK command the product sends, keyed
 * `<project> <client package> <Command>`. A command `findCommands` sees that is missing
 * here fails the permissions tests: register it here, with the role that sends it.
 */
export const COMMAND_PERMISSIONS: Readonly<Record<string, CommandPermission | readonly CommandPermission[]>> = {
  // ------------------------------------------------------------------ runner (tools/migrate)
  'migrate @aws-sdk/client-cloudwatch DescribeAlarmsCommand': { action: 'cloudwatch:DescribeAlarms', sender: 'deploy', arns: (f) => ({ 'cloudwatch:alarm': `arn:aws:cloudwatch:${f.region}:${f.accountId}:alarm:*` }) },
  'migrate @aws-sdk/client-database-migration-service DescribeReplicationInstancesCommand': { action: 'dms:DescribeReplicationInstances', sender: 'deploy' },
  'migrate @aws-sdk/client-database-migration-service DescribeReplicationTasksCommand': { action: 'dms:DescribeReplicationTasks', sender: 'deploy' },
  'migrate @aws-sdk/client-database-migration-service StartReplicationTaskCommand': { action: 'dms:StartReplicationTask', sender: 'deploy', arns: (f) => ({ 'dms:ReplicationTask': f.dmsTaskArn }) },
  'migrate @aws-sdk/client-database-migration-service StopReplicationTaskCommand': { action: 'dms:StopReplicationTask', sender: 'deploy', arns: (f) => ({ 'dms:ReplicationTask': f.dmsTaskArn }) },
  'migrate @aws-sdk/client-rds CreateDBSnapshotCommand': {
    action: 'rds:CreateDBSnapshot',
    sender: 'legacy',
    arns: (f) => ({ 'rds:db': `arn:aws:rds:${f.region}:${f.legacyAccountId}:db:${f.legacy.instance}`, 'rds:snapshot': `arn:aws:rds:${f.region}:${f.legacyAccountId}:snapshot:${f.legacy.snapshot}` }),
    context: () => ({ 'aws:RequestTag/Purpose': 'estate-migration', 'aws:TagKeys': ['Purpose'] }),
    // Tags given at creation are authorised as AddTagsToResource on the new snapshot.
    also: [{ action: 'rds:AddTagsToResource', arns: (f) => ({ 'rds:snapshot': `arn:aws:rds:${f.region}:${f.legacyAccountId}:snapshot:${f.legacy.snapshot}` }), context: () => ({ 'aws:RequestTag/Purpose': 'estate-migration', 'aws:TagKeys': ['Purpose'] }) }],
  },
  'migrate @aws-sdk/client-rds DescribeDBInstancesCommand': { action: 'rds:DescribeDBInstances', sender: 'legacy', arns: (f) => ({ 'rds:db': `arn:aws:rds:${f.region}:${f.legacyAccountId}:db:${f.legacy.instance}` }) },
  'migrate @aws-sdk/client-rds DescribeDBSnapshotsCommand': { action: 'rds:DescribeDBSnapshots', sender: 'legacy', arns: (f) => ({ 'rds:snapshot': `arn:aws:rds:${f.region}:${f.legacyAccountId}:snapshot:${f.legacy.snapshot}` }) },
  'migrate @aws-sdk/client-route-53 ChangeResourceRecordSetsCommand': {
    action: 'route53:ChangeResourceRecordSets',
    sender: 'legacy',
    arns: () => ({ 'route53:hostedzone': 'arn:aws:route53:::hostedzone/ZLEGACY' }),
    context: (f) => ({ 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...f.recordNames], 'route53:ChangeResourceRecordSetsActions': ['UPSERT'] }),
  },
  'migrate @aws-sdk/client-route-53 ListResourceRecordSetsCommand': { action: 'route53:ListResourceRecordSets', sender: 'legacy', arns: () => ({ 'route53:hostedzone': 'arn:aws:route53:::hostedzone/ZLEGACY' }) },
  'migrate @aws-sdk/client-s3 HeadBucketCommand': { action: 's3:ListBucket', sender: 'deploy', arns: (f) => ({ 's3:bucket': `arn:aws:s3:::${f.stateBucket}` }) },
  'migrate @aws-sdk/client-sts AssumeRoleCommand': { action: 'sts:AssumeRole', sender: 'operator', arns: (f) => ({ 'sts:role': f.deployRoleArn }), context: (f) => ({ 'sts:ExternalId': f.externalId }) },
  'migrate @aws-sdk/client-sts GetCallerIdentityCommand': { action: 'sts:GetCallerIdentity', sender: 'operator', needs: 'none' },
  'migrate @aws-sdk/client-kms DescribeKeyCommand': { action: 'kms:DescribeKey', sender: 'legacy', arns: (f) => ({ 'kms:key': `arn:aws:kms:${f.region}:${f.legacyAccountId}:${f.legacy.shareKey}` }) },
  'migrate @aws-sdk/client-secrets-manager GetSecretValueCommand': [
    // The new database's RDS-managed master secret (verifier URL, DMS target secret).
    {
      action: 'secretsmanager:GetSecretValue',
      sender: 'deploy',
      arns: (f) => ({ 'secretsmanager:Secret': f.masterSecretArn }),
      also: [{ action: 'kms:Decrypt', arns: (f) => ({ 'kms:key': envKey(f) }), context: viaSecrets }],
    },
    // The legacy database's credentials (DMS source secret).
    {
      action: 'secretsmanager:GetSecretValue',
      sender: 'legacy',
      arns: (f) => ({ 'secretsmanager:Secret': `arn:aws:secretsmanager:${f.region}:${f.legacyAccountId}:secret:${f.legacy.secretName}-AbCdEf` }),
      also: [{ action: 'kms:Decrypt', arns: (f) => ({ 'kms:key': legacyKey(f) }), context: viaSecrets }],
    },
  ],
  'migrate @aws-sdk/client-secrets-manager PutSecretValueCommand': {
    action: 'secretsmanager:PutSecretValue',
    sender: 'deploy',
    arns: (f) => ({ 'secretsmanager:Secret': f.dmsSecretArns[0] }),
    also: [
      { action: 'secretsmanager:PutSecretValue', arns: (f) => ({ 'secretsmanager:Secret': f.dmsSecretArns[1] ?? f.dmsSecretArns[0] }) },
      { action: 'kms:GenerateDataKey', arns: (f) => ({ 'kms:key': envKey(f) }), context: viaSecrets },
    ],
  },
  // The database access task (DatabaseAccessTask) and the SSM port-forwarding sessions through it.
  'migrate @aws-sdk/client-ecs RunTaskCommand': {
    action: 'ecs:RunTask',
    sender: 'deploy',
    arns: (f) => ({ 'ecs:task-definition': `arn:aws:ecs:${f.region}:${f.accountId}:task-definition/${f.prefix}db-access:1` }),
    context: (f) => ({ 'ecs:cluster': `arn:aws:ecs:${f.region}:${f.accountId}:cluster/${f.prefix}db-access`, 'ecs:enable-execute-command': 'true' }),
    also: [
      // The task definition's roles are passed to ECS; tags propagated from it are authorised on the new task.
      { action: 'iam:PassRole', arns: (f) => ({ 'iam:role': `arn:aws:iam::${f.accountId}:role/${f.prefix}db-access-task` }), context: () => ({ 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }) },
      { action: 'iam:PassRole', arns: (f) => ({ 'iam:role': `arn:aws:iam::${f.accountId}:role/${f.prefix}db-access-execution` }), context: () => ({ 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }) },
      { action: 'ecs:TagResource', arns: (f) => ({ 'ecs:task': `arn:aws:ecs:${f.region}:${f.accountId}:task/${f.prefix}db-access/0123456789abcdef0123456789abcdef` }), context: () => ({ 'ecs:CreateAction': 'RunTask' }) },
    ],
  },
  'migrate @aws-sdk/client-ecs DescribeTasksCommand': { action: 'ecs:DescribeTasks', sender: 'deploy', arns: (f) => ({ 'ecs:task': `arn:aws:ecs:${f.region}:${f.accountId}:task/${f.prefix}db-access/0123456789abcdef0123456789abcdef` }) },
  'migrate @aws-sdk/client-ecs StopTaskCommand': { action: 'ecs:StopTask', sender: 'deploy', arns: (f) => ({ 'ecs:task': `arn:aws:ecs:${f.region}:${f.accountId}:task/${f.prefix}db-access/0123456789abcdef0123456789abcdef` }) },
  'migrate @aws-sdk/client-ssm StartSessionCommand': {
    action: 'ssm:StartSession',
    sender: 'deploy',
    arns: (f) => ({ 'ssm:task': `arn:aws:ecs:${f.region}:${f.accountId}:task/${f.prefix}db-access/0123456789abcdef0123456789abcdef` }),
    also: [{ action: 'ssm:StartSession', arns: (f) => ({ 'ssm:document': `arn:aws:ssm:${f.region}::document/AWS-StartPortForwardingSessionToRemoteHost` }) }],
  },
  'migrate @aws-sdk/client-ssm TerminateSessionCommand': { action: 'ssm:TerminateSession', sender: 'deploy', arns: (f) => ({ 'ssm:session': `arn:aws:ssm:${f.region}:${f.accountId}:session/estate-migrate-0abc123` }) },
  'migrate @aws-sdk/client-ecs UpdateServiceCommand': { action: 'ecs:UpdateService', sender: 'deploy', arns: (f) => ({ 'ecs:service': `arn:aws:ecs:${f.region}:${f.accountId}:service/${f.prefix}app/${f.prefix}api` }) },
  'migrate @aws-sdk/client-ecs waitUntilServicesStable': { action: 'ecs:DescribeServices', sender: 'deploy', arns: (f) => ({ 'ecs:service': `arn:aws:ecs:${f.region}:${f.accountId}:service/${f.prefix}app/${f.prefix}api` }) },
  // The write-freeze check reads the new database's PostgreSQL log.
  'migrate @aws-sdk/client-rds DescribeDBLogFilesCommand': { action: 'rds:DescribeDBLogFiles', sender: 'deploy', arns: (f) => ({ 'rds:db': `arn:aws:rds:${f.region}:${f.accountId}:db:${f.prefix}ledger` }) },
  'migrate @aws-sdk/client-rds DownloadDBLogFilePortionCommand': { action: 'rds:DownloadDBLogFilePortion', sender: 'deploy', arns: (f) => ({ 'rds:db': `arn:aws:rds:${f.region}:${f.accountId}:db:${f.prefix}ledger` }) },
  'migrate @aws-sdk/client-dynamodb DeleteItemCommand': ledger('dynamodb:DeleteItem', true),
  'migrate @aws-sdk/client-dynamodb GetItemCommand': ledger('dynamodb:GetItem', false),
  'migrate @aws-sdk/client-dynamodb PutItemCommand': ledger('dynamodb:PutItem', true),
  'migrate @aws-sdk/client-dynamodb QueryCommand': ledger('dynamodb:Query', false),
  'migrate @aws-sdk/client-dynamodb TransactWriteItemsCommand': {
    // TransactWriteItems is authorised per item: PutItem/UpdateItem/DeleteItem/ConditionCheckItem on the table.
    ...ledger('dynamodb:PutItem', true),
    also: [...(ledger('dynamodb:PutItem', true).also ?? []), { action: 'dynamodb:UpdateItem', arns: (f) => ({ 'dynamodb:table': f.ledgerTableArn }) }, { action: 'dynamodb:ConditionCheckItem', arns: (f) => ({ 'dynamodb:table': f.ledgerTableArn }) }],
  },
  'migrate @aws-sdk/client-dynamodb UpdateItemCommand': ledger('dynamodb:UpdateItem', true),
  // ------------------------------------------------------------------ deploy driver (tools/deploy)
  'deploy @aws-sdk/client-sts GetCallerIdentityCommand': { action: 'sts:GetCallerIdentity', sender: 'operator', needs: 'none' },
  // ------------------------------------------------------------------ integration checks (tools/integration), as the deploy role
  'integration @aws-sdk/client-sts GetCallerIdentityCommand': { action: 'sts:GetCallerIdentity', sender: 'operator', needs: 'none' },
  'integration @aws-sdk/client-sts AssumeRoleCommand': { action: 'sts:AssumeRole', sender: 'operator', arns: (f) => ({ 'sts:role': f.deployRoleArn }), context: (f) => ({ 'sts:ExternalId': f.externalId }) },
  'integration @aws-sdk/client-ec2 DescribeRouteTablesCommand': { action: 'ec2:DescribeRouteTables', sender: 'deploy' },
  'integration @aws-sdk/client-ec2 DescribeVpcPeeringConnectionsCommand': { action: 'ec2:DescribeVpcPeeringConnections', sender: 'deploy' },
  'integration @aws-sdk/client-ecs DescribeServicesCommand': { action: 'ecs:DescribeServices', sender: 'deploy', arns: (f) => ({ 'ecs:service': `arn:aws:ecs:${f.region}:${f.accountId}:service/${f.prefix}app/${f.prefix}api` }) },
  'integration @aws-sdk/client-elastic-load-balancing-v2 DescribeListenersCommand': { action: 'elasticloadbalancing:DescribeListeners', sender: 'deploy' },
  'integration @aws-sdk/client-elastic-load-balancing-v2 DescribeLoadBalancersCommand': { action: 'elasticloadbalancing:DescribeLoadBalancers', sender: 'deploy' },
  'integration @aws-sdk/client-rds DescribeDBInstancesCommand': { action: 'rds:DescribeDBInstances', sender: 'deploy', arns: (f) => ({ 'rds:db': `arn:aws:rds:${f.region}:${f.accountId}:db:${f.prefix}ledger` }) },
  'integration @aws-sdk/client-resource-groups-tagging-api GetResourcesCommand': { action: 'tag:GetResources', sender: 'deploy' },
};

export const commandKey = (c: Pick<FoundCommand, 'project' | 'client' | 'command'>) => `${c.project} ${c.client} ${c.command}`;
