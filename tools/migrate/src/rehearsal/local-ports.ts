import { execFile } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { EnvironmentContext, Organisation } from '@estate/config';
import { dropSlot, slotState, type Query } from '../postgres-sql';
import { outputKeys, replicationRoleName, type AlarmState, type DatabaseSide, type MigratedDatabase, type MigrationPorts, type SnapshotState } from '../steps';
import type { WeightedRouter } from './router';

const run = promisify(execFile);

/** Superuser URLs of one migrated database on the two loopback servers. */
export interface LocalDatabase {
  readonly legacyUrl: string;
  readonly migratedUrl: string;
}

export interface LocalPortsOptions {
  readonly organisation: Organisation;
  readonly environment: EnvironmentContext;
  /** By database name (`ledger`). */
  readonly databases: Readonly<Record<string, LocalDatabase>>;
  /** Directory holding pg_dump and pg_restore. */
  readonly bin: string;
  /** Where the snapshots (encrypted dumps) are kept. */
  readonly workDir: string;
  readonly router: WeightedRouter;
  /** Resolves once no write is in flight against `side` (the old tasks have drained). */
  readonly drained: (side: DatabaseSide) => Promise<void>;
  /** The environment's alarms (the application's unexpected errors). @default none */
  readonly alarms?: () => readonly AlarmState[];
}

async function session(url: string): Promise<{ query: Query; close: () => Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return { query: async (sql, values) => (await client.query(sql, values as unknown[])).rows as Record<string, unknown>[], close: () => client.end() };
}

/** libpq keyword/value string of a loopback URL as the replication login (what a subscription's CONNECTION takes). */
function conninfoOf(url: string, login: { username: string; password: string }): string {
  const u = new URL(url);
  return `host=${u.hostname} port=${u.port} dbname=${u.pathname.slice(1)} user=${login.username} password=${login.password}`;
}

/**
 * The migration ports on one machine: the same steps, engine and ledger as production,
 * with AWS replaced where it must be — RDS snapshots by encrypted dumps taken at the
 * replication slot's exported snapshot, the data stack's restore by pg_restore, Route 53 and
 * ECS by the weighted router the load generator follows, CloudWatch by local alarm state.
 * Everything on the databases is the production SQL (postgres-sql.ts) on real PostgreSQL.
 */
export function localPorts(options: LocalPortsOptions): MigrationPorts {
  const { organisation, environment } = options;
  const key = randomBytes(32);
  const snapshots = new Map<string, { createdAt: Date; dump: string }>();
  // The environment's replication-user secret: one generated password per database, kept for reruns.
  const replicationLogins = new Map<string, { username: string; password: string }>();
  const replicationUser = async (db: MigratedDatabase) => {
    let login = replicationLogins.get(db.database.name);
    if (!login) {
      login = { username: replicationRoleName(environment, db), password: randomBytes(24).toString('base64url') };
      replicationLogins.set(db.database.name, login);
    }
    return login;
  };
  const urls = (db: MigratedDatabase): LocalDatabase => {
    const found = options.databases[db.database.name];
    if (!found) throw new Error(`the rehearsal has no servers for database ${db.database.name}`);
    return found;
  };
  const dumpFile = (slot: string) => join(options.workDir, `${slot}.dump.enc`);

  const outputs: Record<string, string> = { [outputKeys.hostedZoneId(environment)]: 'ZLOCALREHEARSAL' };
  for (const service of organisation.services) {
    outputs[outputKeys.recordName(environment, service)] = `${service.hostname}.${environment.domainName}`;
    for (const side of ['legacy', 'migrated'] as const) outputs[outputKeys.healthCheckId(environment, service, side)] = `local-${service.name}-${side}`;
  }

  const encrypt = (plain: Buffer): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  };
  const decrypt = (sealed: Buffer): Buffer => {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  };

  return {
    preflight: async () => {
      const problems: string[] = [];
      for (const [name, db] of Object.entries(options.databases)) {
        for (const [side, url] of Object.entries({ legacy: db.legacyUrl, migrated: db.migratedUrl })) {
          try {
            const s = await session(url);
            try {
              const [row] = await s.query('SHOW wal_level');
              if (row['wal_level'] !== 'logical') problems.push(`${name} (${side}): wal_level is ${row['wal_level']}; logical replication needs 'logical'`);
            } finally {
              await s.close();
            }
          } catch (error) {
            problems.push(`${name} (${side}): cannot connect (${(error as Error).message})`);
          }
        }
      }
      return problems;
    },
    deploy: async (_variables, log) => {
      // The data stack restores each database from its snapshot; the app stack starts the new
      // services on the legacy database (the router's new side points at legacy).
      for (const [snapshotKey, snapshot] of snapshots) {
        const [name, identifier] = snapshotKey.split(':');
        const db = options.databases[name];
        const plain = join(options.workDir, 'restore.dump');
        writeFileSync(plain, decrypt(readFileSync(snapshot.dump)));
        try {
          await run(join(options.bin, 'pg_restore'), ['--exit-on-error', '--single-transaction', '-d', db.migratedUrl, plain], { maxBuffer: 64 * 1024 * 1024 });
        } finally {
          rmSync(plain, { force: true });
        }
        log(`  restored snapshot ${identifier} into the new ${name}`);
      }
      options.router.pointMigratedAt('legacy');
      return outputs;
    },
    outputs: () => outputs,
    sql: async (side, db) => session(side === 'legacy' ? urls(db).legacyUrl : urls(db).migratedUrl),
    replicationConnection: async (publisher, db) => conninfoOf(publisher === 'legacy' ? urls(db).legacyUrl : urls(db).migratedUrl, await replicationUser(db)),
    replicationUser,
    readSeed: async () => {
      throw new Error("the rehearsal moves production data (migration.data 'production-copy'): it loads no seed");
    },
    // The dump is taken at the slot's exported snapshot: it ends exactly where the slot begins.
    restoredPosition: async () => undefined,
    legacy: {
      createSlot: async (db, slot, plugin) => {
        const { legacyUrl } = urls(db);
        const file = dumpFile(slot);
        const admin = await session(legacyUrl);
        try {
          const existing = await slotState(admin.query, slot);
          if (existing && existsSync(file)) return { lsn: existing.confirmedFlushLsn ?? existing.restartLsn ?? '0/0', created: false };
          // A slot without its dump (a crash in between) is recreated: nothing has read it yet.
          if (existing) await dropSlot(admin.query, slot);
        } finally {
          await admin.close();
        }
        // A slot created over the replication protocol exports the snapshot of its consistent
        // point; pg_dump reads exactly that snapshot while this connection stays open.
        const replication = new Client({ connectionString: legacyUrl, replication: 'database' } as ConstructorParameters<typeof Client>[0]);
        await replication.connect();
        try {
          const result = await replication.query(`CREATE_REPLICATION_SLOT ${slot} LOGICAL ${plugin} EXPORT_SNAPSHOT`);
          const row = result.rows[0] as { consistent_point: string; snapshot_name: string };
          const plain = join(options.workDir, `${slot}.dump`);
          await run(join(options.bin, 'pg_dump'), ['--snapshot', row.snapshot_name, '-Fc', '-f', plain, '-d', legacyUrl], { maxBuffer: 64 * 1024 * 1024 });
          writeFileSync(`${file}.part`, encrypt(readFileSync(plain)));
          rmSync(plain, { force: true });
          renameSync(`${file}.part`, file);
          return { lsn: row.consistent_point, created: true };
        } finally {
          await replication.end();
        }
      },
      describeSnapshot: async (identifier): Promise<SnapshotState | undefined> => {
        const found = [...snapshots.entries()].find(([k]) => k.endsWith(`:${identifier}`));
        return found ? { status: 'available', percentProgress: 100, createdAt: found[1].createdAt, encrypted: true } : undefined;
      },
      createSnapshot: async (legacy, identifier) => {
        const database = organisation.databases.find((d) => d.migrateFrom === legacy.name);
        if (!database) throw new Error(`no database migrates from ${legacy.name}`);
        if (!options.databases[database.name]) throw new Error(`the rehearsal has no servers for database ${database.name}`);
        const dumps = [`${environment.naming.qualifier}_${database.name}_cdc`, `${environment.naming.qualifier}_${database.name}_dms`].map(dumpFile).filter(existsSync);
        if (dumps.length === 0) throw new Error(`no dump of ${legacy.name} exists: the replication slot step takes it`);
        snapshots.set(`${database.name}:${identifier}`, { createdAt: new Date(), dump: dumps[0] });
      },
    },
    fillReplicationSecrets: async () => {
      throw new Error('DMS does not run on this machine: rehearse a database with cdcEngine "logical"');
    },
    dms: {
      start: async () => {
        throw new Error('DMS does not run on this machine: rehearse a database with cdcEngine "logical"');
      },
      stop: async () => {
        throw new Error('DMS does not run on this machine: rehearse a database with cdcEngine "logical"');
      },
      describe: async () => {
        throw new Error('DMS does not run on this machine: rehearse a database with cdcEngine "logical"');
      },
    },
    alarms: async () => options.alarms?.() ?? [],
    setWeights: async (_record, weights) => options.router.setWeights(weights),
    removeLegacyRecord: async () => options.router.removeLegacyRecord(),
    verify: async (db, tables, log) => {
      // Loopback: no TLS here (production verifies the RDS certificate); strict, as in the freeze.
      const { DMS_ARTEFACT_TABLES, formatReport, verifyDatabases } = await import('@estate/verify-data');
      const plain = (url: string) => ({ url: `${url}${url.includes('?') ? '&' : '?'}sslmode=disable` });
      const report = await verifyDatabases(plain(urls(db).legacyUrl), plain(urls(db).migratedUrl), {
        tables: { include: tables, exclude: DMS_ARTEFACT_TABLES },
        strict: true,
        recheck: { attempts: 5, delayMs: 200 },
      });
      const differing = report.tables.filter((t) => !t.identical).map((t) => t.table);
      log(`  verified ${report.tables.length} table(s), ${report.rowsCompared} rows in ${report.seconds.toFixed(2)} s`);
      return {
        ok: report.identical && differing.length === 0,
        rows: report.rowsCompared,
        summary: differing.length === 0 ? `${report.tables.length} tables identical, ${report.rowsCompared} rows` : `differences in ${differing.join(', ')}: ${formatReport(report).split('\n').slice(0, 6).join(' / ')}`,
      };
    },
    services: {
      pointAt: async (_db, side, log) => {
        options.router.pointMigratedAt(side);
        // Steady state: the tasks that used the other database have finished their requests.
        await options.drained(side === 'legacy' ? 'migrated' : 'legacy');
        log(`  services now on the ${side} database`);
      },
    },
  };
}
