/**
 * CSRF for cookie-authenticated changes: the session's token in x-csrf-token, and, when the
 * browser says where the request came from (Sec-Fetch-Site, Origin), same-origin only. SameSite=
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
 * The host the browser addressed: Kong's X-Forwarded-Host and -Port (the control API sits behind
 * it), else Host. Ports the scheme implies are left out, as an Origin leaves them out.
 */
function addressedHost(headers: IncomingHttpHeaders): string | null {
  const host = first(headers['x-forwarded-host']);
  if (!host) return first(headers.host)?.toLowerCase() ?? null;
  const proto = first(headers['x-forwarded-proto']) ?? 'http';
  const port = first(headers['x-forwarded-port']);
  const implied = (proto === 'https' && port === '443') || (proto === 'http' && port === '80');
  return (port && !implied && !host.includes(':') ? `${host}:${port}` : host).toLowerCase();
}

export function checkCsrf(method: string, headers: IncomingHttpHeaders, csrfToken: string): void {
  if (SAFE_METHODS.has(method)) return;
  const site = first(headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin') throw refuse(`a ${site} request`);
  const origin = first(headers.origin);
  if (origin !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      throw refuse('a malformed Origin');
    }
    if (host !== addressedHost(headers)) throw refuse('a cross-origin request');
  }
  const token = first(headers[CSRF_HEADER]);
  if (!token) throw refuse(`the ${CSRF_HEADER} header is missing`);
  if (!sameToken(token, csrfToken)) throw refuse(`the ${CSRF_HEADER} header does not match the session`);
}
