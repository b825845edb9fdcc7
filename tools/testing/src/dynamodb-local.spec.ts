import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createLedgerTable, SHARED_DYNAMODB_LOCAL, startLocalDynamo, type LocalDynamo } from './dynamodb-local';
import { freePort } from './free-port';

jest.setTimeout(180_000);

describe('startLocalDynamo', () => {
  let server: LocalDynamo;
  beforeAll(async () => {
    server = await startLocalDynamo(150_000);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const tables = async (dynamo: LocalDynamo) => (await dynamo.client.send(new ListTablesCommand({}))).TableNames ?? [];

  it('shares a running DynamoDB Local, each caller in a database of its own', async () => {
    const env = { [SHARED_DYNAMODB_LOCAL]: server.endpoint };
    const [a, b] = await Promise.all([startLocalDynamo(1000, env), startLocalDynamo(1000, env)]);
    await createLedgerTable(a.client, 'only-in-a');
    await createLedgerTable(server.client, 'only-in-the-first');
    expect(a.endpoint).toBe(server.endpoint);
    expect(await tables(a)).toEqual(['only-in-a']);
    expect(await tables(b)).toEqual([]);
    expect(await tables(server)).toEqual(['only-in-the-first']);
    await a.stop();
    await b.stop();
    // Stopping a shared caller closes only its client: the server still answers.
    expect(await tables(server)).toEqual(['only-in-the-first']);
  });

  it('names the variable and the value when it is not a local endpoint or does not answer', async () => {
    await expect(startLocalDynamo(1000, { [SHARED_DYNAMODB_LOCAL]: 'https://dynamodb.us-east-1.amazonaws.com' })).rejects.toThrow(
      "ESTATE_DYNAMODB_LOCAL 'https://dynamodb.us-east-1.amazonaws.com' is not a DynamoDB Local endpoint; expected http://127.0.0.1:<port>",
    );
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(startLocalDynamo(1000, { [SHARED_DYNAMODB_LOCAL]: closed })).rejects.toThrow(`ESTATE_DYNAMODB_LOCAL '${closed}' does not answer ListTables:`);
  });
});
