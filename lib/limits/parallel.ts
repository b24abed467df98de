/**
 * Max parallel requests per key (or team) as leases in Redis shared by every node. A lease
 * expires by itself (a crashed node's requests stop counting after leaseMs), acquire/release are
 * idempotent per request id, and a long request keeps its slot with extend(). cancel() undoes an
 * acquire whose outcome is unknown, in either order.
 */

import { ACQUIRE_LUA, ACTIVE_LUA, CANCEL_LUA, EXTEND_LUA, RELEASE_LUA } from './lua/parallel';
import { parallelCancelKey, parallelKey } from './redis-keys';
import { int, LuaScript, type ScriptClient } from './script';

const ACQUIRE = new LuaScript('aigw-parallel-acquire', ACQUIRE_LUA);
const RELEASE = new LuaScript('aigw-parallel-release', RELEASE_LUA);
const ACTIVE = new LuaScript('aigw-parallel-active', ACTIVE_LUA);
const CANCEL = new LuaScript('aigw-parallel-cancel', CANCEL_LUA);
const EXTEND = new LuaScript('aigw-parallel-extend', EXTEND_LUA);

export interface ParallelSubject {
  kind: 'key' | 'team';
  id: string;
  /** Max leases held at once; null = unlimited (acquire always succeeds and records nothing). */
  maxParallel: number | null;
}

export interface AcquireResult {
  acquired: boolean;
  /** Live leases after this call (including this one when acquired). */
  active: number;
  /**
   * When refused: ms until the earliest lease EXPIRES — an upper bound for Retry-After, since
   * leases are normally released sooner; null when acquired (or max is 0).
   */
  retryAfterMs: number | null;
}

export class ParallelLimiter {
  constructor(private readonly redis: ScriptClient) {}

  /**
   * Takes a slot for `requestId` until now + leaseMs, unless `maxParallel` live leases are held
   * by other requests. Acquiring a held id renews it.
   */
  async acquire(requestId: string, subject: ParallelSubject, leaseMs: number, now: number = Date.now()): Promise<AcquireResult> {
    if (subject.maxParallel === null) return { acquired: true, active: 0, retryAfterMs: null };
    if (!(leaseMs > 0)) throw new Error('leaseMs must be > 0');
    const r = (
      (await ACQUIRE.run(
        this.redis,
        [parallelKey(subject), parallelCancelKey(subject, requestId)],
        [int(now, 'now'), requestId, int(now + leaseMs, 'lease expiry'), int(subject.maxParallel, 'maxParallel')],
      )) as unknown[]
    ).map(Number);
    const acquired = r[0] === 1;
    return { acquired, active: r[1], retryAfterMs: acquired || r[2] < 0 ? null : Math.max(0, r[2]) };
  }

  /**
   * For a request whose acquire failed or timed out, so may still run later (a command sent
   * before a Redis stall runs when Redis resumes): frees the lease if it was taken, and makes a
   * late acquire of this id take nothing. Idempotent; safe in either order with the acquire.
   */
  async cancel(requestId: string, subject: Pick<ParallelSubject, 'kind' | 'id'>, leaseMs: number): Promise<boolean> {
    return Number(await CANCEL.run(this.redis, [parallelKey(subject), parallelCancelKey(subject, requestId)], [requestId, int(leaseMs, 'leaseMs')])) === 1;
  }

  /** Extends a lease still held by `requestId` to now + leaseMs (a long request keeps its slot); false if it is gone. */
  async extend(requestId: string, subject: Pick<ParallelSubject, 'kind' | 'id'>, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    return Number(await EXTEND.run(this.redis, [parallelKey(subject)], [int(now, 'now'), requestId, int(now + leaseMs, 'lease expiry')])) === 1;
  }

  /** Frees the slot of `requestId`; returns whether it held one (false on a second call). */
  async release(requestId: string, subject: Pick<ParallelSubject, 'kind' | 'id'>): Promise<boolean> {
    return Number(await RELEASE.run(this.redis, [parallelKey(subject)], [requestId])) === 1;
  }

  /** Live leases of the subject at `now`. */
  async active(subject: Pick<ParallelSubject, 'kind' | 'id'>, now: number = Date.now()): Promise<number> {
    return Number(await ACTIVE.run(this.redis, [parallelKey(subject)], [int(now, 'now')]));
  }
}
