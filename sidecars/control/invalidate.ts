/**
 * After every write, tell every cache: PUBLISH one message per affected key hash (or team) on
 * aigw:invalidate, and DEL the shared aigw:key:<hash> entries. Best effort: the database write
 * already succeeded, so a Redis outage is logged and counted, never turned into an error.
 */
import Redis from 'ioredis';
import { INVALIDATE_CHANNEL, KEY_CACHE_PREFIX, type InvalidationMessage } from '../../lib/identity';
import type { Logger } from '../../lib/log';

export interface KeyChange {
  id: string;
  hashes: string[];
}

export interface Invalidator {
  keys(changes: KeyChange[]): Promise<void>;
  team(id: string, keys: KeyChange[]): Promise<void>;
  /** Publishes that could not be delivered since start (a metric-like counter). */
  readonly failures: number;
  state(): 'ok' | 'down' | 'disabled';
  close(): Promise<void>;
}

export class RedisInvalidator implements Invalidator {
  failures = 0;
  private readonly redis: Redis;
  private lastErrorLog = 0;

  constructor(url: string, private readonly log: Logger) {
    this.redis = new Redis(url, {
      // Fail fast while Redis is away instead of queueing writes' invalidations indefinitely.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      // ioredis otherwise holds the process 2 s on close when the server is unreachable.
      disconnectTimeout: 100,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.redis.on('error', (error: Error) => {
      // ioredis emits on every reconnect attempt; one line per 30 s is enough.
      if (Date.now() - this.lastErrorLog > 30_000) {
        this.lastErrorLog = Date.now();
        this.log.warn('redis unavailable', { error: error.message });
      }
    });
  }

  state(): 'ok' | 'down' {
    return this.redis.status === 'ready' ? 'ok' : 'down';
  }

  keys(changes: KeyChange[]): Promise<void> {
    const messages: InvalidationMessage[] = [];
    for (const c of changes) for (const hash of new Set(c.hashes)) messages.push({ type: 'key', id: c.id, hash });
    return this.send(messages);
  }

  team(id: string, keys: KeyChange[]): Promise<void> {
    // Cached key records embed their team, so the team's keys' entries go too.
    const hashes = keys.flatMap((k) => k.hashes);
    return this.send([{ type: 'team', id }], hashes);
  }

  private async send(messages: InvalidationMessage[], extraHashes: string[] = []): Promise<void> {
    const hashes = [...new Set([...messages.flatMap((m) => (m.type === 'key' ? [m.hash] : [])), ...extraHashes])];
    if (messages.length === 0) return;
    try {
      if (this.redis.status !== 'ready') throw new Error(`redis ${this.redis.status}`);
      const pipeline = this.redis.pipeline();
      if (hashes.length) pipeline.del(...hashes.map((h) => KEY_CACHE_PREFIX + h));
      for (const m of messages) pipeline.publish(INVALIDATE_CHANNEL, JSON.stringify(m));
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      this.failures += messages.length;
      this.log.error('invalidation not published', {
        error: (error as Error).message,
        messages: messages.map((m) => (m.type === 'key' ? { type: m.type, id: m.id, hash: m.hash } : m)),
        failures_total: this.failures,
      });
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Without AIGW_REDIS_URL: nothing to tell; caches learn of changes when their entries expire. */
export class NoInvalidator implements Invalidator {
  readonly failures = 0;
  async keys(): Promise<void> {}
  async team(): Promise<void> {}
  state(): 'disabled' {
    return 'disabled';
  }
  async close(): Promise<void> {}
}
