/**
 * Idempotent Redis operations that must eventually take effect although the request that needs
 * them has been answered:
 * - undos: when a limit or budget command fails or times out, its outcome is unknown: it may
 *   have run, or still run when a stalled Redis resumes, after the request was refused. Its
 *   effect must not outlive the request, so the caller queues the matching undo (lease cancel,
 *   rate cancel, reservation refund), which is order-independent (it leaves a cancellation
 *   marker a late command respects);
 * - settlements the relay could not deliver (a settle is idempotent per request).
 * Each is retried with backoff until it succeeds, or until what it acts on has expired anyway.
 */
import { createLogger, type Logger } from '../log';

interface Pending {
  name: string;
  op: () => Promise<unknown>;
  /** Epoch ms after which retrying is pointless: what it acts on has expired by itself. */
  until: number;
  attempts: number;
}

export interface EventuallyOptions {
  /** Most operations kept waiting; the oldest is dropped (and logged) beyond it. */
  maxPending?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: Logger;
  now?: () => number;
}

export class Eventually {
  private readonly queue = new Set<Pending>();
  private readonly maxPending: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly log: Logger;
  private readonly now: () => number;
  private idle: Array<() => void> = [];

  constructor(options: EventuallyOptions = {}) {
    this.maxPending = options.maxPending ?? 10_000;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.log = options.log ?? createLogger('eventually');
    this.now = options.now ?? Date.now;
  }

  /** Operations not yet delivered. */
  get pending(): number {
    return this.queue.size;
  }

  /** Runs `op` now and again with backoff until it succeeds or `until` passes. Never throws. */
  run(name: string, op: () => Promise<unknown>, until: number): void {
    if (this.queue.size >= this.maxPending) {
      const oldest = this.queue.values().next().value as Pending;
      this.queue.delete(oldest);
      this.log.error('deferred redis operation dropped: too many pending', { name: oldest.name, pending: this.queue.size });
    }
    const entry: Pending = { name, op, until, attempts: 0 };
    this.queue.add(entry);
    void this.attempt(entry);
  }

  /** Resolves once nothing is pending (tests, shutdown). */
  settled(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async attempt(entry: Pending): Promise<void> {
    entry.attempts++;
    try {
      await entry.op();
      this.finish(entry);
      if (entry.attempts > 1) this.log.info('deferred redis operation delivered', { name: entry.name, attempts: entry.attempts });
    } catch (error) {
      if (!this.queue.has(entry)) return;
      if (this.now() >= entry.until) {
        this.finish(entry);
        this.log.warn('deferred redis operation abandoned: what it acts on has expired', {
          name: entry.name,
          attempts: entry.attempts,
          error: (error as Error).message,
        });
        return;
      }
      const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(entry.attempts - 1, 10));
      setTimeout(() => void this.attempt(entry), delay).unref();
    }
  }

  private finish(entry: Pending): void {
    this.queue.delete(entry);
    if (this.queue.size === 0) {
      const waiting = this.idle;
      this.idle = [];
      waiting.forEach((resolve) => resolve());
    }
  }
}

/** One queue per process (a plugin server serves every instance of its plugin). */
export const eventually = new Eventually();
