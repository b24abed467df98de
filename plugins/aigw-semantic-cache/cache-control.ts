/** The request's `Cache-Control`, as the cache honours it. Hostile: bounded, unknown directives ignored. */
export interface RequestCacheControl {
  /** Never read or write the cache. */
  noStore: boolean;
  /** Do not answer from the cache, but fill it with the fresh answer (X-Cache-Status: Refresh). */
  noCache: boolean;
  /** The oldest entry acceptable, in seconds; null = any. */
  maxAge: number | null;
}

const MAX_HEADER_CHARS = 1024;

export function parseCacheControl(header: string | undefined): RequestCacheControl {
  const out: RequestCacheControl = { noStore: false, noCache: false, maxAge: null };
  if (!header) return out;
  for (const directive of header.slice(0, MAX_HEADER_CHARS).toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=', 2);
    if (name === 'no-store') out.noStore = true;
    else if (name === 'no-cache') out.noCache = true;
    else if (name === 'max-age' && value !== undefined && /^\d{1,9}$/.test(value.trim())) out.maxAge = Number(value.trim());
  }
  return out;
}
