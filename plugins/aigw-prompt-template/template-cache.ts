/**
 * Compiled templates per process: each template's versions and labels (by name), and each
 * version prepared with its partials (by name and version). Versions never change, but labels
 * move and partials get new versions, so an entry lives `ttlMs` while the invalidation channel is
 * up and `unsubscribedTtlMs` while it is down; a `template` message drops the name and every
 * prepared version that includes it as a partial; `all` (or the channel coming back) drops everything.
 */
import type { PreparedTemplate } from '../../lib/templates/prepare';
import type { TemplateVersions } from '../../lib/templates/selection';

export interface TemplateCacheOptions {
  ttlMs: number;
  unsubscribedTtlMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Stored<T> {
  value: T;
  storedAt: number;
}

export class TemplateCache {
  /** name → versions and labels (undefined: no such template). */
  private readonly versions = new Map<string, Stored<TemplateVersions | undefined>>();
  /** `name@version` → the prepared version. */
  private readonly prepared = new Map<string, Stored<PreparedTemplate>>();
  /** Whether invalidations can arrive: then entries are trusted for ttlMs. */
  subscribed = false;
  private readonly now: () => number;

  constructor(private readonly options: TemplateCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  getVersions(name: string): { hit: true; value: TemplateVersions | undefined } | { hit: false } {
    const entry = this.fresh(this.versions, name);
    return entry ? { hit: true, value: entry.value } : { hit: false };
  }

  setVersions(name: string, value: TemplateVersions | undefined): void {
    this.put(this.versions, name, value);
  }

  getPrepared(name: string, version: number): PreparedTemplate | undefined {
    return this.fresh(this.prepared, `${name}@${version}`)?.value;
  }

  setPrepared(name: string, version: number, value: PreparedTemplate): void {
    this.put(this.prepared, `${name}@${version}`, value);
  }

  /** The invalidation channel's state changed: missed messages cannot be replayed, so start over. */
  channelState(subscribed: boolean): void {
    this.subscribed = subscribed;
    if (subscribed) this.clear();
  }

  /** Applies one message from the control API's channel (key and team messages are not ours). */
  invalidate(message: { type?: unknown; name?: unknown }): void {
    if (message.type === 'template' && typeof message.name === 'string') {
      const name = message.name;
      this.versions.delete(name);
      for (const [key, entry] of this.prepared)
        if (key.slice(0, key.lastIndexOf('@')) === name || entry.value.partials.includes(name)) this.prepared.delete(key);
    } else if (message.type === 'all') this.clear();
  }

  get size(): number {
    return this.versions.size + this.prepared.size;
  }

  private clear(): void {
    this.versions.clear();
    this.prepared.clear();
  }

  private fresh<T>(map: Map<string, Stored<T>>, key: string): Stored<T> | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    const ttl = this.subscribed ? this.options.ttlMs : this.options.unsubscribedTtlMs;
    if (this.now() - entry.storedAt < ttl) return entry;
    map.delete(key);
    return undefined;
  }

  /** Newest last; past maxEntries the oldest goes. */
  private put<T>(map: Map<string, Stored<T>>, key: string, value: T): void {
    map.delete(key);
    map.set(key, { value, storedAt: this.now() });
    if (map.size > this.options.maxEntries) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }
}
