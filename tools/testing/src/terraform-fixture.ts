import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** One fixture stack: `terraform_data` resources only, local backend, no provider download. */
export interface FixtureStackSpec {
  readonly name: string;
  /** Stacks of the same app whose `id` output it reads through `terraform_remote_state` (local backend). */
  readonly readsFrom?: readonly string[];
  /** `terraform_data` resources besides the gate (default 2). */
  readonly resources?: number;
  /** Seconds the gate's local-exec provisioner sleeps on create (to observe parallel waves). */
  readonly sleepSeconds?: number;
  /** Declares `variable "image_tag"` without a default, like the app stacks. */
  readonly requiresImageTag?: boolean;
  /** Pinned to these accounts (what the driver reads from `provider.aws.allowed_account_ids` in real stacks). */
  readonly accounts?: readonly string[];
}

export interface FixtureAppSpec {
  readonly dependsOn?: readonly string[];
  readonly stacks: readonly FixtureStackSpec[];
}

export interface TerraformFixture {
  /** A temporary workspace root: apps/<app>/cdktf.out, apps/<app>/cfn-outputs, state/. */
  readonly root: string;
  /** Environment for terraform: an empty CLI config, no checkpoint calls, a private plugin cache. */
  readonly env: NodeJS.ProcessEnv;
  readonly terraform: string;
  readonly appDependencies: Record<string, string[]>;
  /** Writes an app's manifest.json and stacks/<name>/cdk.tf.json the way cdktf synth does. */
  readonly synth: (app: string, outdir: string, env: NodeJS.ProcessEnv) => Promise<void>;
  /** Account ids of a fixture stack (the driver's `accountsOf`). */
  readonly accountsOf: (json: object) => string[];
  /** Bumps a stack's generation: every resource input and its `id` output change on the next synth. */
  readonly change: (stack: string) => void;
  /** Makes a stack's gate fail on create (`fail = true`) until `fail = false`. */
  readonly failOnCreate: (stack: string, fail: boolean) => void;
  readonly statePath: (stack: string) => string;
  readonly readState: (stack: string) => { resources: { type: string; name: string }[]; outputs: Record<string, { value: unknown }> } | undefined;
  /** Edits a stack's state file outside Terraform (drift). */
  readonly editState: (stack: string, edit: (state: Record<string, unknown>) => void) => void;
  /** Holds the state lock of a stack the way a running terraform does (an fcntl lock on the state file). */
  readonly holdLock: (stack: string) => Promise<{ release: () => Promise<void> }>;
  readonly cleanup: () => Promise<void>;
}

export const TERRAFORM_INSTALL_HINT =
  'terraform >= 1.10 is needed for the driver tests (built-in terraform_data, local backend, no provider download): install it at /usr/local/bin/terraform or set TERRAFORM_BINARY';

/** The terraform binary the fixture tests use, or undefined. */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['TERRAFORM_BINARY']) return existsSync(env['TERRAFORM_BINARY']) ? env['TERRAFORM_BINARY'] : undefined;
  for (const dir of [...(env['PATH'] ?? '').split(delimiter), '/usr/local/bin']) {
    if (dir && existsSync(join(dir, 'terraform'))) return join(dir, 'terraform');
  }
  return undefined;
}

/**
 * A temporary workspace of small apps whose stacks Terraform runs for real, offline: only the
 * built-in `terraform_data` resource, `terraform_remote_state` with the local backend and
 * local-exec provisioners. Stops what it started (lock holders) by pid in `cleanup`.
 */
export function createTerraformFixture(apps: Readonly<Record<string, FixtureAppSpec>>): TerraformFixture {
  const terraform = findTerraform();
  if (!terraform) throw new Error(TERRAFORM_INSTALL_HINT);
  const root = mkdtempSync(join(tmpdir(), 'tf-fixture-'));
  const stateDir = join(root, 'state');
  mkdirSync(stateDir, { recursive: true });
  const cliConfig = join(root, 'terraformrc');
  writeFileSync(cliConfig, '');
  const pluginCache = join(root, 'plugin-cache');
  mkdirSync(pluginCache);
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(terraform, '..')}${delimiter}${process.env['PATH'] ?? ''}`,
    HOME: root,
    TERRAFORM_BINARY: terraform,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_PLUGIN_CACHE_DIR: pluginCache,
    CHECKPOINT_DISABLE: '1',
  };
  const generation = new Map<string, number>();
  const failing = new Set<string>();
  const holders = new Set<ChildProcess>();
  const statePath = (stack: string) => join(stateDir, `${stack}.tfstate`);
  const specOf = (name: string) => Object.values(apps).flatMap((a) => a.stacks).find((s) => s.name === name);

  const stackJson = (spec: FixtureStackSpec) => {
    const gen = generation.get(spec.name) ?? 1;
    const resources: Record<string, object> = {};
    for (let i = 0; i < (spec.resources ?? 2); i++) resources[`r${i}`] = { input: `${spec.name}-${i}-gen${gen}` };
    const marker = join(root, `fail-${spec.name}`);
    resources['gate'] = {
      input: `${spec.name}-gate`,
      provisioner: [{ 'local-exec': { command: `sleep ${spec.sleepSeconds ?? 0} && test ! -e '${marker}'` } }],
    };
    const outputs: Record<string, object> = {
      id: { value: '${terraform_data.r0.output}' },
      token: { value: `secret-of-${spec.name}`, sensitive: true },
    };
    const remote: Record<string, object> = {};
    for (const upstream of spec.readsFrom ?? []) {
      remote[upstream] = { backend: 'local', config: { path: statePath(upstream) } };
      outputs[`${upstream.replace(/-/g, '_')}_id`] = { value: `\${data.terraform_remote_state.${upstream}.outputs.id}` };
    }
    const variable: Record<string, object> = {};
    if (spec.requiresImageTag) {
      variable['image_tag'] = { type: 'string' };
      outputs['image'] = { value: 'registry.example/api:${var.image_tag}' };
    }
    return {
      '//': { fixture: { accounts: spec.accounts ?? [] } },
      terraform: { backend: { local: { path: statePath(spec.name) } } },
      ...(Object.keys(variable).length > 0 ? { variable } : {}),
      ...(Object.keys(remote).length > 0 ? { data: { terraform_remote_state: remote } } : {}),
      resource: { terraform_data: resources },
      output: outputs,
    };
  };

  const synth = async (app: string, outdir: string): Promise<void> => {
    const spec = apps[app];
    if (!spec) throw new Error(`fixture has no app ${app}`);
    const manifest: { version: string; stacks: Record<string, object> } = { version: 'fixture', stacks: {} };
    for (const stack of spec.stacks) {
      const dir = join(outdir, 'stacks', stack.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cdk.tf.json'), `${JSON.stringify(stackJson(stack), null, 2)}\n`);
      manifest.stacks[stack.name] = {
        name: stack.name,
        workingDirectory: `stacks/${stack.name}`,
        synthesizedStackPath: `stacks/${stack.name}/cdk.tf.json`,
        dependencies: [...(stack.readsFrom ?? [])],
      };
    }
    writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  };

  return {
    root,
    env,
    terraform,
    appDependencies: Object.fromEntries(Object.entries(apps).map(([name, a]) => [name, [...(a.dependsOn ?? [])]])),
    synth,
    accountsOf: (json) => [...(((json as { '//'?: { fixture?: { accounts?: string[] } } })['//']?.fixture?.accounts) ?? [])],
    change: (stack) => {
      if (!specOf(stack)) throw new Error(`fixture has no stack ${stack}`);
      generation.set(stack, (generation.get(stack) ?? 1) + 1);
    },
    failOnCreate: (stack, fail) => {
      const marker = join(root, `fail-${stack}`);
      if (fail) {
        failing.add(stack);
        writeFileSync(marker, '');
      } else {
        failing.delete(stack);
        rmSync(marker, { force: true });
      }
    },
    statePath,
    readState: (stack) => (existsSync(statePath(stack)) ? JSON.parse(readFileSync(statePath(stack), 'utf8')) : undefined),
    editState: (stack, edit) => {
      const state = JSON.parse(readFileSync(statePath(stack), 'utf8')) as Record<string, unknown>;
      edit(state);
      state['serial'] = Number(state['serial'] ?? 0) + 1;
      writeFileSync(statePath(stack), `${JSON.stringify(state, null, 2)}\n`);
    },
    holdLock: async (stack) => {
      const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;
      if (!python) throw new Error('holding a state lock needs python3 (fcntl), as terraform takes the same lock');
      const path = statePath(stack);
      if (!existsSync(path)) writeFileSync(path, '');
      const child = spawn(python, ['-c', 'import fcntl,sys,time\nf=open(sys.argv[1],"r+")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\nsys.stdin.read()', path], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      holders.add(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout?.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      const release = () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill();
          holders.delete(child);
        });
      return { release };
    },
    cleanup: async () => {
      for (const child of holders) if (child.exitCode === null && child.pid) process.kill(child.pid);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
