/**
 * The SQL the cutover protocol runs on the two PostgreSQL databases, over whatever path
 * reaches them (an operator URL, a task in the VPC, loopback in the rehearsal). One
 * implementation for production and rehearsal: the rehearsal proves this file.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** Runs one statement; rows as plain objects. */
export type Query = (sql: string, values?: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** A PostgreSQL LSN (`16/B374D848`) as a number, for comparisons. */
export function lsnValue(lsn: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!match) throw new Error(`'${lsn}' is not a PostgreSQL LSN (expected XXXXXXXX/XXXXXXXX)`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** Bytes between two LSNs (`to - from`), 0 when `to` is not ahead. */
export function lsnDistance(from: string, to: string): bigint {
  const d = lsnValue(to) - lsnValue(from);
  return d > 0n ? d : 0n;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** `schema.table` patterns (`%` wildcard) resolved to the tables that exist, without DMS's own tables. */
export async function resolveTables(query: Query, patterns: readonly string[]): Promise<string[]> {
  const rows = await query(
    `SELECT n.nspname || '.' || c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND c.relname NOT LIKE 'awsdms\\_%'
        AND EXISTS (SELECT 1 FROM unnest($1::text[]) p WHERE n.nspname || '.' || c.relname LIKE p)
      ORDER BY 1`,
    [patterns],
  );
  return rows.map((r) => String(r['name']));
}

const qualified = (table: string): string => {
  const [schema, name] = table.split('.');
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
};

export interface SlotState {
  readonly slot: string;
  readonly plugin: string;
  readonly active: boolean;
  /** Position the consumer has confirmed (applied) up to. */
  readonly confirmedFlushLsn?: string;
  readonly restartLsn?: string;
}

export async function slotState(query: Query, slot: string): Promise<SlotState | undefined> {
  const [row] = await query(
    'SELECT slot_name, plugin, active, confirmed_flush_lsn::text AS confirmed, restart_lsn::text AS restart FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  if (!row) return undefined;
  return {
    slot: String(row['slot_name']),
    plugin: String(row['plugin']),
    active: row['active'] === true,
    confirmedFlushLsn: row['confirmed'] === null ? undefined : String(row['confirmed']),
    restartLsn: row['restart'] === null ? undefined : String(row['restart']),
  };
}

/**
 * Creates the logical replication slot (or finds it): its position is where CDC starts.
 * An existing slot with another output plugin is refused (DMS reads test_decoding, a
 * subscription pgoutput).
 */
export async function createSlot(query: Query, slot: string, plugin: 'pgoutput' | 'test_decoding'): Promise<{ lsn: string; created: boolean }> {
  const existing = await slotState(query, slot);
  if (existing) {
    if (existing.plugin !== plugin) throw new Error(`replication slot ${slot} exists with plugin ${existing.plugin}, not ${plugin}; drop it (SELECT pg_drop_replication_slot('${slot}')) and start again`);
    return { lsn: existing.confirmedFlushLsn ?? existing.restartLsn ?? '0/0', created: false };
  }
  const [row] = await query('SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, $2)', [slot, plugin]);
  return { lsn: String(row['lsn']), created: true };
}

/** Drops the slot once nothing holds it; false when it was already gone. Refuses an active slot. */
export async function dropSlot(query: Query, slot: string): Promise<boolean> {
  const state = await slotState(query, slot);
  if (!state) return false;
  if (state.active) throw new Error(`replication slot ${slot} is still in use (active); stop its consumer first`);
  await query('SELECT pg_drop_replication_slot($1)', [slot]);
  return true;
}

/** The server's current WAL write position. */
export async function currentLsn(query: Query): Promise<string> {
  const [row] = await query('SELECT pg_current_wal_lsn()::text AS lsn');
  return String(row['lsn']);
}

/** A publication of exactly these tables (created, or its table list brought to this one). */
export async function ensurePublication(query: Query, publication: string, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) throw new Error(`publication ${publication}: no tables to publish (check the table patterns)`);
  const list = tables.map(qualified).join(', ');
  const [exists] = await query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
  await query(exists ? `ALTER PUBLICATION ${quoteIdent(publication)} SET TABLE ${list}` : `CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list}`);
}

export async function dropPublication(query: Query, publication: string): Promise<void> {
  await query(`DROP PUBLICATION IF EXISTS ${quoteIdent(publication)}`);
}

export interface SubscriptionOptions {
  readonly name: string;
  /** libpq connection string of the publisher, as the subscriber's server reaches it. */
  readonly connection: string;
  readonly publication: string;
  /** Use this existing slot on the publisher (the recorded CDC position); otherwise create one now. */
  readonly existingSlot?: string;
  /**
   * The publisher position the subscriber's data already contains (the snapshot's point):
   * changes before it are skipped. @default - the slot's own position
   */
  readonly startAfter?: string;
}

/**
 * A subscription without initial copy (the data came with the snapshot), from the recorded
 * slot when given. Idempotent: an existing subscription of that name is kept.
 */
export async function ensureSubscription(query: Query, options: SubscriptionOptions): Promise<{ created: boolean }> {
  const [exists] = await query('SELECT subenabled FROM pg_subscription WHERE subname = $1', [options.name]);
  if (exists) {
    if (exists['subenabled'] !== true) await query(`ALTER SUBSCRIPTION ${quoteIdent(options.name)} ENABLE`);
    return { created: false };
  }
  const slot = options.existingSlot ? `create_slot = false, slot_name = ${quoteLiteral(options.existingSlot)}` : 'create_slot = true';
  await query(
    `CREATE SUBSCRIPTION ${quoteIdent(options.name)} CONNECTION ${quoteLiteral(options.connection)} PUBLICATION ${quoteIdent(options.publication)} ` +
      `WITH (${slot}, copy_data = false, enabled = false)`,
  );
  if (options.startAfter) {
    // The origin tracks what the subscriber has applied; start it where the snapshot ends.
    const [origin] = await query("SELECT 'pg_' || oid AS origin FROM pg_subscription WHERE subname = $1", [options.name]);
    await query('SELECT pg_replication_origin_advance($1, $2::pg_lsn)', [origin['origin'], options.startAfter]);
  }
  await query(`ALTER SUBSCRIPTION ${quoteIdent(options.name)} ENABLE`);
  return { created: true };
}

export interface SubscriptionState {
  readonly enabled: boolean;
  /** Apply worker running (it has a pid). */
  readonly workerRunning: boolean;
}

export async function subscriptionState(query: Query, name: string): Promise<SubscriptionState | undefined> {
  const [row] = await query(
    'SELECT s.subenabled, EXISTS (SELECT 1 FROM pg_stat_subscription st WHERE st.subid = s.oid AND st.pid IS NOT NULL) AS running FROM pg_subscription s WHERE s.subname = $1',
    [name],
  );
  return row ? { enabled: row['subenabled'] === true, workerRunning: row['running'] === true } : undefined;
}

/**
 * Stops and removes a subscription. With `keepSlot` the publisher's slot stays (it is the
 * recorded CDC position, dropped by finalize); otherwise it is dropped with the subscription.
 */
export async function dropSubscription(query: Query, name: string, options: { keepSlot: boolean }): Promise<boolean> {
  const [exists] = await query('SELECT 1 FROM pg_subscription WHERE subname = $1', [name]);
  if (!exists) return false;
  await query(`ALTER SUBSCRIPTION ${quoteIdent(name)} DISABLE`);
  if (options.keepSlot) await query(`ALTER SUBSCRIPTION ${quoteIdent(name)} SET (slot_name = NONE)`);
  await query(`DROP SUBSCRIPTION ${quoteIdent(name)}`);
  return true;
}

/**
 * Write freeze for one application role: new sessions default to read-only transactions,
 * and its open sessions are ended (an open transaction is rolled back, never half-applied).
 * Returns how many sessions were ended.
 */
export async function freezeRole(query: Query, role: string): Promise<number> {
  await query(`ALTER ROLE ${quoteIdent(role)} SET default_transaction_read_only = on`);
  const rows = await query('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [role]);
  return rows.filter((r) => r['ended'] === true).length;
}

/** Lifts the freeze: the role's new sessions may write again. */
export async function unfreezeRole(query: Query, role: string): Promise<void> {
  await query(`ALTER ROLE ${quoteIdent(role)} RESET default_transaction_read_only`);
}

/** Whether the role is frozen (its sessions default to read-only). */
export async function roleFrozen(query: Query, role: string): Promise<boolean> {
  const rows = await query(
    `SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
      WHERE r.rolname = $1 AND s.setdatabase = 0 AND 'default_transaction_read_only=on' = ANY(s.setconfig)`,
    [role],
  );
  return rows.length > 0;
}

/** Sessions of the role that can still write (opened before the freeze). */
export async function writableSessions(query: Query, role: string): Promise<number> {
  const [row] = await query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'", [role]);
  return Number(row['n']);
}

export interface SequenceValue {
  readonly sequence: string;
  /** Last value handed out; undefined when the sequence was never used. */
  readonly lastValue?: bigint;
}

/** Sequences of the given schemas with their last value. */
export async function sequenceValues(query: Query, schemas: readonly string[]): Promise<SequenceValue[]> {
  const rows = await query('SELECT schemaname, sequencename, last_value::text AS last FROM pg_sequences WHERE schemaname = ANY($1::text[]) ORDER BY 1, 2', [schemas]);
  return rows.map((r) => ({ sequence: `${String(r['schemaname'])}.${String(r['sequencename'])}`, lastValue: r['last'] === null ? undefined : BigInt(String(r['last'])) }));
}

/**
 * Moves every sequence of `to` past the value it has on `from` (plus `headroom`), never
 * backwards: logical replication and DMS do not carry sequences, so without this the first
 * insert on the new side would reuse an id. Returns what was set.
 */
export async function advanceSequences(from: Query, to: Query, schemas: readonly string[], headroom = 0n): Promise<{ sequence: string; value: bigint }[]> {
  const source = await sequenceValues(from, schemas);
  const target = new Map((await sequenceValues(to, schemas)).map((s) => [s.sequence, s.lastValue]));
  const set: { sequence: string; value: bigint }[] = [];
  for (const { sequence, lastValue } of source) {
    if (lastValue === undefined) continue;
    if (!target.has(sequence)) throw new Error(`sequence ${sequence} exists on the source but not on the target`);
    const wanted = lastValue + headroom;
    const current = target.get(sequence);
    if (current !== undefined && current >= wanted) continue;
    await to('SELECT setval($1::regclass, $2::bigint, true)', [qualified(sequence), wanted.toString()]);
    set.push({ sequence, value: wanted });
  }
  return set;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, as libpq's
 * `PQencryptPasswordConn` builds it). `CREATE ROLE ... PASSWORD '<verifier>'` stores it as it
 * is, so the password itself never appears in a statement or in the server's log. Passwords are
 * printable ASCII (SASLprep leaves them unchanged); the runner generates them so.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  if (!/^[\x21-\x7e]{16,}$/.test(password)) throw new Error('a replication password must be at least 16 printable ASCII characters');
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface ReplicationRoleOptions {
  readonly role: string;
  readonly password: string;
  /** Schemas whose tables the role may read (what it publishes or DMS reads). */
  readonly schemas: readonly string[];
  /** AWS DMS endpoints need rds_superuser for a login other than the master user (on RDS only). */
  readonly dms: boolean;
}

/**
 * The dedicated replication login: created, or its password set, then the replication
 * privilege (`rds_replication` on RDS, where `ALTER ROLE ... REPLICATION` is refused; the
 * `REPLICATION` attribute elsewhere), `rds_superuser` for DMS on RDS, and read access to the
 * migrated schemas. Returns what it granted.
 */
export async function ensureReplicationRole(query: Query, options: ReplicationRoleOptions): Promise<{ created: boolean; grants: string[] }> {
  const role = quoteIdent(options.role);
  const exists = (await query('SELECT 1 FROM pg_roles WHERE rolname = $1', [options.role])).length > 0;
  // Role statements take no parameters; the verifier is base64 with '$' and ':' only.
  await query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN PASSWORD '${scramVerifier(options.password)}'`);
  const rds = new Set((await query("SELECT rolname FROM pg_roles WHERE rolname IN ('rds_replication', 'rds_superuser')")).map((r) => String(r['rolname'])));
  const grants: string[] = [];
  if (rds.has('rds_replication')) {
    await query(`GRANT rds_replication TO ${role}`);
    grants.push('rds_replication');
  } else {
    await query(`ALTER ROLE ${role} REPLICATION`);
    grants.push('REPLICATION');
  }
  if (options.dms && rds.has('rds_superuser')) {
    await query(`GRANT rds_superuser TO ${role}`);
    grants.push('rds_superuser');
  }
  for (const schema of [...new Set(options.schemas)].sort()) {
    await query(`GRANT USAGE ON SCHEMA ${quoteIdent(schema)} TO ${role}`);
    await query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${quoteIdent(schema)} TO ${role}`);
    grants.push(`SELECT on ${schema}`);
  }
  return { created: !exists, grants };
}

/** Drops the replication login (finalize, after its subscriptions and slots are gone). */
export async function dropReplicationRole(query: Query, role: string): Promise<boolean> {
  if ((await query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length === 0) return false;
  // DROP OWNED revokes its grants in this database; it owns nothing else.
  await query(`DROP OWNED BY ${quoteIdent(role)}`);
  await query(`DROP ROLE ${quoteIdent(role)}`);
  return true;
}
