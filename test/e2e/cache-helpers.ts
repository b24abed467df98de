/** Shared steps of the semantic cache's end-to-end tests. */
import { cacheKeyOf } from '../../lib/semantic-cache/scope';
import type { CacheStore } from '../../lib/semantic-cache/store';
import { waitFor } from '../harness/wait-for';

/** Waits until the relay has stored the answer to this request for `teamId` (the fill is off the request path). */
export async function waitForFill(store: CacheStore, teamId: string, format: 'openai' | 'anthropic', body: Record<string, unknown>): Promise<void> {
  const key = cacheKeyOf(format, body, `team:${teamId}`, body.model as string)!;
  await waitFor(
    async () => {
      const found = await store.getExact(key.scopeId, key.exactHash);
      return found.ok && found.value !== null;
    },
    5000,
    'the cache fill',
  );
}
