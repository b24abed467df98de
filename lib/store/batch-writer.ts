/**
 * Rows written to PostgreSQL in batches, off the request path: queued, flushed every interval or
 * when a batch is full; a failed batch stays queued and is retried with backoff; close() flushes
 * what is left within a deadline. With `maxQueue`, a row that finds the queue full is dropped and
 * counted instead (for what is not money: an outage must not grow memory).
 */
import type { Logger } from '../log';

export interface BatchWriterOptions {
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Rows held at most; null: unbounded (never drop). */
  maxQueue?: number | null;
  /** Told of each failed batch write (metrics). */
  onWriteFailure?: () => void;
}

export class BatchWriter<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  /** Rows dropped because the queue was full, since the process started. */
  dropped = 0;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number | null;
  private readonly onWriteFailure: () => void;

  constructor(
    /** What is written: "spend ledger", "request log" (in log lines). */
    private readonly what: string,
    private readonly insert: (rows: T[]) => Promise<unknown>,
    private readonly log: Logger,
    options: BatchWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxQueue = options.maxQueue ?? null;
    this.onWriteFailure = options.onWriteFailure ?? (() => undefined);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Queues a row; never throws, never waits. */
  write(row: T): void {
    if (this.maxQueue !== null && this.queue.length >= this.maxQueue) {
      // One line per thousand drops: an outage must not flood the log either.
      if (this.dropped++ % 1000 === 0) this.log.warn(`${this.what} queue full; rows dropped`, { dropped: this.dropped });
      return;
    }
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
        await this.insert(batch);
        this.queue = this.queue.slice(batch.length);
        this.failures = 0;
      } catch (error) {
        this.failures++;
        this.onWriteFailure();
        this.log.error(`${this.what} write failed; rows kept for retry`, { rows: this.queue.length, error: (error as Error).message });
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
    if (this.queue.length > 0) this.log.error(`${this.what} rows not written at shutdown`, { rows: this.queue.length });
  }
}
