/**
 * Request admission against the key's and team's shared limits in Redis: a parallel-request
 * lease, then requests and tokens per minute. Keys without limits never touch Redis, so they
 * keep working when it is down; limited keys fail closed (the caller answers 503).
 */
import type Redis from 'ioredis';
import { type GatewayError, gatewayError } from '../../lib/errors';
import type { KeyRecord } from '../../lib/identity';
import { type Eventually, eventually, ParallelLimiter, RateLimiter, type RateSubject, rateLimitHeaders, retryAfterSeconds } from '../../lib/limits';

export interface AdmissionInput {
  requestId: string;
  record: KeyRecord;
  promptTokens: number;
  now: number;
  leaseMs: number;
  /** false: the request spends no provider tokens, so tokens-per-minute limits do not apply. */
  tokenLimits: boolean;
}

/** A refusal names the limit that refused it (the `policy` of aigw_policy_refusals_total). */
export type Admission =
  | { ok: true; headers: Record<string, string>; slotTaken: boolean }
  | { ok: false; error: GatewayError; limit: 'parallel' | 'rpm' | 'tpm' };

/** The key's and its team's per-minute limits; without token limits, requests per minute only. */
export function rateSubjects(record: KeyRecord, tokenLimits = true): RateSubject[] {
  const tpm = (limit: number | null): number | null => (tokenLimits ? limit : null);
  const subjects: RateSubject[] = [{ kind: 'key', id: record.id, rpm: record.rpmLimit, tpm: tpm(record.tpmLimit) }];
  if (record.team) subjects.push({ kind: 'team', id: record.team.id, rpm: record.team.rpmLimit, tpm: tpm(record.team.tpmLimit) });
  return subjects;
}

function parallelSubject(record: KeyRecord): { kind: 'key'; id: string; maxParallel: number | null } {
  return { kind: 'key', id: record.id, maxParallel: record.maxParallelRequests };
}

/**
 * A command that failed may still run (a stalled Redis resumes): the request is refused, and the
 * matching undo is queued until it reaches Redis. Undos are order-independent (lib/limits).
 */
export async function admit(redis: Redis, input: AdmissionInput, later: Eventually = eventually): Promise<Admission> {
  const { record, requestId, now } = input;
  const subjects = rateSubjects(record, input.tokenLimits).filter((s) => s.rpm !== null || s.tpm !== null);
  const parallel = parallelSubject(record);
  const leases = new ParallelLimiter(redis);
  const cancelLease = (): void => later.run(`cancel parallel lease ${requestId}`, () => leases.cancel(requestId, parallel, input.leaseMs), now + input.leaseMs);
  let slotTaken = false;
  if (parallel.maxParallel !== null) {
    const lease = await leases.acquire(requestId, parallel, input.leaseMs, now).catch((error: unknown) => {
      cancelLease();
      throw error;
    });
    if (!lease.acquired) {
      const retryAfter = String(retryAfterSeconds(lease.retryAfterMs ?? 1000));
      const message = `Too many parallel requests for this key (limit ${parallel.maxParallel}). Retry when one finishes.`;
      return { ok: false, error: gatewayError(429, message, 'parallel_limit_exceeded', null, { 'retry-after': retryAfter }), limit: 'parallel' };
    }
    slotTaken = true;
  }
  if (subjects.length === 0) return { ok: true, headers: {}, slotTaken };

  const rate = new RateLimiter(redis);
  const decision = await rate.check({ requestId, subjects, tokens: input.promptTokens, now }).catch((error: unknown) => {
    later.run(`cancel rate check ${requestId}`, () => rate.cancel({ requestId, subjects }), now + rate.windowMs + rate.bucketMs);
    if (slotTaken) cancelLease();
    throw error;
  });
  const headers = rateLimitHeaders(decision);
  if (decision.allowed) return { ok: true, headers, slotTaken };

  if (slotTaken) cancelLease();
  const refusal = decision.refusedBy[0];
  const what = refusal?.limit === 'tokens' ? 'tokens' : 'requests';
  const who = refusal?.subject.kind === 'team' ? 'team' : 'key';
  const message = decision.neverAdmissible
    ? `This request can never fit the ${who}'s ${what}-per-minute limit.`
    : `Rate limit reached for ${what} per minute on this ${who}. Please retry after the time in the Retry-After header.`;
  return { ok: false, error: gatewayError(429, message, 'rate_limit_exceeded', null, headers), limit: what === 'tokens' ? 'tpm' : 'rpm' };
}
