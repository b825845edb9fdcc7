import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { StartSessionCommand, TerminateSessionCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** The SSM document that forwards a local port to a host the target reaches (here: a database endpoint). */
export const PORT_FORWARDING_DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';
/** Variable naming the Session Manager plugin binary. @default 'session-manager-plugin' on PATH */
export const PLUGIN_VARIABLE = 'SESSION_MANAGER_PLUGIN';

/** The access task the data stack defines (DatabaseAccessTask), from the deploy's outputs. */
export interface AccessTask {
  readonly cluster: string;
  readonly taskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly containerName: string;
}

export interface DatabaseTunnelsOptions {
  readonly ecs: ECSClient;
  readonly ssm: SSMClient;
  readonly region: string;
  /** Read when the first tunnel is opened (the outputs exist only after the deploy step). */
  readonly access: () => AccessTask;
  /** Recorded on the task (`startedBy`, at most 36 characters) and in the session's reason. */
  readonly startedBy: string;
  /** The plugin binary. @default - `session-manager-plugin` */
  readonly plugin?: string;
  readonly log?: (line: string) => void;
  /** How long the task may take to run with its ECS Exec agent up. @default 300 s */
  readonly taskStartMs?: number;
  /** How long a session may take until its local port accepts connections. @default 60 s */
  readonly portReadyMs?: number;
  /** @default 3 s */
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One forwarded port: connect to `127.0.0.1:localPort`, check the certificate against `remoteHost`. */
export interface Tunnel {
  readonly localHost: '127.0.0.1';
  readonly localPort: number;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly close: () => Promise<void>;
}

/** The access task as started: its ARN, its container's runtime id (part of the SSM target) and its cluster. */
interface RunningTask {
  readonly arn: string;
  readonly runtimeId: string;
  readonly cluster: string;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on right now (the kernel's pick), for the plugin to listen on. */
async function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts TCP connections on `127.0.0.1:port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The task's id: the last part of its ARN (`arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`). */
export const taskId = (taskArn: string) => taskArn.split('/').pop() ?? taskArn;

/** The SSM target of a container in a task: `ecs:<cluster name>_<task id>_<container runtime id>` (as the AWS CLI builds it). */
export function sessionTarget(cluster: string, taskArn: string, runtimeId: string): string {
  return `ecs:${cluster.split('/').pop()}_${taskId(taskArn)}_${runtimeId}`;
}

/**
 * Opens port-forwarding tunnels to the environment's databases through the access task: starts
 * the task once (ECS Exec on) and again if it has stopped, opens one SSM session per tunnel
 * (`AWS-StartPortForwardingSessionToRemoteHost`) and hands it to the Session Manager plugin,
 * which listens on a local port. `close` ends every session and stops the task. TLS runs
 * inside the tunnel, from the runner to the database: the task sees only ciphertext.
 */
export class DatabaseTunnels {
  private task?: RunningTask;
  private starting?: Promise<RunningTask>;
  private readonly open = new Set<{ child: ChildProcess; sessionId: string }>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: (line: string) => void;
  private readonly taskStartMs: number;
  private readonly portReadyMs: number;

  constructor(private readonly options: DatabaseTunnelsOptions) {
    this.sleep = options.sleep ?? sleepFor;
    this.log = options.log ?? (() => undefined);
    this.taskStartMs = options.taskStartMs ?? 300_000;
    this.portReadyMs = options.portReadyMs ?? 60_000;
  }

  /** A tunnel to `host:port`, once its local port accepts connections. */
  async tunnel(host: string, port: number): Promise<Tunnel> {
    const access = this.options.access();
    const task = await this.runningTask(access);
    const localPort = await unusedPort();
    const parameters = { host: [host], portNumber: [String(port)], localPortNumber: [String(localPort)] };
    const target = sessionTarget(access.cluster, task.arn, task.runtimeId);
    const reason = `estate migration ${this.options.startedBy}`.slice(0, 256);
    const response = await this.options.ssm.send(new StartSessionCommand({ Target: target, DocumentName: PORT_FORWARDING_DOCUMENT, Parameters: parameters, Reason: reason }));
    if (!response.SessionId || !response.StreamUrl || !response.TokenValue) throw new Error(`SSM StartSession on ${target} returned no session (SessionId, StreamUrl, TokenValue)`);
    const sessionId = response.SessionId;
    // The plugin's command line, as the AWS CLI hands it over: the session, the region, the
    // operation, a profile (none: the token authorises the stream), the request and the endpoint.
    const plugin = this.options.plugin ?? 'session-manager-plugin';
    const args = [
      JSON.stringify({ SessionId: sessionId, StreamUrl: response.StreamUrl, TokenValue: response.TokenValue }),
      this.options.region,
      'StartSession',
      '',
      JSON.stringify({ Target: target, DocumentName: PORT_FORWARDING_DOCUMENT, Parameters: parameters }),
      `https://ssm.${this.options.region}.amazonaws.com`,
    ];
    const child = spawn(plugin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = { child, sessionId };
    this.open.add(entry);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    let exited: string | undefined;
    child.once('error', (error: NodeJS.ErrnoException) => {
      exited = error.code === 'ENOENT' ? `${plugin} is not installed (set ${PLUGIN_VARIABLE} to its path; https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)` : error.message;
    });
    child.once('exit', (code, signal) => (exited ??= `the Session Manager plugin exited (${signal ?? `code ${code}`})`));

    const close = async () => {
      if (!this.open.delete(entry)) return;
      await this.end(entry);
    };
    const deadline = Date.now() + this.portReadyMs;
    for (;;) {
      if (exited !== undefined) {
        await close();
        throw new Error(`tunnel to ${host}:${port} through ${target}: ${exited}${output.trim() ? `: ${output.trim()}` : ''}`);
      }
      if (await accepts(localPort)) break;
      if (Date.now() > deadline) {
        await close();
        throw new Error(`tunnel to ${host}:${port} through ${target}: local port ${localPort} did not open within ${this.portReadyMs / 1000} s${output.trim() ? `: ${output.trim()}` : ''}`);
      }
      await sleepFor(100);
    }
    this.log(`  tunnel 127.0.0.1:${localPort} → ${host}:${port} (SSM session ${sessionId})`);
    return { localHost: '127.0.0.1', localPort, remoteHost: host, remotePort: port, close };
  }

  /** Ends every session and stops the access task (idempotent). */
  async close(): Promise<void> {
    const entries = [...this.open];
    this.open.clear();
    await Promise.all(entries.map((e) => this.end(e)));
    const task = this.task;
    this.task = undefined;
    if (task) {
      try {
        await this.options.ecs.send(new StopTaskCommand({ cluster: task.cluster, task: task.arn, reason: `estate migration ${this.options.startedBy} ended` }));
        this.log(`  stopped the database access task ${taskId(task.arn)}`);
      } catch (error) {
        this.log(`  could not stop the database access task ${task.arn} (${(error as Error).message}); it ends by itself within hours`);
      }
    }
  }

  private async end(entry: { child: ChildProcess; sessionId: string }): Promise<void> {
    if (entry.child.exitCode === null && entry.child.signalCode === null) entry.child.kill('SIGTERM');
    try {
      await this.options.ssm.send(new TerminateSessionCommand({ SessionId: entry.sessionId }));
    } catch (error) {
      this.log(`  could not terminate SSM session ${entry.sessionId}: ${(error as Error).message}`);
    }
  }

  /** The running task with its ECS Exec agent up; started (or started again) when there is none. */
  private async runningTask(access: AccessTask): Promise<RunningTask> {
    if (this.task) {
      const current = await this.describe(access, this.task.arn);
      if (current?.lastStatus === 'RUNNING') return this.task;
      this.log(`  the database access task ${taskId(this.task.arn)} is ${current?.lastStatus ?? 'gone'}${current?.stoppedReason ? ` (${current.stoppedReason})` : ''}; starting another`);
      this.task = undefined;
    }
    this.starting ??= this.start(access).finally(() => (this.starting = undefined));
    this.task = await this.starting;
    return this.task;
  }

  private async describe(access: AccessTask, arn: string): Promise<Task | undefined> {
    const { tasks } = await this.options.ecs.send(new DescribeTasksCommand({ cluster: access.cluster, tasks: [arn] }));
    return tasks?.[0];
  }

  private async start(access: AccessTask): Promise<RunningTask> {
    const { tasks, failures } = await this.options.ecs.send(
      new RunTaskCommand({
        cluster: access.cluster,
        taskDefinition: access.taskDefinitionArn,
        launchType: 'FARGATE',
        count: 1,
        enableExecuteCommand: true,
        startedBy: this.options.startedBy.slice(0, 36),
        propagateTags: 'TASK_DEFINITION',
        enableECSManagedTags: true,
        networkConfiguration: { awsvpcConfiguration: { subnets: [...access.subnetIds], securityGroups: [...access.securityGroupIds], assignPublicIp: 'DISABLED' } },
      }),
    );
    const arn = tasks?.[0]?.taskArn;
    if (!arn) {
      const why = (failures ?? []).map((f) => `${f.reason ?? 'failure'}${f.detail ? ` (${f.detail})` : ''}`).join('; ') || 'no task and no failure returned';
      throw new Error(`could not start the database access task ${access.taskDefinitionArn} in ${access.cluster}: ${why}`);
    }
    this.log(`  started the database access task ${taskId(arn)} in ${access.cluster}`);
    const deadline = Date.now() + this.taskStartMs;
    for (;;) {
      const task = await this.describe(access, arn);
      const container = task?.containers?.find((c) => c.name === access.containerName);
      const agent = container?.managedAgents?.find((a) => a.name === 'ExecuteCommandAgent');
      if (task?.lastStatus === 'STOPPED') {
        throw new Error(`the database access task ${taskId(arn)} stopped while starting: ${task.stoppedReason ?? container?.reason ?? 'no reason given'}`);
      }
      if (task?.lastStatus === 'RUNNING' && container?.runtimeId && agent?.lastStatus === 'RUNNING') return { arn, runtimeId: container.runtimeId, cluster: access.cluster };
      if (Date.now() > deadline) {
        throw new Error(
          `the database access task ${taskId(arn)} is ${task?.lastStatus ?? 'not visible'} with its ECS Exec agent ${agent?.lastStatus ?? 'absent'} after ${this.taskStartMs / 1000} s; ` +
            'the private subnets need a route to SSM (NAT or an ssmmessages endpoint)',
        );
      }
      await this.sleep(this.options.pollMs ?? 3000);
    }
  }
}
