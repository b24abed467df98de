/**
 * A Responses hit is kept as the relay keeps an answered response (sidecars/relay/responses/
 * continuation.ts), so a client that continues it with previous_response_id finds it, whether
 * the provider or the cache answered. Not with `store: false`, nor without a key (no tenant).
 */
import type Redis from 'ioredis';
import type { RequestIdentity } from '../../lib/identity';
import { ResponseStore } from '../../lib/responses';
import { inputItems } from '../../sidecars/relay/client-formats/responses';
import { keptContext } from '../../sidecars/relay/responses/continuation';

/** Keeps the hit's response object; false when it was not kept (nothing to keep, or too large). Rejects on a Redis failure. */
export async function keepResponsesHit(
  redis: Redis,
  identity: RequestIdentity | undefined,
  body: Record<string, unknown>,
  response: unknown,
  ttlSeconds: number,
): Promise<boolean> {
  const answer = response as { id?: unknown; output?: unknown } | null;
  if (!identity?.keyId || body.store === false || ttlSeconds <= 0 || typeof answer?.id !== 'string') return false;
  const owner = { keyId: identity.keyId, teamId: identity.teamId };
  return new ResponseStore(redis).keep(owner, answer.id, keptContext(inputItems(body.input), answer), ttlSeconds);
}
