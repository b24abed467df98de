/**
 * Which requests the cache reads, and how: chat completions and messages as sent; Responses and
 * Google GenAI by their canonical chat form (the relay's own translators), so each format keys
 * the same conversation the same way, in a scope of its own.
 */
import { conversationFormatOf } from '../../lib/endpoints';
import { googlePathOf } from '../../lib/google-paths';
import { ANY_MODEL, type RequestIdentity, resolveModelName } from '../../lib/identity';
import type { KeyedRequest } from '../../lib/semantic-cache/scope';
import type { CanonicalRequest } from '../../sidecars/relay/client-formats/client-format';
import { type GoogleCall, generateContentToChat } from '../../sidecars/relay/client-formats/google';
import { responsesRequestToChat } from '../../sidecars/relay/client-formats/responses';

type Json = Record<string, unknown>;

const without = (body: Json, field: string): Json => Object.fromEntries(Object.entries(body).filter(([name]) => name !== field));

/** One variant per format, so a check of the format narrows the route (Google's carries the path's call). */
export type CacheRoute = { format: 'openai' } | { format: 'anthropic' } | { format: 'responses' } | { format: 'google'; call: GoogleCall };

/** The cache's reading of a path (a trailing slash ignored), or undefined for a path it never answers (token counts, embeddings, …). */
export function cacheRouteOf(path: string): CacheRoute | undefined {
  const format = conversationFormatOf(path);
  if (format !== 'google') return format ? { format } : undefined;
  const google = googlePathOf(path.replace(/\/+$/, ''));
  return google?.kind === 'generate' ? { format: 'google', call: { model: google.model, stream: google.stream } } : undefined;
}

/**
 * The model the entry is scoped to, as aigw-proxy routes it: the body's (aigw-virtual-key already
 * resolved its alias into the identity), or Google's path model through the key's aliases; ''
 * when there is none, or the key may not use it (aigw-proxy refuses that request).
 */
export function cacheModelOf(route: CacheRoute, body: Json, identity: RequestIdentity | undefined): string {
  if (route.format === 'google') {
    const { model, allowed } = resolveModelName(identity?.models ?? ANY_MODEL, route.call.model);
    return allowed ? model : '';
  }
  return identity?.model || (typeof body.model === 'string' ? body.model : '');
}

/**
 * The request as the key reads it, or null when it is not cacheable here: a Responses request that
 * continues a kept response (`previous_response_id`: its context is held by the relay, which a hit
 * would ignore), or a body the format's translator refuses (aigw-proxy or the relay refuses it too).
 */
export function keyedRequestOf(route: CacheRoute, body: Json): KeyedRequest | null {
  if (route.format === 'openai' || route.format === 'anthropic') {
    const { messages, ...fields } = body;
    return { format: route.format, messages, fields };
  }
  if (route.format === 'responses') {
    if (body.previous_response_id !== undefined && body.previous_response_id !== null) return null;
    return canonicalKeyed('responses', responsesRequestToChat(body), without(body, 'input'));
  }
  return canonicalKeyed('google', generateContentToChat(body, route.call), without(body, 'contents'));
}

/** The canonical conversation with the client's other fields (all of them: Gemini pass-through honours what translation drops). */
function canonicalKeyed(format: 'responses' | 'google', canonical: CanonicalRequest, fields: Json): KeyedRequest | null {
  if (!canonical.ok) return null;
  // Several candidates (Google's candidateCount) are not one answer to store.
  if ((canonical.request.n ?? 1) !== 1) return null;
  return { format, messages: canonical.request.messages, fields };
}
