/**
 * What the plugin needs from the cache's store and index, and from the embedder: every failure
 * is a value (the plugin turns it into a miss), never a throw it has to anticipate.
 */
import type { CacheEntry, SemanticCandidate } from '../../lib/semantic-cache/types';

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface CacheBackend {
  getExact(scopeId: string, exactHash: string): Promise<Outcome<CacheEntry | null>>;
  nearest(scopeId: string, vector: Float32Array, embedModel: string, k: number): Promise<Outcome<SemanticCandidate[]>>;
  get(scopeId: string, entryId: string): Promise<Outcome<CacheEntry | null>>;
  /** Counts a hit and the dollars it saved (stats per team, model and scope). */
  recordHit(entry: CacheEntry): Promise<unknown>;
  /** Leaves a miss's vector and question for the relay's fill (lib/semantic-cache/pending-fill.ts). */
  putPendingFill(scopeId: string, requestId: string, value: Buffer): Promise<Outcome<void>>;
}

export interface Embedder {
  embed(text: string, deadlineMs: number): Promise<Outcome<{ vector: Float32Array; model: string }>>;
}
