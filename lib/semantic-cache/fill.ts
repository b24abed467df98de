/**
 * What the relay needs to fill the cache after a miss, decided by aigw-semantic-cache and carried
 * in the identity to aigw-proxy and in the signed plan to the relay: the relay never recomputes
 * the scope, and it stores the answer under the original prompt even if compression changed it.
 * A semantic fill's vector and question are not in it (every later plugin and the plan header
 * would carry 2.7 KB they do not read): they wait in Redis (pending-fill.ts), pinned by digest.
 */
import { MAX_TTL_SECONDS } from './defaults';
import { PENDING_FILL_DIGEST } from './pending-fill';

export interface CacheFill {
  scopeId: string;
  teamId: string | null;
  model: string;
  exactHash: string;
  /**
   * A semantic fill: SHA-256 (base64url) of the vector and question the cache plugin left under
   * this scope and request id; the relay stores only bytes with this digest. Null: exact only.
   */
  pendingDigest: string | null;
  /** The embedding's model, with pendingDigest. */
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
  const pendingDigest = typeof v.pendingDigest === 'string' && PENDING_FILL_DIGEST.test(v.pendingDigest) ? v.pendingDigest : null;
  const embedModel = text(v.embedModel, 128) ? v.embedModel : null;
  if ((pendingDigest === null) !== (embedModel === null)) return undefined;
  if (typeof v.ttlSeconds !== 'number' || !Number.isInteger(v.ttlSeconds) || v.ttlSeconds < 1) return undefined;
  return {
    scopeId: v.scopeId,
    teamId: typeof v.teamId === 'string' ? v.teamId : null,
    model: v.model,
    exactHash: v.exactHash,
    pendingDigest,
    embedModel,
    ttlSeconds: Math.min(v.ttlSeconds, MAX_TTL_SECONDS),
    fillToolCalls: v.fillToolCalls === true,
  };
}
