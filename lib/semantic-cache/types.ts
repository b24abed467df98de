/**
 * The semantic cache's one contract: the plugin looks up and answers hits, the relay fills after
 * a complete answer, the control API reports and purges. Entries are scoped (never crossed):
 * tenant namespace + model + a hash of everything that changes the answer besides the last user
 * message.
 */

/** Who may share entries: a team (default), one key, one Kong consumer, or everyone. */
export type CacheNamespaceKind = 'team' | 'key' | 'consumer' | 'global';

export interface CacheScope {
  /** e.g. `team:<uuid>`, `key:<uuid>`, `global`. */
  namespace: string;
  /** The public model name (model group) the answer came from. */
  model: string;
  /** sha256 of the request minus its last user message (system, earlier turns, tools, parameters, endpoint, client format). */
  contextHash: string;
}

/** What a hit answers with: the canonical (OpenAI chat completion) answer the relay saw, and what it cost. */
export interface CachedAnswer {
  /** An OpenAI `chat.completion` object (canonical form), rendered to the client's format on a hit. */
  completion: Record<string, unknown>;
  promptTokens: number;
  completionTokens: number;
  /** What the original call cost, nano-USD (the saving a hit reports); null when the price was unknown. */
  costNano: number | null;
}

export interface CacheEntry {
  /** Opaque id (the X-Cache-Key of a hit). */
  id: string;
  /** sha256 of the scope: entries are stored and indexed per scopeId. */
  scopeId: string;
  /** The team the entry belongs to (purge by team), or null. */
  teamId: string | null;
  model: string;
  /** sha256 of the normalised last user message: the exact-match key within the scope. */
  exactHash: string;
  /** The normalised last user message: guards compare it with a new query. */
  query: string;
  /** Unit-length embedding of `query`; null for exact-only entries. */
  vector: Float32Array | null;
  /** Which embedder made `vector` (entries of another model are never compared). */
  embedModel: string | null;
  answer: CachedAnswer;
  /** Epoch ms. */
  createdAt: number;
  ttlSeconds: number;
}

/** A candidate from the index, before the guards. */
export interface SemanticCandidate {
  entryId: string;
  query: string;
  similarity: number;
}

export type GuardName = 'numbers' | 'negation' | 'entities' | 'antonyms' | 'direction' | 'substitution' | string;

export type GuardVerdict = { ok: true } | { ok: false; guard: GuardName; detail: string };
