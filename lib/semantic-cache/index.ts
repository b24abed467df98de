/**
 * The in-memory vector index a node keeps for the scopes it serves. A scope is loaded from Redis
 * on first use and kept current by the event stream (events.ts); scopes are dropped least
 * recently used first beyond `maxScopes` or `maxVectors`, and reload on their next use. Search is
 * exact (dot products over packed Float32 vectors, see vectors.ts) and only among vectors of the
 * query's embedding model; expired entries are never returned.
 *
 * Runs on the plugin server's one event loop, so a lookup never waits long: a scope still loading
 * after `loadWaitMs` answers 'loading' (the load goes on), and an index whose stream is not
 * current answers 'unsynced'. Both are misses for the caller, as is any Redis failure.
 */
import type { Logger } from '../log';
import { type IndexedEntry, isUnitVector } from './codec';
import { type CacheEvent, CacheEventConsumer, type CacheEventConsumerOptions } from './events';
import { checkCacheId } from './keys';
import { type CacheResult, fail, ok } from './result';
import type { CacheStore } from './store';
import type { SemanticCandidate } from './types';
import { VectorBlock } from './vectors';

export interface SemanticIndexOptions extends Omit<CacheEventConsumerOptions, 'log'> {
  store: CacheStore;
  /** The Redis the store uses; the event stream gets its own connection to it. */
  redisUrl: string;
  /** Vectors held over all scopes. Default 200,000 (about 0.5 GB at 512 dimensions). */
  maxVectors?: number;
  /** Scopes held. Default 10,000. */
  maxScopes?: number;
  /** Vectors loaded for one scope (its newest-expiring). Default 10,000, the store's per-scope cap. */
  maxVectorsPerScope?: number;
  /** How long a lookup waits for its scope to load. Default 250 ms. */
  loadWaitMs?: number;
  log?: Logger;
  now?: () => number;
}

export interface IndexStats {
  scopes: number;
  vectors: number;
  /** Bytes of the packed vector arrays (query strings and ids come on top). */
  vectorBytes: number;
}

interface ScopeState {
  blocks: Map<string, VectorBlock>;
  /** entry id → embedding model, to find its block. */
  modelOf: Map<string, string>;
  loading: boolean;
  /** Ids changed while loading: refreshed once the load is done. */
  pending: Set<string>;
  loaded: Promise<void>;
  failure: string | null;
  sweptAt: number;
}

/** Every how often a scope in use drops its expired entries. */
const SWEEP_INTERVAL_MS = 1000;
const MAX_K = 100;

export class SemanticIndex {
  private readonly scopes = new Map<string, ScopeState>();
  private readonly consumer: CacheEventConsumer;
  private readonly store: CacheStore;
  private readonly maxVectors: number;
  private readonly maxScopes: number;
  private readonly maxVectorsPerScope: number;
  private readonly loadWaitMs: number;
  private readonly now: () => number;
  private vectorCount = 0;

  constructor(opts: SemanticIndexOptions) {
    this.store = opts.store;
    this.maxVectors = opts.maxVectors ?? 200_000;
    this.maxScopes = opts.maxScopes ?? 10_000;
    this.maxVectorsPerScope = Math.min(opts.maxVectorsPerScope ?? 10_000, this.maxVectors);
    this.loadWaitMs = opts.loadWaitMs ?? 250;
    this.now = opts.now ?? Date.now;
    this.consumer = new CacheEventConsumer(
      opts.redisUrl,
      { onEvents: (events) => this.apply(events), onReset: () => this.dropAll() },
      { blockMs: opts.blockMs, batch: opts.batch, retryDelayMs: opts.retryDelayMs, log: opts.log },
    );
    this.consumer.start();
  }

  /** Whether lookups can be answered (the event stream is current). */
  get synced(): boolean {
    return this.consumer.synced;
  }

  stats(): IndexStats {
    let vectorBytes = 0;
    for (const state of this.scopes.values()) for (const block of state.blocks.values()) vectorBytes += block.byteLength;
    return { scopes: this.scopes.size, vectors: this.vectorCount, vectorBytes };
  }

  /** The k entries of the scope most similar to `vector` (a unit vector made by `embedModel`), best first. */
  async nearest(scopeId: string, vector: Float32Array, embedModel: string, k = 3): Promise<CacheResult<SemanticCandidate[]>> {
    try {
      checkCacheId('scopeId', scopeId);
    } catch (e) {
      return fail('refused', (e as Error).message);
    }
    if (!(vector instanceof Float32Array) || !isUnitVector(vector) || !Number.isInteger(k) || k < 1 || k > MAX_K) {
      return fail('refused', `a unit-length Float32Array and k of 1-${MAX_K}`);
    }
    if (!this.consumer.synced) return fail('unsynced', 'the cache event stream is not current');
    let state = this.scopes.get(scopeId);
    if (!state) state = this.load(scopeId);
    if (state.loading) await waitAtMost(state.loaded, this.loadWaitMs);
    if (state.failure !== null) return fail('unavailable', state.failure);
    if (state.loading) return fail('loading', 'the scope is still loading');
    // dropped while loading (a reset, a purge, the caps): what it holds may be partial
    if (this.scopes.get(scopeId) !== state) return fail('loading', 'the scope was dropped while loading');
    // most recently used last: eviction takes the first
    this.scopes.delete(scopeId);
    this.scopes.set(scopeId, state);
    const now = this.now();
    if (now - state.sweptAt > SWEEP_INTERVAL_MS) this.sweep(state, now);
    const block = state.blocks.get(embedModel);
    if (!block || block.dimensions !== vector.length) return ok([]);
    return ok(block.nearest(vector, k, now));
  }

  async close(): Promise<void> {
    await this.consumer.close();
    this.dropAll();
  }

  private load(scopeId: string): ScopeState {
    const state: ScopeState = {
      blocks: new Map(),
      modelOf: new Map(),
      loading: true,
      pending: new Set(),
      loaded: Promise.resolve(),
      failure: null,
      sweptAt: this.now(),
    };
    this.scopes.set(scopeId, state);
    this.evictBeyondCaps(scopeId);
    const current = (): boolean => this.scopes.get(scopeId) === state;
    state.loaded = (async () => {
      try {
        for await (const page of this.store.scopeEntries(scopeId, this.maxVectorsPerScope)) {
          if (!current()) return;
          for (const entry of page) this.upsert(scopeId, state, entry);
        }
        while (state.pending.size > 0 && current()) {
          const ids = [...state.pending];
          state.pending.clear();
          await this.refresh(scopeId, state, ids);
        }
      } catch (e) {
        // the next lookup of this scope tries again
        state.failure = `loading scope: ${(e as Error)?.message ?? String(e)}`;
        if (current()) this.drop(scopeId);
      } finally {
        // in the same turn as the last look at `pending`: no event can slip in between
        state.loading = false;
      }
    })();
    return state;
  }

  /** Applies a batch of stream events to the scopes held here (others are read when first used). */
  private async apply(events: CacheEvent[]): Promise<void> {
    const changed = new Map<string, Set<string>>();
    for (const event of events) {
      if (event.type === 'purge') {
        // ids gathered before it are still refreshed: a refresh reads what Redis holds now
        this.purge(event);
        continue;
      }
      const state = this.scopes.get(event.scopeId);
      if (!state) continue;
      if (state.loading) {
        event.ids.forEach((id) => state.pending.add(id));
        continue;
      }
      const ids = changed.get(event.scopeId) ?? new Set<string>();
      event.ids.forEach((id) => ids.add(id));
      changed.set(event.scopeId, ids);
    }
    await Promise.all(
      [...changed].map(async ([scopeId, ids]) => {
        const state = this.scopes.get(scopeId);
        if (state && !state.loading) await this.refresh(scopeId, state, [...ids]);
      }),
    );
  }

  /** Re-reads these entries: present ones are (re)indexed, gone ones removed. Put and del are the same. */
  private async refresh(scopeId: string, state: ScopeState, ids: string[]): Promise<void> {
    const found = await this.store.indexed(scopeId, ids);
    if (this.scopes.get(scopeId) !== state) return;
    for (const [id, entry] of found) {
      if (entry === null) this.remove(state, id);
      else this.upsert(scopeId, state, entry);
    }
  }

  private purge(event: Extract<CacheEvent, { type: 'purge' }>): void {
    if (event.all) return this.dropAll();
    const drop = (teamId: string | null, model: string): boolean => (event.teamId !== undefined ? teamId === event.teamId : model === event.model);
    for (const [scopeId, state] of this.scopes) {
      // a load in flight may have read entries before the purge reached them
      if (state.loading) {
        this.drop(scopeId);
        continue;
      }
      for (const block of state.blocks.values()) this.vectorCount -= block.removeWhere(drop);
    }
  }

  private upsert(scopeId: string, state: ScopeState, entry: IndexedEntry): void {
    if (entry.vector === null || entry.embedModel === null || entry.expiresAt <= this.now()) return this.remove(state, entry.id);
    if (state.modelOf.get(entry.id) !== entry.embedModel) this.remove(state, entry.id);
    if (!state.modelOf.has(entry.id)) {
      // room first: another scope goes, or (when this is the only one) the entry is not held
      if (this.vectorCount >= this.maxVectors) this.evictBeyondCaps(scopeId, 1);
      if (this.vectorCount >= this.maxVectors || this.scopeSize(state) >= this.maxVectorsPerScope) return;
    }
    let block = state.blocks.get(entry.embedModel);
    if (!block) {
      block = new VectorBlock(entry.vector.length);
      state.blocks.set(entry.embedModel, block);
    }
    const outcome = block.upsert({ ...entry, vector: entry.vector });
    if (outcome === 'added') this.vectorCount++;
    if (outcome !== 'refused') state.modelOf.set(entry.id, entry.embedModel);
  }

  private remove(state: ScopeState, id: string): void {
    const model = state.modelOf.get(id);
    if (model === undefined) return;
    state.modelOf.delete(id);
    if (state.blocks.get(model)?.remove(id)) this.vectorCount--;
  }

  private sweep(state: ScopeState, now: number): void {
    state.sweptAt = now;
    for (const block of state.blocks.values()) for (const id of block.expired(now)) this.remove(state, id);
  }

  private scopeSize(state: ScopeState): number {
    let size = 0;
    for (const block of state.blocks.values()) size += block.size;
    return size;
  }

  /** Drops least recently used scopes (never `keep`) until the caps leave room for `room` more vectors. */
  private evictBeyondCaps(keep: string, room = 0): void {
    for (const scopeId of this.scopes.keys()) {
      if (this.scopes.size <= this.maxScopes && this.vectorCount + room <= this.maxVectors) return;
      if (scopeId !== keep) this.drop(scopeId);
    }
  }

  private drop(scopeId: string): void {
    const state = this.scopes.get(scopeId);
    if (!state) return;
    this.vectorCount -= this.scopeSize(state);
    this.scopes.delete(scopeId);
  }

  private dropAll(): void {
    this.scopes.clear();
    this.vectorCount = 0;
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
