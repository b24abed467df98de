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

/**
 * The two headers as aigw-virtual-key read them with all the others, carried in the identity so
 * the cache plugin need not ask Kong again (each PDK call is a socket round trip). Repeated
 * Cache-Control lines are one list (RFC 9110 §5.3).
 */
export interface CacheRequestHeaders {
  cacheControl: string | null;
  ttl: string | null;
}

export function cacheRequestHeadersOf(headers: Record<string, string[] | undefined>): CacheRequestHeaders | undefined {
  const control = headers['cache-control'];
  const ttl = headers[CACHE_TTL_HEADER]?.[0];
  if (!control?.length && ttl === undefined) return undefined;
  return { cacheControl: control?.length ? control.join(',').slice(0, MAX_HEADER_CHARS) : null, ttl: ttl === undefined ? null : ttl.slice(0, 32) };
}

/** Headers read back from kong.ctx.shared: strings only, bounded. */
export function restoreCacheRequestHeaders(value: unknown): CacheRequestHeaders | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<CacheRequestHeaders>;
  const text = (s: unknown, max: number): string | null => (typeof s === 'string' ? s.slice(0, max) : null);
  return { cacheControl: text(v.cacheControl, MAX_HEADER_CHARS), ttl: text(v.ttl, 32) };
}

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
