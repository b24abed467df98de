/**
 * Writes spend-ledger rows to PostgreSQL in batches, off the request path. A failed batch stays
 * queued and is retried with backoff: an accepted request's row is never dropped while the
 * process lives, and close() flushes what is left.
 */
import type { Pool } from 'pg';
import type { Logger } from '../log';
import { insertLedgerRows, type LedgerRow } from './ledger';

export interface LedgerWriterOptions {
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Told of each failed batch write (metrics). */
  onWriteFailure?: () => void;
}

export class LedgerWriter {
  private queue: LedgerRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly onWriteFailure: () => void;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    options: LedgerWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxBatch = options.maxBatch ?? 500;
    this.onWriteFailure = options.onWriteFailure ?? (() => undefined);
  }

  get pending(): number {
    return this.queue.length;
  }

  write(row: LedgerRow): void {
    this.queue.push(row);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else this.schedule(this.flushIntervalMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      try {
        await insertLedgerRows(this.pool, batch);
        this.queue = this.queue.slice(batch.length);
        this.failures = 0;
      } catch (error) {
        this.failures++;
        this.onWriteFailure();
        this.log.error('spend ledger write failed; rows kept for retry', { rows: this.queue.length, error: (error as Error).message });
        this.schedule(Math.min(30_000, 250 * 2 ** this.failures));
        return;
      }
    }
  }

  async close(deadlineMs = 5000): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const until = Date.now() + deadlineMs;
    while (this.queue.length > 0 && Date.now() < until) {
      await this.flush();
      if (this.queue.length > 0) await new Promise((r) => setTimeout(r, 200));
    }
    if (this.queue.length > 0) this.log.error('spend ledger rows not written at shutdown', { rows: this.queue.length });
  }
}
