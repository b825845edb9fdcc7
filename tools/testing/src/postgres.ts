import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
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
  createDatabase(name: string, options?: CreateDatabaseOptions): Promise<string>;
  /**
   * The name to give a role the test creates (roles belong to the whole cluster): `name` itself
   * on a server of our own, a name of this caller's on a shared one, which `stop()` drops.
   */
  role(name: string): string;
  stop(): Promise<void>;
}

export interface CreateDatabaseOptions {
  /** A database of this server nobody is connected to, copied file by file. @default - an empty database */
  readonly template?: string;
  /**
   * An ICU locale (e.g. `en-US`) as the database's default collation, as RDS databases have a
   * language's collation by default where the harness's clusters have C. Not with `template`.
   * @default - the cluster's (C)
   */
  readonly icuLocale?: string;
}

/**
 * Names a PostgreSQL server that is already running (`postgres://postgres@127.0.0.1:<port>`,
 * superuser, trust), for runs that would otherwise start servers per spec file: mutation testing
 * runs a spec file once per mutant. `tools/testing/src/serve.ts postgres` starts one.
 */
export const SHARED_POSTGRES = 'ESTATE_POSTGRES';

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

/**
 * Starts a fresh cluster. Always call `stop()` (e.g. in `afterAll`).
 *
 * With ESTATE_POSTGRES set, uses that server instead when it has what `options` ask for (the
 * settings asked for, `wal_level = logical` if asked, no password roles); otherwise starts one as
 * usual. On the shared server each call works in a namespace of its own: its databases (the
 * `postgres` database included) and the roles named with `role()` carry a prefix nobody else
 * uses, and `stop()` drops them.
 */
export async function startPostgres(options: StartPostgresOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<PostgresServer> {
  const bin = options.bin ?? findPostgresBinaries(env);
  const shared = env[SHARED_POSTGRES];
  if (shared) {
    const server = await sharedServer(shared, bin, options);
    if (server) return server;
  }
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

  return serverOf({
    port,
    version,
    bin,
    url,
    createDatabase: (name, createOptions = {}) => createDatabaseOn(url(), (database) => database, url, name, createOptions),
    role: (name) => name,
    async stop() {
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  });
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/** The server as callers see it: `stop()` does its work once, however often it is called. */
function serverOf(server: PostgresServer): PostgresServer {
  let stopped = false;
  return {
    ...server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

/** CREATE DATABASE through `admin` (a URL), as `actual(name)`; returns the new database's URL. */
async function createDatabaseOn(
  admin: string,
  actual: (database: string) => string,
  url: (database: string) => string,
  name: string,
  options: CreateDatabaseOptions,
): Promise<string> {
  for (const [what, value] of [['database name', name], ['template', options.template]] as const) {
    if (value !== undefined && !NAME.test(value)) throw new Error(`${what} '${value}' must be lowercase letters, digits and _`);
  }
  if (options.icuLocale !== undefined && !/^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$/.test(options.icuLocale)) {
    throw new Error(`ICU locale '${options.icuLocale}' must be a language tag such as en-US`);
  }
  if (options.icuLocale !== undefined && options.template !== undefined) throw new Error(`database '${name}': a template and an ICU locale cannot be combined`);
  // FILE_COPY copies the template's files as they are; the default (WAL_LOG, PostgreSQL 15) writes
  // them through the WAL, about twice as slow for the small databases tests copy. A locale of its
  // own needs template0, the one template with no collation-dependent data.
  const from = options.template
    ? ` TEMPLATE ${actual(options.template)} STRATEGY FILE_COPY`
    : options.icuLocale
      ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${options.icuLocale}'`
      : '';
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${actual(name)}${from}`);
  } finally {
    await client.end();
  }
  return url(name);
}

/**
 * A namespace on the server ESTATE_POSTGRES names, or undefined when that server lacks a setting
 * `options` ask for (the caller then starts its own).
 */
async function sharedServer(shared: string, bin: string, options: StartPostgresOptions): Promise<PostgresServer | undefined> {
  const match = /^postgres:\/\/postgres@127\.0\.0\.1:(\d+)$/.exec(shared);
  if (!match) throw new Error(`${SHARED_POSTGRES} '${shared}' is not a shared PostgreSQL server; expected postgres://postgres@127.0.0.1:<port>`);
  if (options.passwordRoles?.length) return undefined;
  const port = Number(match[1]);
  const admin = new Client({ connectionString: `${shared}/postgres` });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`${SHARED_POSTGRES} '${shared}' does not accept connections: ${(error as Error).message}`);
  }
  const prefix = `ns${randomBytes(5).toString('hex')}_`;
  let version: string;
  try {
    const wanted: Record<string, string> = Object.fromEntries(Object.entries(options.settings ?? {}).map(([name, value]) => [name, String(value)]));
    if (options.logical) wanted['wal_level'] = 'logical';
    for (const [name, value] of Object.entries(wanted)) {
      const { rows } = await admin.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name]);
      if (rows[0]?.setting !== value) return undefined;
    }
    version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    await admin.query(`CREATE DATABASE ${prefix}postgres`);
  } finally {
    await admin.end();
  }
  const actual = (database: string) => `${prefix}${database}`;
  const url = (database = 'postgres') => `${shared}/${actual(database)}`;
  return serverOf({
    port,
    version,
    bin,
    url,
    createDatabase: (name, createOptions = {}) => createDatabaseOn(`${shared}/postgres`, actual, url, name, createOptions),
    role: (name) => {
      if (!NAME.test(name)) throw new Error(`role '${name}' must be lowercase letters, digits and _`);
      return actual(name);
    },
    async stop() {
      const client = new Client({ connectionString: `${shared}/postgres` });
      await client.connect();
      try {
        // LIKE treats _ as a wildcard: compare the prefix itself.
        const databases = await client.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE left(datname, $2) = $1', [prefix, prefix.length]);
        for (const { name } of databases.rows) await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
        const roles = await client.query<{ name: string }>('SELECT rolname AS name FROM pg_roles WHERE left(rolname, $2) = $1', [prefix, prefix.length]);
        for (const { name } of roles.rows) await client.query(`DROP ROLE ${name}`);
      } finally {
        await client.end();
      }
    },
  });
}
