/**
 * A stable short id for a target, used in Redis keys and metric labels. It is derived from what
 * makes a target a different upstream (provider, base URL, model), not from its position in the
 * config, so reordering or re-weighting a group keeps its shared stats; credentials and timeouts
 * are left out on purpose (rotating a key must not reset a breaker or its latency history).
 */
import { createHash } from 'node:crypto';

export interface TargetIdentity {
  provider: string;
  baseUrl: string;
  model: string;
}

/** 16 hex chars of sha256("provider|baseUrl|model"), trailing slashes of the URL ignored. */
export function targetId(t: TargetIdentity): string {
  const base = t.baseUrl.replace(/\/+$/, '');
  return createHash('sha256').update(`${t.provider}|${base}|${t.model}`).digest('hex').slice(0, 16);
}

/** Target ids go inside hash tags: the same rule as limit subject ids, plus a length bound. */
export function checkTargetId(id: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 64 || /[{}\s:]/.test(id)) {
    throw new Error(`invalid target id ${JSON.stringify(id)}: 1-64 characters, no braces, colons or whitespace`);
  }
  return id;
}
