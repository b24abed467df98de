/**
 * Request-targets as a server receives them (origin-form, `path[?query]`), split and put back
 * together without a URL parser: WHATWG URL resolves dot segments, reads `//host/...` as another
 * host and throws on some targets, and what a signature binds must be the bytes on the wire.
 */

export interface RequestTarget {
  /** Everything before the first `?`, as received (still percent-encoded). */
  path: string;
  /** Everything after the first `?`, as received; '' when there is none. */
  query: string;
}

export function splitTarget(target: string): RequestTarget {
  const i = target.indexOf('?');
  return i < 0 ? { path: target, query: '' } : { path: target.slice(0, i), query: target.slice(i + 1) };
}

/**
 * The one form both ends of a binding compare: the path, then `?query` when the query is not
 * empty. Kong forwards a request for `/p?` as `/p?` and for `/p` as `/p`; the empty query
 * carries nothing, so both become `/p`.
 */
export function canonicalTarget(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}

/** A path segment percent-decoded, or kept as it is when its escapes are malformed (`%ZZ`). */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
