/**
 * After every write, tell every cache: PUBLISH one message per affected key hash (or team, or prompt template) on
 * aigw:invalidate, and DEL the shared aigw:key:<hash> entries. The database write already
 * succeeded, so a Redis outage never fails it; but an invalidation is never dropped either: what
 * Redis did not take waits (coalesced, bounded: see PendingInvalidations) and is delivered, oldest
 * first, as soon as Redis answers again: on reconnect, and by retries with backoff.
 */
import Redis from 'ioredis';
import type { Logger } from '../../lib/log';
import { INVALIDATE_CHANNEL, type InvalidationMessage, KEY_CACHE_PREFIX } from '../../lib/shared-key-cache';
import { type PendingBatch, PendingInvalidations } from './pending-invalidations';

export interface KeyChange {
  id: string;
  hashes: string[];
}

export interface Invalidator {
  keys(changes: KeyChange[]): Promise<void>;
  team(id: string, keys: KeyChange[]): Promise<void>;
  /** Prompt templates whose versions or labels changed (aigw-prompt-template drops them and what includes them). */
  templates(names: string[]): Promise<void>;
  /** Messages that could not be delivered at once since start (a metric-like counter). */
  readonly failures: number;
  /** Invalidations waiting for Redis (coalesced entries, plus one for a pending flush of everything). */
  readonly pending: number;
  state(): 'ok' | 'down' | 'disabled';
  close(): Promise<void>;
}

export interface RedisInvalidatorOptions {
  /** Coalesced entries kept before they collapse into one flush of every cache entry. */
  maxPending?: number;
  /** Entries per delivery round trip. */
  batchSize?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

const SCAN_COUNT = 1000;

export class RedisInvalidator implements Invalidator {
  failures = 0;
  private readonly redis: Redis;
  private readonly queue: PendingInvalidations;
  private readonly batchSize: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private delivering: Promise<boolean> | null = null;
  /** The last delivery attempt failed and something is still waiting. */
  private failing = false;
  private lastWarn = 0;

  constructor(
    url: string,
    private readonly log: Logger,
    opts: RedisInvalidatorOptions = {},
  ) {
    this.queue = new PendingInvalidations(opts.maxPending ?? 10_000);
    this.batchSize = opts.batchSize ?? 500;
    this.retryBaseMs = opts.retryBaseMs ?? 200;
    this.retryMaxMs = opts.retryMaxMs ?? 2000;
    this.retryDelayMs = this.retryBaseMs;
    this.redis = new Redis(url, {
      // Fail fast while Redis is away: what it did not take waits in the queue, not in ioredis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      // ioredis otherwise holds the process 2 s on close when the server is unreachable.
      disconnectTimeout: 100,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.redis.on('error', (error: Error) => this.warn('redis unavailable', { error: error.message }));
    // Reconnected: deliver what waited, at once.
    this.redis.on('ready', () => {
      if (this.queue.size > 0) void this.deliver();
    });
  }

  get pending(): number {
    return this.queue.size;
  }

  state(): 'ok' | 'down' {
    return this.redis.status === 'ready' && !this.failing ? 'ok' : 'down';
  }

  keys(changes: KeyChange[]): Promise<void> {
    const messages: InvalidationMessage[] = [];
    for (const c of changes) for (const hash of new Set(c.hashes)) messages.push({ type: 'key', id: c.id, hash });
    return this.submit(messages);
  }

  team(id: string, keys: KeyChange[]): Promise<void> {
    // Cached key records embed their team, so the team's keys' entries go too.
    return this.submit(
      [{ type: 'team', id }],
      keys.flatMap((k) => k.hashes),
    );
  }

  templates(names: string[]): Promise<void> {
    return this.submit([...new Set(names)].map((name) => ({ type: 'template', name })));
  }

  async close(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.queue.size > 0) {
      this.log.error('invalidations not delivered before shutdown', { pending: this.queue.size, overflowed: this.queue.overflowed });
    }
    this.redis.disconnect();
  }

  /** Queues, then delivers unless a retry is already scheduled (Redis failed moments ago: the write need not wait on it). */
  private async submit(messages: InvalidationMessage[], extraHashes: string[] = []): Promise<void> {
    if (messages.length === 0) return;
    this.queue.add(messages, extraHashes);
    const delivered = this.retryTimer === null && (await this.deliver());
    if (delivered) return;
    this.failures += messages.length;
    // Not `messages`: a name the log redaction keeps for chat messages.
    this.log.error('invalidation not published', {
      invalidations: messages,
      pending: this.queue.size,
      failures_total: this.failures,
    });
  }

  /** Delivers everything waiting; true when nothing is left. One delivery runs at a time. */
  private async deliver(): Promise<boolean> {
    for (;;) {
      this.delivering ??= this.drain().finally(() => {
        this.delivering = null;
      });
      const ok = await this.delivering;
      // Something queued while the last round finished: go again.
      if (!ok || this.queue.size === 0) return ok;
    }
  }

  private async drain(): Promise<boolean> {
    let delivered = 0;
    for (let batch = this.queue.next(this.batchSize); batch; batch = this.queue.next(this.batchSize)) {
      try {
        if (this.redis.status !== 'ready') throw new Error(`redis ${this.redis.status}`);
        await this.send(batch);
        this.queue.settle(batch, true);
        delivered += batch.kind === 'entries' ? batch.entries.length : 1;
      } catch (error) {
        this.queue.settle(batch, false);
        this.failing = true;
        this.scheduleRetry();
        this.warn('invalidations waiting for redis', { error: (error as Error).message, pending: this.queue.size });
        return false;
      }
    }
    if (this.failing) this.log.info('invalidations delivered after redis came back', { delivered });
    this.failing = false;
    this.retryDelayMs = this.retryBaseMs;
    // Delivered by a reconnect or a write before the retry fired: writes need not wait for it.
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    return true;
  }

  private async send(batch: PendingBatch): Promise<void> {
    if (batch.kind === 'flush-all') return this.flushEverything();
    const hashes = batch.entries.flatMap((e) => (e.hash ? [KEY_CACHE_PREFIX + e.hash] : []));
    const pipeline = this.redis.pipeline();
    if (hashes.length) pipeline.del(...hashes);
    for (const e of batch.entries) if (e.message) pipeline.publish(INVALIDATE_CHANNEL, JSON.stringify(e.message));
    const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** After an overflow: which entries are stale is no longer known, so none is trusted. */
  private async flushEverything(): Promise<void> {
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${KEY_CACHE_PREFIX}*`, 'COUNT', SCAN_COUNT);
      if (found.length) await this.redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
    await this.redis.publish(INVALIDATE_CHANNEL, JSON.stringify({ type: 'all' } satisfies InvalidationMessage));
    this.log.warn('invalidation queue overflowed: flushed every cached key', {});
  }

  /** Exponential backoff with jitter, capped: a stalled Redis that resumes is retried within retryMaxMs. */
  private scheduleRetry(): void {
    if (this.retryTimer) return;
    const delay = Math.round(this.retryDelayMs * (0.5 + Math.random() / 2));
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.retryMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.deliver();
    }, delay);
    this.retryTimer.unref();
  }

  /** ioredis reports every reconnect attempt: one line per 30 s is enough. */
  private warn(msg: string, fields: Record<string, unknown>): void {
    if (Date.now() - this.lastWarn < 30_000) return;
    this.lastWarn = Date.now();
    this.log.warn(msg, fields);
  }
}

/** Without AIGW_REDIS_URL: nothing to tell; caches learn of changes when their entries expire. */
export class NoInvalidator implements Invalidator {
  readonly failures = 0;
  readonly pending = 0;
  async keys(): Promise<void> {}
  async team(): Promise<void> {}
  async templates(): Promise<void> {}
  state(): 'disabled' {
    return 'disabled';
  }
  async close(): Promise<void> {}
}
