/**
 * The in-process key cache: short TTLs, negative entries for unknown keys, and eviction on the
 * invalidation messages the control API publishes. While the invalidation channel is down the
 * cache cannot learn of revocations, so entries then count as fresh for one second only.
 */
import type { KeyRecord } from '../../lib/identity';

interface Entry {
  record: KeyRecord | null;
  storedAt: number;
}

export interface KeyCacheOptions {
  ttlMs: number;
  negativeTtlMs: number;
  maxEntries: number;
  /** Freshness while invalidations cannot arrive. */
  unsubscribedTtlMs: number;
  now?: () => number;
}

export type CacheHit = { hit: true; record: KeyRecord | null } | { hit: false };

export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  /** Whether invalidation messages are currently being received. */
  subscribed = false;
  /**
   * Entries in the shared Redis cache older than this (epoch ms) are not trusted: set when the
   * invalidation channel comes back after an outage, during which invalidations may have been lost.
   */
  sharedTrustedFrom = 0;
  private everSubscribed = false;

  constructor(private readonly options: KeyCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(hash: string): CacheHit {
    const entry = this.entries.get(hash);
    if (!entry) return { hit: false };
    const age = this.now() - entry.storedAt;
    const ttl = !this.subscribed
      ? Math.min(this.options.unsubscribedTtlMs, entry.record ? this.options.ttlMs : this.options.negativeTtlMs)
      : entry.record
        ? this.options.ttlMs
        : this.options.negativeTtlMs;
    if (age >= ttl) return { hit: false };
    return { hit: true, record: entry.record };
  }

  /** Last resort when the stores are unreachable: an entry younger than the positive TTL. */
  getFreshPositive(hash: string): KeyRecord | null {
    const entry = this.entries.get(hash);
    if (!entry?.record) return null;
    return this.now() - entry.storedAt < this.options.ttlMs ? entry.record : null;
  }

  set(hash: string, record: KeyRecord | null): void {
    this.entries.delete(hash);
    this.entries.set(hash, { record, storedAt: this.now() });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** The invalidation channel's state changed: missed messages cannot be replayed, so start over. */
  channelState(subscribed: boolean): void {
    this.subscribed = subscribed;
    if (!subscribed) return;
    this.invalidate({ type: 'all' });
    if (this.everSubscribed) this.sharedTrustedFrom = this.now();
    this.everSubscribed = true;
  }

  /** Applies one invalidation message from the control API. */
  invalidate(message: { type?: string; id?: string; hash?: string }): void {
    if (message.type === 'key') {
      if (message.hash) this.entries.delete(message.hash);
      if (message.id) this.deleteWhere((record) => record.id === message.id);
    } else if (message.type === 'team' && message.id) {
      this.deleteWhere((record) => record.teamId === message.id);
    } else if (message.type === 'template') {
      // A prompt template changed: no key record holds one.
    } else {
      this.entries.clear();
    }
  }

  private deleteWhere(match: (record: KeyRecord) => boolean): void {
    for (const [hash, entry] of this.entries) if (entry.record && match(entry.record)) this.entries.delete(hash);
  }
}
