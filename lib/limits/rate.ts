/**
 * Requests-per-minute and tokens-per-minute limits per key and team, shared by every node through
 * Redis. One script checks ALL subjects of a request and records it only if every subject admits.
 *
 * Precision:
 * - requests: exact sliding window. Each admitted request is a ZSET member scored by its
 *   admission time and counts for exactly windowMs. Memory: up to `rpm` members per subject.
 * - tokens: sliding window over time buckets (bucketMs, default 1 s). A bucket counts until its
 *   END leaves the window, so tokens are remembered between windowMs and windowMs + bucketMs:
 *   the error is only ever towards refusing (never more than tpm tokens in any window of
 *   windowMs), by at most one bucket's worth of age (1/60 of the window by default).
 *   Memory: at most windowMs/bucketMs + 1 fields per subject.
 * Times come from the caller's clock (`now`); nodes must be NTP-synced, skew shifts windows.
 * A request id should be checked once; a second check with the same id does not add a request
 * (same ZSET member) but does add its tokens again.
 */

import { RATE_ADD_TOKENS_LUA, RATE_CANCEL_LUA, RATE_CHECK_LUA } from './lua/rate';
import { rateCancelKey, rateKeys, scopeOf } from './redis-keys';
import { int, LuaScript, type ScriptClient } from './script';

const CHECK = new LuaScript('aigw-rate-check', RATE_CHECK_LUA);
const ADD_TOKENS = new LuaScript('aigw-rate-add-tokens', RATE_ADD_TOKENS_LUA);
const CANCEL = new LuaScript('aigw-rate-cancel', RATE_CANCEL_LUA);

export interface RateSubject {
  kind: 'key' | 'team';
  id: string;
  /** Requests per window; null = unlimited. */
  rpm: number | null;
  /** Tokens per window; null = unlimited. */
  tpm: number | null;
}

export interface RateLimiterOptions {
  /** Default 60 000 (per minute). */
  windowMs?: number;
  /** Width of a token bucket: the tpm window's precision. Default 1 000. */
  bucketMs?: number;
}

export interface RateCheckRequest {
  /** Unique per request (the Kong request id). */
  requestId: string;
  /** Key and/or team (at most one team; they share a Redis Cluster hash tag). */
  subjects: RateSubject[];
  /** Prompt-token estimate recorded at admission (integer ≥ 0); correct it later with addTokens. */
  tokens: number;
  /** Epoch ms; defaults to Date.now(). */
  now?: number;
}

/** One limit dimension of the most constraining subject, as the x-ratelimit-* headers show it. */
export interface RateDimension {
  subject: RateSubject;
  limit: number;
  /** Left in the window after this request (if admitted), ≥ 0. */
  remaining: number;
  /** Ms until this subject's window is empty again (OpenAI's "reset"). */
  resetMs: number;
}

export interface RateRefusal {
  subject: RateSubject;
  limit: 'requests' | 'tokens';
  /** Ms until this limit would admit the request; null = never (limit 0, or more tokens than tpm). */
  retryAfterMs: number | null;
}

export interface RateDecision {
  allowed: boolean;
  /** Null when no subject has an rpm limit. */
  requests: RateDimension | null;
  /** Null when no subject has a tpm limit. */
  tokens: RateDimension | null;
  /** Empty when allowed. */
  refusedBy: RateRefusal[];
  /**
   * When refused: ms until every refusing limit admits (the largest of refusedBy); null when
   * allowed or when some limit never will (see neverAdmissible).
   */
  retryAfterMs: number | null;
  /** Refused by a limit no waiting can satisfy (rpm 0, or tokens above tpm). */
  neverAdmissible: boolean;
}

export class RateLimiter {
  readonly windowMs: number;
  readonly bucketMs: number;

  constructor(
    private readonly redis: ScriptClient,
    opts: RateLimiterOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 60_000;
    this.bucketMs = opts.bucketMs ?? 1_000;
    if (!(this.windowMs > 0 && this.bucketMs > 0 && this.bucketMs <= this.windowMs)) throw new Error('invalid rate window');
  }

  /** Checks every subject and, only if all admit, records the request (and its tokens) for all of them. */
  async check(req: RateCheckRequest): Promise<RateDecision> {
    const subjects = req.subjects.filter((s) => s.rpm !== null || s.tpm !== null);
    if (subjects.length === 0) {
      return { allowed: true, requests: null, tokens: null, refusedBy: [], retryAfterMs: null, neverAdmissible: false };
    }
    const now = req.now ?? Date.now();
    const scope = scopeOf(req.subjects); // all subjects, so toggling one limit does not rename the other's keys
    const keys = [...subjects.flatMap((s) => [rateKeys.requests(scope, s), rateKeys.tokens(scope, s)]), rateCancelKey(scope, req.requestId)];
    const args = [
      int(now, 'now'),
      int(this.windowMs, 'windowMs'),
      int(this.bucketMs, 'bucketMs'),
      req.requestId,
      int(Math.max(0, req.tokens), 'tokens'),
      ...subjects.flatMap((s) => [int(s.rpm ?? -1, 'rpm'), int(s.tpm ?? -1, 'tpm')]),
    ];
    const r = ((await CHECK.run(this.redis, keys, args)) as unknown[]).map(Number);
    if (r[0] === -1) throw new Error(`rate check of cancelled request ${req.requestId}`);
    const allowed = r[0] === 1;
    const refusedBy: RateRefusal[] = [];
    let requests: RateDimension | null = null;
    let tokens: RateDimension | null = null;
    // "most constraining": a refusing subject first, then the least remaining
    const better = (cur: RateDimension | null, next: RateDimension, refused: boolean, curRefused: boolean): boolean =>
      cur === null || (refused && !curRefused) || (refused === curRefused && next.remaining < cur.remaining);
    let reqRefused = false;
    let tokRefused = false;
    subjects.forEach((s, i) => {
      const [rCount, rReset, rRetry, rOver, tUsed, tReset, tRetry, tOver] = r.slice(1 + 8 * i, 9 + 8 * i);
      if (s.rpm !== null) {
        const dim = { subject: s, limit: s.rpm, remaining: Math.max(0, s.rpm - rCount - (allowed ? 1 : 0)), resetMs: rReset };
        if (allowed) dim.resetMs = this.windowMs; // the request just recorded is the newest entry
        if (better(requests, dim, rOver === 1, reqRefused)) {
          requests = dim;
          reqRefused = rOver === 1;
        }
        if (rOver === 1) refusedBy.push({ subject: s, limit: 'requests', retryAfterMs: rRetry < 0 ? null : rRetry });
      }
      if (s.tpm !== null) {
        const after = tUsed + (allowed ? req.tokens : 0);
        const dim = {
          subject: s,
          limit: s.tpm,
          remaining: Math.min(s.tpm, Math.max(0, s.tpm - after)),
          resetMs: allowed && req.tokens > 0 ? this.bucketEndAge(now) : tReset,
        };
        if (better(tokens, dim, tOver === 1, tokRefused)) {
          tokens = dim;
          tokRefused = tOver === 1;
        }
        if (tOver === 1) refusedBy.push({ subject: s, limit: 'tokens', retryAfterMs: tRetry < 0 ? null : tRetry });
      }
    });
    const neverAdmissible = refusedBy.some((x) => x.retryAfterMs === null);
    const retryAfterMs = allowed || neverAdmissible ? null : Math.max(...refusedBy.map((x) => x.retryAfterMs ?? 0));
    return { allowed, requests, tokens, refusedBy, retryAfterMs, neverAdmissible };
  }

  /**
   * Records a token correction once actual usage is known: delta = actual − estimate (may be
   * negative). Positive deltas count from now; negative ones cancel the estimate in its own
   * bucket (dropped if that has already left the window).
   * @param admittedAt the `now` the request was checked with
   */
  async addTokens(subjects: RateSubject[], delta: number, opts: { admittedAt: number; now?: number }): Promise<void> {
    const limited = subjects.filter((s) => s.tpm !== null);
    if (limited.length === 0 || delta === 0) return;
    const scope = scopeOf(subjects);
    await ADD_TOKENS.run(
      this.redis,
      limited.map((s) => rateKeys.tokens(scope, s)),
      [
        int(opts.now ?? Date.now(), 'now'),
        int(this.windowMs, 'windowMs'),
        int(this.bucketMs, 'bucketMs'),
        int(delta, 'delta'),
        int(opts.admittedAt, 'admittedAt'),
      ],
    );
  }

  /**
   * For a request whose check failed or timed out (so may still run later): drops it from the
   * request windows and makes a late check record nothing. Idempotent, safe in either order.
   */
  async cancel(req: Pick<RateCheckRequest, 'requestId' | 'subjects'>): Promise<void> {
    const subjects = req.subjects.filter((s) => s.rpm !== null || s.tpm !== null);
    if (subjects.length === 0) return;
    const scope = scopeOf(req.subjects);
    const keys = [...subjects.filter((s) => s.rpm !== null).map((s) => rateKeys.requests(scope, s)), rateCancelKey(scope, req.requestId)];
    await CANCEL.run(this.redis, keys, [req.requestId, int(this.windowMs + this.bucketMs, 'marker ms')]);
  }

  /** Ms until the bucket holding `now` leaves the window. */
  private bucketEndAge(now: number): number {
    return (Math.floor(now / this.bucketMs) + 1) * this.bucketMs + this.windowMs - now;
  }
}
