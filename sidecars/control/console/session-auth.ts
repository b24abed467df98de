/**
 * The console's half of authentication: an admin key exchanged for a session (POST
 * /admin/session), and a session cookie turned back into the admin it stands for. A session is
 * only as good as its key: on every use the key must still exist, be an admin key, be neither
 * revoked nor expired, and have the hash it had at login (a rotation ends the session).
 */

import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { hashKey, KEY_PATTERN } from '../../../lib/api-keys';
import type { StoredKey } from '../../../lib/store/rows';
import { findKeyByHash, getKey, keyStatus } from '../../../lib/store/virtual-keys';
import { ApiError } from '../api-error';
import * as v from '../validate';
import type { ConsoleConfig } from './config';
import { CookieSigner, cookieValue, SESSION_COOKIE } from './cookie';
import type { Session, SessionStore } from './sessions';

/** A failed login answers no sooner than this (plus jitter): a wrong key and a non-admin key look alike. */
export const FAILED_LOGIN_DELAY_MS = 400;
const FAILED_LOGIN_JITTER_MS = 100;
const MAX_KEY_LENGTH = 256;

export type LoginFailure = 'malformed_key' | 'unknown_key' | 'not_admin' | 'revoked' | 'expired' | 'rotated';

export type LoginResult = { ok: true; session: Session } | { ok: false; reason: LoginFailure; keyId: string | null };

const unauthenticated = (message: string, code: string): ApiError => new ApiError(401, message, code);

/** Why a stored key may not (or no longer) hold a console session; null when it may. */
function keyRefusal(key: StoredKey | null, hash: string, now: number): LoginFailure | null {
  if (!key) return 'unknown_key';
  if (key.keyHash !== hash) return 'rotated';
  const status = keyStatus(key, now);
  if (status !== 'active') return status;
  return key.role === 'admin' ? null : 'not_admin';
}

export class ConsoleAuth {
  private readonly signer: CookieSigner;

  constructor(
    private readonly pool: Pool,
    private readonly store: SessionStore | null,
    planSecret: string,
    readonly config: ConsoleConfig,
  ) {
    this.signer = new CookieSigner(planSecret);
  }

  cookieFor(session: Session): string {
    return this.signer.sign(session.id);
  }

  private sessions(): SessionStore {
    if (!this.store) throw new ApiError(503, 'Console sessions need Redis (AIGW_REDIS_URL)', 'console_unavailable');
    return this.store;
  }

  /** The admin key in the body for a new session. Slow on failure, whatever the reason. */
  async login(body: unknown, started: number): Promise<LoginResult> {
    const fields = v.asObject(body);
    v.rejectUnknown(fields, ['key']);
    const raw = fields.key;
    if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_KEY_LENGTH) throw new ApiError(400, 'key must be an admin key', 'invalid_value', 'key');
    const store = this.sessions();
    const result = await this.check(raw.trim());
    if (!result.ok) {
      const wait = started + FAILED_LOGIN_DELAY_MS + Math.random() * FAILED_LOGIN_JITTER_MS - Date.now();
      if (wait > 0) await sleep(wait);
      return result;
    }
    const key = result.key;
    return { ok: true, session: await store.create({ keyId: key.id, keyHash: key.keyHash, keyAlias: key.keyAlias, keyPrefix: key.keyPrefix }) };
  }

  private async check(raw: string): Promise<{ ok: true; key: StoredKey } | { ok: false; reason: LoginFailure; keyId: string | null }> {
    if (!KEY_PATTERN.test(raw)) return { ok: false, reason: 'malformed_key', keyId: null };
    const hash = hashKey(raw);
    const found = await findKeyByHash(this.pool, hash);
    // The full row: its current hash tells a key in its rotation grace from the current one.
    const key = found ? await getKey(this.pool, found.id) : null;
    const refusal = keyRefusal(key, hash, Date.now());
    return refusal || !key ? { ok: false, reason: refusal ?? 'unknown_key', keyId: key?.id ?? null } : { ok: true, key };
  }

  /** The session the request's cookie names, if it still stands; null when there is no cookie. */
  async fromCookie(headers: IncomingHttpHeaders): Promise<Session | null> {
    const value = cookieValue(headers.cookie, SESSION_COOKIE);
    if (value === null || value === '') return null;
    const id = this.signer.open(value);
    if (!id) throw unauthenticated('The console session cookie is not valid; log in again', 'invalid_session');
    const store = this.sessions();
    const session = await store.touch(id);
    if (!session) throw unauthenticated('The console session has expired or was ended; log in again', 'session_expired');
    const key = await getKey(this.pool, session.keyId);
    if (keyRefusal(key, session.keyHash, Date.now())) {
      await store.end(session.id);
      throw unauthenticated('The admin key of this console session was revoked, rotated or deleted; log in again', 'session_revoked');
    }
    return session;
  }

  async logout(session: Session): Promise<void> {
    await this.sessions().end(session.id);
  }
}

export function sessionView(session: Session): Record<string, unknown> {
  return {
    object: 'session',
    csrf_token: session.csrfToken,
    expires_at: new Date(session.expiresAt).toISOString(),
    key: { id: session.keyId, alias: session.keyAlias, prefix: session.keyPrefix },
  };
}
