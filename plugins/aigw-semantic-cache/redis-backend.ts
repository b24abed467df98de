/**
 * The plugin's cache backend and embedder, one per Redis URL and sidecar address for the whole
 * plugin server: the store (Redis, shared by every node), this node's in-memory index of the
 * scopes it serves (kept current by the Redis Stream), and the inference sidecar's Embed.
 */
import { sharedInferenceClient } from '../../lib/inference/shared-client';
import { createLogger } from '../../lib/log';
import { SemanticIndex } from '../../lib/semantic-cache/index';
import type { CacheResult } from '../../lib/semantic-cache/result';
import { CacheStore } from '../../lib/semantic-cache/store';
import { redisFor } from '../../lib/store-clients';
import type { CacheBackend, Embedder, Outcome } from './backend';
import type { CacheMetrics } from './metrics';

const backends = new Map<string, CacheBackend>();

const outcome = <T>(result: CacheResult<T>): Outcome<T> => (result.ok ? result : { ok: false, reason: `${result.reason}: ${result.detail}` });

export function redisCacheBackend(redisUrl: string, metrics: CacheMetrics | null = null): CacheBackend {
  let backend = backends.get(redisUrl);
  if (!backend) {
    const store = new CacheStore(redisFor(redisUrl));
    const index = new SemanticIndex({ store, redisUrl, log: createLogger('aigw-semantic-cache') });
    metrics?.watchIndex(() => index.stats());
    backend = {
      getExact: async (scopeId, exactHash) => outcome(await store.getExact(scopeId, exactHash)),
      nearest: async (scopeId, vector, embedModel, k) => outcome(await index.nearest(scopeId, vector, embedModel, k)),
      get: async (scopeId, entryId) => outcome(await store.get(scopeId, entryId)),
      recordHit: (entry) => store.recordHit(entry, entry.answer.costNano),
      putPendingFill: async (scopeId, requestId, value) => outcome(await store.putPendingFill(scopeId, requestId, value)),
    };
    backends.set(redisUrl, backend);
  }
  return backend;
}

const NO_SIDECAR: Embedder = { embed: async () => ({ ok: false, reason: 'address_not_loopback' }) };

export function sidecarEmbedder(address: string): Embedder {
  const client = sharedInferenceClient(address);
  if (!client) return NO_SIDECAR;
  return {
    async embed(text, deadlineMs) {
      const result = await client.embed([text], deadlineMs);
      if (!result.ok) return { ok: false, reason: result.failure.code.toLowerCase() };
      const vector = result.value.vectors[0];
      return vector ? { ok: true, value: { vector, model: result.value.model } } : { ok: false, reason: 'no vector' };
    },
  };
}
