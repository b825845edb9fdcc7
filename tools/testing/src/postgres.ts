import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './free-port';

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: the real engine (Debian's
 * server binaries), in a temporary directory, on a free 127.0.0.1 port, no fsync,
 * trust authentication. `stop()` shuts it down and removes the directory.
 *
 * PostgreSQL refuses to run as root; when we are root the cluster runs as the
 * `postgres` system user (which the Debian package creates) in a directory it owns.
 */
export interface PostgresServer {
  readonly port: number;
  readonly version: string;
  /** Directory of the server's binaries (pg_dump and pg_restore live beside initdb). */
  readonly bin: string;
  /** Connection URL of `database` as the superuser `postgres`. */
  url(database?: string): string;
  /**
   * Creates a database and returns its URL: empty, or a copy of `template` (a database of this
   * server nobody is connected to), which is a file copy instead of re-running its schema and data.
   */
  createDatabase(name: string, options?: { readonly template?: string }): Promise<string>;
  stop(): Promise<void>;
}

export const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them with `apt-get install -y postgresql` ' +
  '(Debian/Ubuntu; the binaries land in /usr/lib/postgresql/<major>/bin), or set POSTGRES_BIN to the directory holding initdb and pg_ctl.';

/** Directory with `initdb` and `pg_ctl`: POSTGRES_BIN, the newest /usr/lib/postgresql/<major>/bin, or PATH. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env, debian = '/usr/lib/postgresql'): string {
  const candidates: string[] = [];
  if (env['POSTGRES_BIN']) candidates.push(env['POSTGRES_BIN']);
  if (existsSync(debian)) {
    const majors = readdirSync(debian).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((m) => join(debian, m, 'bin')));
  }
  candidates.push(...(env['PATH'] ?? '').split(':').filter(Boolean));
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}


function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error(`we run as root and PostgreSQL refuses root, but there is no 'postgres' user to run it as; ${INSTALL_HINT}`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

type Exec = (program: string, args: string[]) => Promise<unknown>;

/**
 * Creates the cluster's data directory. `initdb` runs once per set of server binaries, into a
 * template under the temp directory; every cluster after that is a copy of it (`cp -a`, about a
 * tenth of initdb's time), owned by the user the server runs as. Every cluster is initialised the
 * same way (superuser `postgres`, trust, UTF8, C locale); the options that differ are applied
 * after the copy.
 */
async function initCluster(bin: string, data: string, exec: Exec, ids: { uid: number; gid: number } | undefined): Promise<void> {
  const initdbArgs = ['-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
  const key = createHash('sha256')
    .update(JSON.stringify([bin, statSync(join(bin, 'initdb')).mtimeMs, initdbArgs, ids?.uid ?? process.getuid?.()]))
    .digest('hex')
    .slice(0, 16);
  const template = join(tmpdir(), `estate-pg-template-${key}`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    const building = mkdtempSync(join(tmpdir(), 'estate-pg-template-new-'));
    try {
      if (ids) chownSync(building, ids.uid, ids.gid);
      await exec('initdb', ['-D', join(building, 'data'), ...initdbArgs]);
      try {
        renameSync(join(building, 'data'), template);
      } catch (error) {
        // Another test process finished its template first: use that one.
        if (!existsSync(join(template, 'PG_VERSION'))) throw error;
      }
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  }
  const copy = ['cp', '-a', template, data];
  await (ids ? run('runuser', ['-u', 'postgres', '--', ...copy]) : run(copy[0], copy.slice(1)));
}

export interface StartPostgresOptions {
  readonly bin?: string;
  /**
   * `wal_level = logical` with room for replication slots and WAL senders: the server can be
   * a logical replication publisher (a legacy database) and subscriber. @default false
   */
  readonly logical?: boolean;
  /** More server settings (`-c name=value`). @default - none */
  readonly settings?: Readonly<Record<string, string | number>>;
  /**
   * Roles that must log in over TCP with a SCRAM-SHA-256 password (pg_hba.conf); every other
   * role keeps trust authentication. @default - none
   */
  readonly passwordRoles?: readonly string[];
}

/** Starts a fresh cluster. Always call `stop()` (e.g. in `afterAll`). */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = options.bin ?? findPostgresBinaries();
  const root = mkdtempSync(join(tmpdir(), 'estate-pg-'));
  const data = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? postgresIds() : undefined;
  if (ids) chownSync(root, ids.uid, ids.gid);
  // As root, run the server binaries as `postgres`; otherwise as ourselves.
  const exec = (program: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args]) : run(join(bin, program), args);

  const port = await freePort();
  try {
    await initCluster(bin, data, exec, ids);
    if (options.passwordRoles?.length) {
      for (const role of options.passwordRoles) if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error(`password role '${role}' must be lowercase letters, digits and _`);
      const hba = join(data, 'pg_hba.conf');
      const lines = options.passwordRoles.map((role) => `host all ${role} 127.0.0.1/32 scram-sha-256`);
      // First match wins: the password lines go before initdb's trust lines.
      writeFileSync(hba, `${lines.join('\n')}\n${readFileSync(hba, 'utf8')}`);
    }
    const serverOptions = [
      `-p ${port}`,
      `-k ${root}`,
      `-c listen_addresses=127.0.0.1`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      `-c max_connections=${options.logical ? 60 : 20}`,
      ...(options.logical
        ? // The launcher starts apply and table-sync workers at most every wal_retrieve_retry_interval
          // (5 s by default): a subscription would sit idle for seconds after every CREATE or ENABLE.
          ['-c wal_level=logical', '-c max_replication_slots=10', '-c max_wal_senders=10', '-c max_logical_replication_workers=6', '-c wal_retrieve_retry_interval=200ms']
        : []),
      ...Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`),
    ].join(' ');
    await exec('pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
  } catch (error) {
    const log = existsSync(join(root, 'server.log')) ? readFileSync(join(root, 'server.log'), 'utf8').slice(-2000) : '';
    rmSync(root, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL from ${bin}: ${(error as Error).message}\n${log}`);
  }

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = new Client({ connectionString: url() });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  await admin.end();

  let stopped = false;
  return {
    port,
    version,
    bin,
    url,
    async createDatabase(name: string, options: { readonly template?: string } = {}) {
      for (const [what, value] of [['database name', name], ['template', options.template]] as const) {
        if (value !== undefined && !/^[a-z_][a-z0-9_]*$/.test(value)) throw new Error(`${what} '${value}' must be lowercase letters, digits and _`);
      }
      const client = new Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
