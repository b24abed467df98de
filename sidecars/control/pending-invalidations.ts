/**
 * Invalidations Redis did not take, kept until it does: coalesced (one entry per key hash and per
 * team, however often it changed), oldest first, bounded. Past the bound nothing is dropped: the
 * queue collapses into one "flush everything" (DEL every aigw:key:* entry, publish {"type":"all"}),
 * which covers every change it replaced.
 */
import type { InvalidationMessage } from '../../lib/shared-key-cache';

/** One entry: the DEL of a key's cache entry (with its message, if there is one) or a team message. */
export interface PendingEntry {
  /** The cache entry to DEL (aigw:key:<hash>), for key entries. */
  hash: string | null;
  /** The message to publish; null for a DEL alone (a team's key, told through the team's message). */
  message: InvalidationMessage | null;
}

export type PendingBatch = { kind: 'entries'; entries: Array<PendingEntry & { slot: string; version: number }> } | { kind: 'flush-all' };

export class PendingInvalidations {
  /** slot ("hash:<h>" or "team:<id>") → entry; Map order is the order of first failure. */
  private readonly entries = new Map<string, PendingEntry & { version: number }>();
  private flushAll = false;
  private version = 0;

  constructor(private readonly maxEntries: number) {}

  /** Entries waiting, plus one for a pending flush of everything. */
  get size(): number {
    return this.entries.size + (this.flushAll ? 1 : 0);
  }

  /** True while a flush of everything stands in for changes beyond the bound. */
  get overflowed(): boolean {
    return this.flushAll;
  }

  /** Keeps `messages` and DELs of `hashes`, merged into what is already waiting for the same key or team. */
  add(messages: InvalidationMessage[], hashes: string[] = []): void {
    for (const m of messages) {
      if (m.type === 'key') this.put(`hash:${m.hash}`, { hash: m.hash, message: m });
      else if (m.type === 'team') this.put(`team:${m.id}`, { hash: null, message: m });
      else if (m.type === 'template') this.put(`template:${m.name}`, { hash: null, message: m });
      else this.overflow(); // {"type":"all"} already asks for everything
    }
    for (const hash of hashes) {
      const slot = `hash:${hash}`;
      this.put(slot, { hash, message: this.entries.get(slot)?.message ?? null });
    }
  }

  /** What to deliver next: the flush of everything if one is pending, else the oldest entries. */
  next(max: number): PendingBatch | null {
    if (this.flushAll) {
      // Changes from now on are kept one by one again: the flush may already have passed their entries.
      this.flushAll = false;
      return { kind: 'flush-all' };
    }
    if (this.entries.size === 0) return null;
    const entries: Array<PendingEntry & { slot: string; version: number }> = [];
    for (const [slot, e] of this.entries) {
      if (entries.length >= max) break;
      entries.push({ slot, ...e });
    }
    return { kind: 'entries', entries };
  }

  /** After a delivery attempt: delivered entries go, unless they changed meanwhile; a failed flush is pending again. */
  settle(batch: PendingBatch, delivered: boolean): void {
    if (batch.kind === 'flush-all') {
      if (!delivered) this.overflow();
      return;
    }
    if (!delivered) return;
    for (const e of batch.entries) if (this.entries.get(e.slot)?.version === e.version) this.entries.delete(e.slot);
  }

  private put(slot: string, entry: PendingEntry): void {
    if (this.flushAll) return; // the pending flush starts later, so it covers this change
    const existing = this.entries.get(slot);
    if (!existing && this.entries.size >= this.maxEntries) return this.overflow();
    const version = ++this.version;
    // A Map keeps a slot where it was first set: an entry keeps its place in the queue.
    if (existing) Object.assign(existing, entry, { version });
    else this.entries.set(slot, { ...entry, version });
  }

  private overflow(): void {
    this.entries.clear();
    this.flushAll = true;
  }
}
