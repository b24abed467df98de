/**
 * The request's `Cache-Control` and `X-Aigw-Cache-Ttl`, as the cache honours them. Hostile:
 * bounded, unknown directives and malformed values ignored (an optimisation's hint never fails a
 * request).
 */
export interface RequestCacheControl {
  /** Never read or write the cache. */
  noStore: boolean;
  /** Do not answer from the cache, but fill it with the fresh answer (X-Cache-Status: Refresh). */
  noCache: boolean;
  /** The oldest entry acceptable, in seconds; null = any. */
  maxAge: number | null;
  /** How long the answer to this request may be kept, in seconds (at most the route's or team's TTL); null = theirs. */
  ttlSeconds: number | null;
}

/** Per-request TTL: shortens how long this request's answer is kept, never lengthens it. */
export const CACHE_TTL_HEADER = 'x-aigw-cache-ttl';

const MAX_HEADER_CHARS = 1024;

export function parseCacheControl(header: string | undefined, ttlHeader?: string): RequestCacheControl {
  const ttl = ttlHeader?.trim();
  const out: RequestCacheControl = {
    noStore: false,
    noCache: false,
    maxAge: null,
    ttlSeconds: ttl && /^\d{1,9}$/.test(ttl) && Number(ttl) > 0 ? Number(ttl) : null,
  };
  if (!header) return out;
  for (const directive of header.slice(0, MAX_HEADER_CHARS).toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=', 2);
    if (name === 'no-store') out.noStore = true;
    else if (name === 'no-cache') out.noCache = true;
    else if (name === 'max-age' && value !== undefined && /^\d{1,9}$/.test(value.trim())) out.maxAge = Number(value.trim());
  }
  return out;
}
