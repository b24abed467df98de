/**
 * The session cookie: `<session id>.<HMAC of the id>`. The id alone finds the session in Redis;
 * the HMAC (a key derived from the plan secret) lets a forged or truncated cookie be refused
 * without a store round trip. The cookie never holds the admin key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'aigw_session';
/** 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_COOKIE_HEADER = 8192;

export class CookieSigner {
  private readonly key: Buffer;

  constructor(planSecret: string) {
    // Its own key: a cookie MAC can never be replayed as a plan or identity signature.
    this.key = createHmac('sha256', planSecret).update('aigw-console-session-cookie').digest();
  }

  sign(sessionId: string): string {
    return `${sessionId}.${this.mac(sessionId)}`;
  }

  /** The session id of a well-formed, correctly signed cookie value; null otherwise. */
  open(value: string): string | null {
    const dot = value.indexOf('.');
    if (dot < 0) return null;
    const id = value.slice(0, dot);
    if (!SESSION_ID.test(id)) return null;
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.mac(id));
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
  }

  private mac(id: string): string {
    return createHmac('sha256', this.key).update(id).digest('base64url');
  }
}

/** The value of one cookie in a Cookie header (the first one of that name); null if absent. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header || header.length > MAX_COOKIE_HEADER) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export interface CookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
}

/**
 * Set-Cookie for a new session. Path=/admin: the session is only for the control API (the console's
 * own files need none), so browsers never send it with /v1 traffic or the console's files.
 */
export function sessionCookie(value: string, opts: CookieOptions): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=${opts.maxAgeSeconds}${opts.secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { maxAgeSeconds: 0, secure });
}
