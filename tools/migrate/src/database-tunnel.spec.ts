import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand, type DescribeTasksCommandOutput } from '@aws-sdk/client-ecs';
import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { startPostgres, type PostgresServer } from '@estate/testing';
import { DatabaseTunnels, PORT_FORWARDING_DOCUMENT, sessionTarget, type AccessTask } from './database-tunnel';

jest.setTimeout(60_000);

const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
const TASK = 'arn:aws:ecs:us-east-1:333333333333:task/dev-db-access/0123456789abcdef0123456789abcdef';
const ACCESS: AccessTask = {
  cluster: 'dev-db-access',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:333333333333:task-definition/dev-db-access:3',
  subnetIds: ['subnet-private-a', 'subnet-private-b'],
  securityGroupIds: ['sg-access', 'sg-ledger-client'],
  containerName: 'access',
};
const running = (agent = 'RUNNING'): Partial<DescribeTasksCommandOutput> => ({
  tasks: [{ taskArn: TASK, lastStatus: 'RUNNING', containers: [{ name: 'access', runtimeId: '0123456789abcdef-1234567890', managedAgents: [{ name: 'ExecuteCommandAgent' as const, lastStatus: agent }] }] }],
});

/**
 * Stands in for the Session Manager plugin, which needs AWS's SSM endpoint: it records the
 * command line it was given and forwards the local port named in the request to the host and
 * port named there, as the real plugin does through the access task.
 */
function pluginStandIn(dir: string): string {
  const path = join(dir, 'session-manager-plugin');
  writeFileSync(
    path,
    `#!/usr/bin/env node
const net = require('node:net');
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify(args));
const { Parameters } = JSON.parse(args[4]);
const server = net.createServer((socket) => {
  const upstream = net.connect({ host: Parameters.host[0], port: Number(Parameters.portNumber[0]) });
  socket.pipe(upstream).pipe(socket);
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
});
server.listen(Number(Parameters.localPortNumber[0]), '127.0.0.1');
process.on('SIGTERM', () => { fs.writeFileSync(${JSON.stringify(join(dir, 'terminated'))}, 'yes'); process.exit(0); });
`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('DatabaseTunnels: SSM port forwarding through the access task', () => {
  let server: PostgresServer;
  let dir: string;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    ecs.reset();
    ssm.reset();
    dir = mkdtempSync(join(tmpdir(), 'tunnel-'));
    ssm.on(StartSessionCommand).resolves({ SessionId: 'operator-0abc', StreamUrl: 'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/operator-0abc', TokenValue: 'token' });
    ssm.on(TerminateSessionCommand).resolves({});
    ecs.on(StopTaskCommand).resolves({});
  });
  const tunnels = (plugin = pluginStandIn(dir)) =>
    new DatabaseTunnels({ ecs: new ECSClient({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }), region: 'us-east-1', access: () => ACCESS, startedBy: 'dev-run-1a2b', plugin, sleep: async () => undefined });

  it('starts the task with ECS Exec, waits for its agent, forwards a port to the database and ends everything on close', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
    ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'PENDING' }] }).resolvesOnce(running('PENDING')).resolves(running());
    const t = tunnels();
    const tunnel = await t.tunnel('127.0.0.1', server.port);

    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input).toEqual({
      cluster: 'dev-db-access',
      taskDefinition: ACCESS.taskDefinitionArn,
      launchType: 'FARGATE',
      count: 1,
      enableExecuteCommand: true,
      startedBy: 'dev-run-1a2b',
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: true,
      networkConfiguration: { awsvpcConfiguration: { subnets: ACCESS.subnetIds, securityGroups: ACCESS.securityGroupIds, assignPublicIp: 'DISABLED' } },
    });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(3);
    const target = 'ecs:dev-db-access_0123456789abcdef0123456789abcdef_0123456789abcdef-1234567890';
    const parameters = { host: ['127.0.0.1'], portNumber: [String(server.port)], localPortNumber: [String(tunnel.localPort)] };
    expect(ssm.commandCalls(StartSessionCommand)[0].args[0].input).toEqual({ Target: target, DocumentName: PORT_FORWARDING_DOCUMENT, Parameters: parameters, Reason: 'estate migration dev-run-1a2b' });
    // The plugin's command line, as the AWS CLI builds it.
    expect(JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8'))).toEqual([
      JSON.stringify({ SessionId: 'operator-0abc', StreamUrl: 'wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/operator-0abc', TokenValue: 'token' }),
      'us-east-1',
      'StartSession',
      '',
      JSON.stringify({ Target: target, DocumentName: PORT_FORWARDING_DOCUMENT, Parameters: parameters }),
      'https://ssm.us-east-1.amazonaws.com',
    ]);

    const client = new Client({ host: tunnel.localHost, port: tunnel.localPort, user: 'postgres', database: 'postgres' });
    await client.connect();
    expect((await client.query<{ answer: number }>('SELECT 42 AS answer')).rows[0].answer).toBe(42);
    await client.end();

    // A second tunnel reuses the running task.
    const second = await t.tunnel('127.0.0.1', server.port);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    await second.close();
    expect(ssm.commandCalls(TerminateSessionCommand)).toHaveLength(1);

    await t.close();
    expect(ssm.commandCalls(TerminateSessionCommand).map((c) => c.args[0].input)).toEqual([{ SessionId: 'operator-0abc' }, { SessionId: 'operator-0abc' }]);
    expect(ecs.commandCalls(StopTaskCommand)[0].args[0].input).toEqual({ cluster: 'dev-db-access', task: TASK, reason: 'estate migration dev-run-1a2b ended' });
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(join(dir, 'terminated'))).toBe(true);
    await t.close();
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
  });

  it('starts another task when the one it had has stopped', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolvesOnce(running()).resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited' }] }).resolves(running());
    const t = tunnels();
    await (await t.tunnel('127.0.0.1', server.port)).close();
    await (await t.tunnel('127.0.0.1', server.port)).close();
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(2);
    await t.close();
  });

  it('says why the task could not start: RunTask failures, a task that stopped while starting', async () => {
    ecs.on(RunTaskCommand).resolvesOnce({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'subnet full' }] });
    await expect(tunnels().tunnel('db', 5432)).rejects.toThrow(/could not start the database access task .*dev-db-access:3 in dev-db-access: RESOURCE:ENI \(subnet full\)/);
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', stoppedReason: 'CannotPullContainerError: pull access denied' }] });
    await expect(tunnels().tunnel('db', 5432)).rejects.toThrow(/stopped while starting: CannotPullContainerError: pull access denied/);
    expect(ssm.commandCalls(StartSessionCommand)).toHaveLength(0);
  });

  it('names the plugin variable when the Session Manager plugin is not installed, and ends the session it opened', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves(running());
    await expect(tunnels(join(dir, 'no-such-plugin')).tunnel('db', 5432)).rejects.toThrow(/no-such-plugin is not installed \(set SESSION_MANAGER_PLUGIN to its path/);
    expect(ssm.commandCalls(TerminateSessionCommand).map((c) => c.args[0].input)).toEqual([{ SessionId: 'operator-0abc' }]);
  });

  it('builds the SSM target from the cluster name, the task id and the runtime id', () => {
    expect(sessionTarget('arn:aws:ecs:us-east-1:333333333333:cluster/dev-db-access', TASK, 'abc-1')).toBe('ecs:dev-db-access_0123456789abcdef0123456789abcdef_abc-1');
  });
});
