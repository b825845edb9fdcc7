import { LeaseLostError, type AcquireOptions, type Ledger } from './ledger';

/** Calls `tick` every `ms` until the returned function is called. Injected so tests fire heartbeats by hand. */
export interface Ticker {
  readonly every: (ms: number, tick: () => Promise<void>) => () => void;
}

/** `setInterval`, not keeping the process alive. */
export const intervalTicker: Ticker = {
  every: (ms, tick) => {
    const timer = setInterval(() => void tick(), ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** The run was asked to stop (Ctrl-C): raised inside a step at its next wait. */
export class StopRequestedError extends Error {
  constructor(public readonly reason: string) {
    super(`stop requested (${reason})`);
    this.name = 'StopRequestedError';
  }
}

/** Why `signal` was aborted, as a word for messages (`SIGINT`). */
export function stopReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' && signal.reason !== '' ? signal.reason : 'interrupted';
}

export interface LeaseSessionOptions extends AcquireOptions {
  readonly ledger: Ledger;
  readonly owner: string;
  readonly operator: string;
  readonly leaseMs: number;
  /** @default intervalTicker */
  readonly ticker?: Ticker;
  /** Stops waits inside steps. */
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

/**
 * A held lease, kept alive for as long as the run holds it (not only while a step body runs):
 * a heartbeat every third of the lease, on top of the renewal every step transition makes.
 * A renewal that finds the lease taken over, or a lease this process has not managed to
 * renew within its duration, marks the session lost: waits inside steps reject at once and
 * the engine records nothing further.
 */
export class LeaseSession {
  /** Set once the lease is known lost. */
  public lost: LeaseLostError | undefined;
  private readonly stopTicker: () => void;
  private readonly interruption: Promise<never>;
  private interrupt: (error: Error) => void = () => undefined;
  private renewing: Promise<void> | undefined;
  private readonly onAbort: () => void;

  private constructor(private readonly options: LeaseSessionOptions) {
    this.interruption = new Promise<never>((_, reject) => (this.interrupt = reject));
    this.interruption.catch(() => undefined);
    this.stopTicker = (options.ticker ?? intervalTicker).every(Math.max(1, Math.floor(options.leaseMs / 3)), () => this.heartbeat());
    this.onAbort = () => this.interrupt(new StopRequestedError(stopReason(options.signal as AbortSignal)));
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Takes the lease (watching another runner's, see Ledger.acquireLease) and starts the heartbeat. */
  static async open(options: LeaseSessionOptions): Promise<LeaseSession> {
    await options.ledger.acquireLease(options.owner, options.operator, options.leaseMs, options);
    return new LeaseSession(options);
  }

  /** One renewal; overlapping ticks are skipped. Transient errors are retried at the next tick. */
  heartbeat(): Promise<void> {
    if (this.lost) return Promise.resolve();
    this.renewing ??= this.options.ledger
      .renewLease(this.options.owner, this.options.leaseMs)
      .then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof LeaseLostError) this.markLost(error);
          else this.options.log(`warning: lease renewal failed (${(error as Error).message}); retrying in ${Math.round(this.options.leaseMs / 3000)} s`);
        },
      )
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private markLost(error: LeaseLostError): void {
    this.lost ??= error;
    this.interrupt(this.lost);
  }

  /** @throws LeaseLostError when the lease is lost, or has run out by this process's clock. */
  check(): void {
    if (this.lost) throw this.lost;
    if (this.options.ledger.leaseRemainingMs(this.options.owner) <= 0) {
      this.markLost(new LeaseLostError(this.options.ledger.environment, this.options.owner, `not renewed within its ${Math.round(this.options.leaseMs / 1000)} s lease`));
      throw this.lost;
    }
  }

  /** Whether a stop was requested. */
  get stopRequested(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  /** A step's wait: rejects with LeaseLostError when the lease is lost and StopRequestedError on a stop, before, during or after waiting. */
  guard(sleep: (ms: number) => Promise<void>): (ms: number) => Promise<void> {
    return async (ms: number) => {
      this.checkWait();
      await Promise.race([sleep(ms), this.interruption]);
      this.checkWait();
    };
  }

  private checkWait(): void {
    this.check();
    if (this.options.signal?.aborted) throw new StopRequestedError(stopReason(this.options.signal));
  }

  /** Stops the heartbeat (and waits for one in flight), so the lease can be released. */
  async close(): Promise<void> {
    this.stopTicker();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    await this.renewing;
  }
}
