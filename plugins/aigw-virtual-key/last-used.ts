/**
 * Records when each key was last used without touching the request path: ids seen are kept in a
 * bounded per-process set and written in one UPDATE every few seconds (lib/store/virtual-keys.ts
 * touchKeyLastUsed). A failed write is logged and dropped: the key's next use records it again.
 */
import { createLogger, type Logger } from '../../lib/log';

/** How often the seen keys are written. */
export const LAST_USED_FLUSH_MS = 2000;
/** Most distinct keys held between two writes; more are recorded at their next use. */
export const LAST_USED_MAX_PENDING = 10_000;

export interface LastUsedOptions {
  write: (ids: string[], at: Date) => Promise<unknown>;
  flushMs?: number;
  maxPending?: number;
  log?: Logger;
  now?: () => number;
}

export class LastUsedRecorder {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private readonly flushMs: number;
  private readonly maxPending: number;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Uses not recorded because the set was full (their keys are recorded at their next use). */
  dropped = 0;

  constructor(private readonly options: LastUsedOptions) {
    this.flushMs = options.flushMs ?? LAST_USED_FLUSH_MS;
    this.maxPending = options.maxPending ?? LAST_USED_MAX_PENDING;
    this.log = options.log ?? createLogger('aigw-virtual-key');
    this.now = options.now ?? Date.now;
  }

  /** Synchronous and bounded: the request never waits on it. */
  seen(keyId: string): void {
    if (!this.pending.has(keyId) && this.pending.size >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.pending.add(keyId);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what was seen (one write at a time); never throws. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing) await this.writing;
    if (this.pending.size === 0) return;
    const ids = [...this.pending];
    this.pending = new Set();
    this.writing = this.options
      .write(ids, new Date(this.now()))
      .then(
        () => undefined,
        (error: unknown) => this.log.warn('last_used_at not written', { keys: ids.length, error: (error as Error).message }),
      )
      .finally(() => {
        this.writing = null;
      });
    await this.writing;
  }
}
