/**
 * What a cached answer may be reused for. The scope is never crossed: tenant namespace + model +
 * a hash of everything that changes the answer besides the last user message (system prompt,
 * earlier turns, tools and tool_choice, response_format, sampling parameters, max tokens, stop,
 * n, the endpoint and the client format). Within a scope, the last user message is the key:
 * exactly (normalised) or by meaning (embedded). Fields that change only the delivery (stream,
 * stream_options, user, metadata, service_tier) are left out, so a streamed question hits a
 * non-streamed answer. Formats whose conversation is not chat messages (Responses' `input`,
 * Google's `contents`) are keyed by their canonical chat form, every other field as sent.
 */
import { createHash } from 'node:crypto';
import type { CacheNamespaceKind, CacheScope } from './types';

/** The client formats the cache keys: each is a scope of its own (an answer is only served in the format it was keyed for). */
export type CacheFormat = 'openai' | 'anthropic' | 'responses' | 'google';

/** A request as the key reads it: its conversation as chat messages, and every other field as the client sent it. */
export interface KeyedRequest {
  format: CacheFormat;
  messages: unknown;
  fields: Record<string, unknown>;
}

/** Delivery, accounting or tracing fields: they never change the answer's content. */
const DELIVERY_FIELDS = new Set(['stream', 'stream_options', 'user', 'metadata', 'service_tier', 'store', 'prompt_cache_key', 'safety_identifier']);

/** Past this, the question is a document: exact matches only, no embedding. */
export const MAX_SEMANTIC_QUERY_CHARS = 2000;

export interface CacheKey {
  scope: CacheScope;
  scopeId: string;
  /** The last user message as the key compares it (whitespace collapsed, trimmed). */
  query: string;
  exactHash: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Collapses runs of whitespace and trims: "  How do I\n\nrotate keys? " and "How do I rotate keys?" are one question. */
export function normaliseQuery(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The key of a cacheable request, or null when it is not one: no last user message made only of
 * text (a tool result, an image or an assistant prefill as the last turn), n > 1, or a shape the
 * validator will refuse anyway.
 */
export function cacheKeyOf(format: 'openai' | 'anthropic', body: Json, namespace: string, model: string): CacheKey | null {
  const { messages, ...fields } = body;
  return keyOf({ format, messages, fields }, namespace, model);
}

/**
 * The key of a request in any format, read as `KeyedRequest`; null as for cacheKeyOf.
 * `templateHash`: the prompt template the request was rendered from (aigw-prompt-template), so a
 * changed template or partial never serves answers cached for the old one.
 */
export function keyOf(request: KeyedRequest, namespace: string, model: string, templateHash?: string): CacheKey | null {
  const { messages, fields } = request;
  if (!Array.isArray(messages) || messages.length === 0) return null;
  const last = messages[messages.length - 1];
  if (!isObject(last) || last.role !== 'user') return null;
  const text = textOnly(last.content);
  if (text === null) return null;
  if (fields.n !== undefined && fields.n !== null && fields.n !== 1) return null;
  const query = normaliseQuery(text);
  if (!query) return null;
  const context: Json = { format: request.format, messages: messages.slice(0, -1), template: templateHash };
  for (const [field, value] of Object.entries(fields)) {
    if (field === 'messages' || field === 'model' || DELIVERY_FIELDS.has(field)) continue;
    context[field] = value;
  }
  const scope: CacheScope = { namespace, model, contextHash: sha256(canonicalJson(context)) };
  return { scope, scopeId: sha256(canonicalJson(scope)), query, exactHash: sha256(query) };
}

/**
 * The namespace a request's entries live in; null when the request has none (no key identified
 * it). A key without a team is its own tenant under `team`: it shares with nobody.
 */
export function namespaceOf(kind: CacheNamespaceKind, ids: { teamId: string | null; keyId: string | null; consumerId: string | null }): string | null {
  if (kind === 'global') return 'global';
  if (kind === 'team' && !ids.teamId) return ids.keyId ? `key:${ids.keyId}` : null;
  const id = kind === 'team' ? ids.teamId : kind === 'key' ? ids.keyId : ids.consumerId;
  return id ? `${kind}:${id}` : null;
}

/** A user message's text when it is only text: a string, or text parts without cache or images. */
function textOnly(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || content.length === 0) return null;
  const texts: string[] = [];
  for (const part of content) {
    if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') return null;
    texts.push(part.text);
  }
  return texts.join('\n');
}

/** JSON with object keys sorted at every depth: the same request hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
