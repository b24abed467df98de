/**
 * What the relay needs to fill the cache after a miss, decided by aigw-semantic-cache and carried
 * in the identity to aigw-proxy and in the signed plan to the relay: the relay never recomputes
 * the scope, and it stores the answer under the original prompt even if compression changed it.
 */
import { MAX_TTL_SECONDS } from './defaults';
import { MAX_SEMANTIC_QUERY_CHARS } from './scope';

export interface CacheFill {
  scopeId: string;
  teamId: string | null;
  model: string;
  exactHash: string;
  /** The last user message, for the guards of later semantic lookups; '' for an exact-only fill. */
  query: string;
  /** Unit-length embedding, base64 of little-endian float32; null for exact-only routes. */
  vector: string | null;
  embedModel: string | null;
  ttlSeconds: number;
  /** Store answers that end in tool calls too (finish_reason tool_calls). */
  fillToolCalls: boolean;
}

/** A fill read back from kong.ctx.shared or a plan: only well-formed values count. */
export function restoreCacheFill(value: unknown): CacheFill | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<CacheFill>;
  const text = (s: unknown, max: number): s is string => typeof s === 'string' && s.length > 0 && s.length <= max;
  if (!text(v.scopeId, 128) || !text(v.exactHash, 128) || !text(v.model, 256)) return undefined;
  const vector = text(v.vector, 65_536) ? v.vector : null;
  // A semantic entry's text, which its guards read; none for an exact-only one.
  const query = vector !== null && text(v.query, MAX_SEMANTIC_QUERY_CHARS) ? v.query : '';
  if (vector !== null && query === '') return undefined;
  if (typeof v.ttlSeconds !== 'number' || !Number.isInteger(v.ttlSeconds) || v.ttlSeconds < 1) return undefined;
  return {
    scopeId: v.scopeId,
    teamId: typeof v.teamId === 'string' ? v.teamId : null,
    model: v.model,
    exactHash: v.exactHash,
    query,
    vector,
    embedModel: text(v.embedModel, 128) ? v.embedModel : null,
    ttlSeconds: Math.min(v.ttlSeconds, MAX_TTL_SECONDS),
    fillToolCalls: v.fillToolCalls === true,
  };
}
