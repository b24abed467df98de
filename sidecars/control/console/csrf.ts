/**
 * CSRF for cookie-authenticated changes: the session's token in x-csrf-token, and, when the
 * browser says where the request came from, `Sec-Fetch-Site: same-origin` and an Origin naming
 * the host the browser addressed. SameSite=
 * Strict already keeps the cookie off cross-site requests; this holds even if it did not.
 */

import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../api-error';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const refuse = (why: string): ApiError => new ApiError(403, `CSRF check failed: ${why}`, 'csrf_failed');

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The host name the browser addressed: Kong's X-Forwarded-Host (the control API sits behind it),
 * else Host. Names only: a TLS balancer in front of Kong changes the scheme and port Kong sees
 * (the browser's Origin says https and 443, Kong's X-Forwarded-Port 8000), never the name.
 */
function addressedHostname(headers: IncomingHttpHeaders): string | null {
  const host = first(headers['x-forwarded-host']) ?? first(headers.host);
  if (!host) return null;
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function checkCsrf(method: string, headers: IncomingHttpHeaders, csrfToken: string): void {
  if (SAFE_METHODS.has(method)) return;
  const site = first(headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin') throw refuse(`a ${site} request`);
  const origin = first(headers.origin);
  if (origin !== undefined) {
    let hostname: string;
    try {
      hostname = new URL(origin).hostname.toLowerCase();
    } catch {
      throw refuse('a malformed Origin');
    }
    if (hostname === '' || hostname !== addressedHostname(headers)) throw refuse('a cross-origin request');
  }
  const token = first(headers[CSRF_HEADER]);
  if (!token) throw refuse(`the ${CSRF_HEADER} header is missing`);
  if (!sameToken(token, csrfToken)) throw refuse(`the ${CSRF_HEADER} header does not match the session`);
}
