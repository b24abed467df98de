/**
 * A Responses request that continues a kept response (`previous_response_id`) sends the whole
 * earlier context to the provider, so a budget reserves for all of it: its shape is read from
 * where the relay keeps responses. Only a budgeted request needs the read; the relay refuses an
 * unknown id for every request.
 */
import type Redis from 'ioredis';
import { failed, ok, type Result } from '../../lib/errors';
import type { RequestIdentity } from '../../lib/identity';
import type { Endpoint } from '../../lib/plan';
import { previousResponseNotFound, ResponseStore } from '../../lib/responses';
import type { PromptShape } from '../../lib/tokens';

export async function continuedContext(
  redis: Redis | null,
  identity: RequestIdentity,
  endpoint: Endpoint,
  body: Record<string, unknown>,
): Promise<Result<PromptShape | null>> {
  const id = body.previous_response_id;
  if (endpoint !== 'responses' || typeof id !== 'string' || identity.budgets.length === 0) return ok(null);
  // Money safety fails closed, as the reservation itself does.
  if (!redis) throw new Error('budgets are configured but aigw-proxy has no redis_url');
  const shape = await new ResponseStore(redis).shape(identity, id);
  return shape ? ok(shape) : failed(previousResponseNotFound(id));
}
