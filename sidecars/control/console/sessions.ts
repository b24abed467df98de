/**
 * Console sessions in Redis, by a random id: what the admin key was (its id and hash, never the
 * key), the CSRF token, the absolute expiry. Each use extends the idle deadline up to the
 * absolute one; logout deletes the entry. Whether the key may still act is checked on every use
 * by the caller (console-auth.ts), so revoking, rotating or deleting the key ends its sessions
 * wherever that happened.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

export interface Session {
  id: string;
  keyId: string;
  /** The key's hash at login: a rotation changes it, and ends the session. */
  keyHash: string;
  keyAlias: string | null;
  keyPrefix: string;
  csrfToken: string;
  createdAt: number;
  /** Epoch ms: the absolute end, whatever the activity. */
  expiresAt: number;
}

export interface SessionTimes {
  ttlMs: number;
  idleMs: number;
}

const PREFIX = 'aigw:console:session:';
const randomToken = (): string => randomBytes(32).toString('base64url');

function isSession(v: Partial<Session> | null): v is Session {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.keyId === 'string' &&
    typeof v.keyHash === 'string' &&
    typeof v.csrfToken === 'string' &&
    typeof v.expiresAt === 'number'
  );
}

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    readonly times: SessionTimes,
    private readonly now: () => number = Date.now,
  ) {}

  async create(key: Pick<Session, 'keyId' | 'keyHash' | 'keyAlias' | 'keyPrefix'>): Promise<Session> {
    const createdAt = this.now();
    const session: Session = { id: randomToken(), csrfToken: randomToken(), createdAt, expiresAt: createdAt + this.times.ttlMs, ...key };
    await this.redis.set(PREFIX + session.id, JSON.stringify(session), 'PX', Math.min(this.times.ttlMs, this.times.idleMs));
    return session;
  }

  /** The live session with this id, its idle deadline pushed back; null when unknown or over. */
  async touch(id: string): Promise<Session | null> {
    const text = await this.redis.get(PREFIX + id);
    if (!text) return null;
    let session: Partial<Session> | null;
    try {
      session = JSON.parse(text) as Partial<Session> | null;
    } catch {
      session = null;
    }
    const now = this.now();
    if (!isSession(session) || session.expiresAt <= now) {
      await this.end(id);
      return null;
    }
    await this.redis.pexpire(PREFIX + id, Math.max(1, Math.min(this.times.idleMs, session.expiresAt - now)));
    return session;
  }

  async end(id: string): Promise<void> {
    await this.redis.del(PREFIX + id);
  }
}
