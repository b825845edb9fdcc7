import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { DatabaseSide } from '../steps';
import type { WeightedRouter } from './router';

/** Initial balance of every account: the total is `accounts × INITIAL_BALANCE` forever. */
export const INITIAL_BALANCE = 1_000_000;

/**
 * The rehearsal's application: a small ledger. Accounts hold balances; a transfer moves an
 * amount between two accounts in one transaction, so the total never changes. Ids come from
 * sequences; `request_id` is the client's id of each write (not unique in the schema, so a
 * write applied twice shows up as a duplicate). A trigger writes an audit row per transfer:
 * if replication fired triggers on apply, the audit would hold duplicates.
 */
export const LEDGER_SCHEMA = `
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE transfers (
  id bigserial PRIMARY KEY,
  request_id uuid NOT NULL,
  from_account int NOT NULL REFERENCES accounts (id),
  to_account int NOT NULL REFERENCES accounts (id),
  amount bigint NOT NULL CHECK (amount >= 0),
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE transfer_audit (id bigserial PRIMARY KEY, transfer_id bigint NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION audit_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO transfer_audit (transfer_id) VALUES (NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER transfers_audit AFTER INSERT ON transfers FOR EACH ROW EXECUTE FUNCTION audit_transfer();
`;

/** SQL that seeds `accounts` accounts and `rows` historical transfers whose balances add up. */
export function seedSql(accounts: number, rows: number): string[] {
  return [
    `INSERT INTO accounts SELECT g, ${INITIAL_BALANCE} FROM generate_series(1, ${accounts}) g`,
    // History: small amounts between pseudo-random accounts (the audit trigger fires for each).
    `INSERT INTO transfers (request_id, from_account, to_account, amount, note)
       SELECT gen_random_uuid(), 1 + (g * 7919) % ${accounts}, 1 + (g * 104729 + 1) % ${accounts}, g % 50, 'seed ' || g
         FROM generate_series(1::bigint, ${rows}::bigint) g`,
    `UPDATE accounts a SET balance = ${INITIAL_BALANCE} - COALESCE(o.total, 0) + COALESCE(i.total, 0)
       FROM accounts x
       LEFT JOIN (SELECT from_account AS id, sum(amount) AS total FROM transfers GROUP BY 1) o ON o.id = x.id
       LEFT JOIN (SELECT to_account AS id, sum(amount) AS total FROM transfers GROUP BY 1) i ON i.id = x.id
      WHERE x.id = a.id`,
  ];
}

export interface Acknowledged {
  readonly requestId: string;
  readonly id: string;
  readonly side: DatabaseSide;
  readonly stack: 'legacy' | 'migrated';
}

export interface LoadOptions {
  /** Connection URL of each database for the application role. */
  readonly urls: Readonly<Record<DatabaseSide, string>>;
  readonly router: WeightedRouter;
  readonly accounts: number;
  /** Target writes per second across all workers. */
  readonly ratePerSecond: number;
  /** @default 4 */
  readonly workers?: number;
  /** Called with each failed write's error. @default - counted only */
  readonly onError?: (error: Error, side: DatabaseSide) => void;
}

/**
 * Writes transfers at a steady rate through the router (which stack takes the request, and
 * which database that stack's connection setting names) until stopped, logging every write
 * the database acknowledged (COMMIT returned). A failed write (read-only during the freeze,
 * a session ended) is counted, not retried: the client never saw it succeed.
 */
export class LoadGenerator {
  readonly acknowledged: Acknowledged[] = [];
  failed = 0;
  private readonly pools: Record<DatabaseSide, Pool>;
  private readonly inFlight: Record<DatabaseSide, number> = { legacy: 0, migrated: 0 };
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly errors = new Map<string, number>();

  constructor(private readonly options: LoadOptions) {
    const pool = (url: string) => {
      const p = new Pool({ connectionString: url, max: options.workers ?? 4, idleTimeoutMillis: 1000 });
      // A session ended by the freeze surfaces as an error event (idle or busy client); the
      // write in progress fails and is counted, the next one reconnects.
      p.on('error', () => undefined);
      p.on('connect', (client) => client.on('error', () => undefined));
      return p;
    };
    this.pools = { legacy: pool(options.urls.legacy), migrated: pool(options.urls.migrated) };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const workers = this.options.workers ?? 4;
    const intervalMs = (1000 * workers) / this.options.ratePerSecond;
    for (let w = 0; w < workers; w++) {
      this.loops.push(
        (async () => {
          let next = Date.now() + (w * intervalMs) / workers;
          while (this.running) {
            const wait = next - Date.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            next += intervalMs;
            if (Date.now() - next > 5 * intervalMs) next = Date.now();
            await this.writeOnce();
          }
        })(),
      );
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  async close(): Promise<void> {
    await this.stop();
    await Promise.all([this.pools.legacy.end(), this.pools.migrated.end()]);
  }

  /** Writes in flight against one database (the services' "steady state": none left on the old one). */
  pending(side: DatabaseSide): number {
    return this.inFlight[side];
  }

  /** Error messages seen, with counts (expected: read-only transactions and ended sessions during the freeze). */
  errorSummary(): string {
    return [...this.errors.entries()].map(([m, n]) => `${n}× ${m}`).join('; ');
  }

  private async writeOnce(): Promise<void> {
    const { stack, side } = this.options.router.route();
    const requestId = randomUUID();
    const from = 1 + Math.floor(Math.random() * this.options.accounts);
    const to = 1 + ((from + Math.floor(Math.random() * (this.options.accounts - 1))) % this.options.accounts);
    const amount = 1 + Math.floor(Math.random() * 100);
    this.inFlight[side]++;
    let client;
    try {
      client = await this.pools[side].connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string }>('INSERT INTO transfers (request_id, from_account, to_account, amount) VALUES ($1, $2, $3, $4) RETURNING id::text', [requestId, from, to, amount]);
        await client.query('UPDATE accounts SET balance = balance - $2 WHERE id = $1', [from, amount]);
        await client.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', [to, amount]);
        await client.query('COMMIT');
        this.acknowledged.push({ requestId, id: rows[0].id, side, stack });
        client.release();
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(true);
        throw error;
      }
    } catch (error) {
      this.failed++;
      this.options.onError?.(error as Error, side);
      const message = ((error as Error).message ?? String(error)).replace(/\d+/g, 'N').slice(0, 80);
      this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
    } finally {
      this.inFlight[side]--;
    }
  }
}

export interface LedgerCheck {
  readonly acknowledged: number;
  /** Acknowledged writes missing from the database. */
  readonly lost: number;
  /** Writes present more than once (by request id), or with another id than acknowledged. */
  readonly duplicated: number;
  /** Total of balances unchanged, every balance equal to its transfers, one audit row per transfer. */
  readonly invariant: boolean;
  readonly problems: readonly string[];
}

/** Checks the acknowledged writes and the ledger's invariants against one database. */
export async function checkLedger(query: (sql: string) => Promise<Record<string, unknown>[]>, acknowledged: readonly Acknowledged[], accounts: number): Promise<LedgerCheck> {
  const problems: string[] = [];
  const rows = await query('SELECT request_id::text AS r, array_agg(id::text) AS ids FROM transfers GROUP BY request_id');
  const byRequest = new Map(rows.map((r) => [String(r['r']), r['ids'] as string[]]));
  let lost = 0;
  // A request id held by more than one row was applied more than once.
  let duplicated = rows.filter((r) => (r['ids'] as string[]).length > 1).length;
  for (const ack of acknowledged) {
    const ids = byRequest.get(ack.requestId);
    if (!ids) lost++;
    else if (ids.length === 1 && ids[0] !== ack.id) duplicated++;
  }
  const [total] = await query('SELECT sum(balance)::text AS total, count(*)::int AS n FROM accounts');
  const expected = BigInt(accounts) * BigInt(INITIAL_BALANCE);
  if (BigInt(String(total['total'])) !== expected) problems.push(`total balance ${total['total']} ≠ ${expected}`);
  const [drift] = await query(`SELECT count(*)::int AS n FROM accounts a
      LEFT JOIN (SELECT from_account AS id, sum(amount) AS total FROM transfers GROUP BY 1) o ON o.id = a.id
      LEFT JOIN (SELECT to_account AS id, sum(amount) AS total FROM transfers GROUP BY 1) i ON i.id = a.id
     WHERE a.balance <> ${INITIAL_BALANCE} - COALESCE(o.total, 0) + COALESCE(i.total, 0)`);
  if (Number(drift['n']) > 0) problems.push(`${drift['n']} account(s) whose balance does not match their transfers`);
  const [audit] = await query('SELECT (SELECT count(*) FROM transfers)::int AS transfers, (SELECT count(*) FROM transfer_audit)::int AS audit, (SELECT count(DISTINCT transfer_id) FROM transfer_audit)::int AS distinct_audit');
  if (audit['transfers'] !== audit['audit'] || audit['audit'] !== audit['distinct_audit']) {
    problems.push(`audit rows ${audit['audit']} (${audit['distinct_audit']} distinct) for ${audit['transfers']} transfers: a trigger fired on apply, or a row was lost`);
  }
  return { acknowledged: acknowledged.length, lost, duplicated, invariant: problems.length === 0, problems };
}
