/**
 * Budget reservation at plan time: only aigw-proxy knows the targets a request may reach and
 * their prices, so it reserves the worst case against the key's and team's budgets (identity
 * from aigw-virtual-key) in one atomic Redis script, before any upstream call.
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { BudgetSubject, RequestIdentity } from '../../lib/identity';
import { BudgetLimiter, eventually, retryAfterSeconds } from '../../lib/limits';
import type { Endpoint, PlanBilling, PlanTarget } from '../../lib/plan';
import { nanoToUsdString, worstCaseNano } from '../../lib/pricing';
import { spendSince } from '../../lib/store/ledger';
import { estimatePromptTokens, requestedMaxOutput } from '../../lib/tokens';

/** When neither the request nor the catalogue bounds the output, assume this much. */
const DEFAULT_MAX_OUTPUT = 4096;
/** A reservation outlives the longest possible attempt chain, then is refunded if never settled. */
const RESERVATION_MARGIN_MS = 60_000;

export interface BudgetStores {
  redis: Redis | null;
  pool: Pool | null;
}

export type Reservation =
  /** expiresAt: when an unsettled reservation is refunded by itself (0 when nothing was reserved). */
  | { ok: true; billing: PlanBilling; expiresAt: number }
  | { ok: false; status: number; message: string; code: string; headers: Record<string, string> };

export interface ReservationInput {
  requestId: string;
  identity: RequestIdentity;
  endpoint: Endpoint;
  targets: PlanTarget[];
  body: Record<string, unknown>;
  now: number;
}

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): Reservation {
  return { ok: false, status, code, message, headers };
}

/** The most this request can cost on any target of its plan, or null when a price is unknown. */
export function worstCase(endpoint: Endpoint, targets: PlanTarget[], body: Record<string, unknown>, promptTokens: number): number | null {
  let worst = 0;
  for (const target of targets) {
    if (!target.pricing) return null;
    const maxOutput = endpoint === 'embeddings' ? 0 : (requestedMaxOutput(body) ?? target.pricing.max_output_tokens ?? DEFAULT_MAX_OUTPUT);
    worst = Math.max(worst, worstCaseNano(promptTokens, maxOutput, target.pricing));
  }
  return worst;
}

export async function reserveBudget(stores: BudgetStores, input: ReservationInput): Promise<Reservation> {
  const { identity } = input;
  const promptTokens = identity.promptTokensEstimate || estimatePromptTokens(input.body);
  const billing: PlanBilling = {
    keyId: identity.keyId,
    teamId: identity.teamId,
    userId: identity.userId,
    promptTokensEstimate: promptTokens,
    reservedNano: 0,
    budgets: identity.budgets,
    rateSubjects: identity.rateSubjects,
    admittedAt: identity.admittedAt,
    parallelLeaseMs: identity.parallelLeaseMs,
  };
  if (identity.budgets.length === 0) return { ok: true, billing, expiresAt: 0 };

  const amount = worstCase(input.endpoint, input.targets, input.body, promptTokens);
  if (amount === null) {
    return refuse(403, 'model_price_unknown', 'This model has no known price, so it cannot be used with a budgeted key. Ask an operator to set its pricing.');
  }
  // Money safety fails closed: without the shared counters no budget can be enforced.
  if (!stores.redis) throw new Error('budgets are configured but aigw-proxy has no redis_url');
  const pool = stores.pool;
  const loadSpent = async (subject: BudgetSubject): Promise<number> => {
    if (!pool) throw new Error('cannot rebuild budget counters without database_url');
    return spendSince(pool, { kind: subject.kind, id: subject.id, since: new Date(subject.periodStart) });
  };
  const ttlMs = input.targets.reduce((sum, t) => sum + t.timeouts.totalMs, 0) + RESERVATION_MARGIN_MS;
  const limiter = new BudgetLimiter(stores.redis);
  const result = await limiter
    .reserveWithInit({ requestId: input.requestId, amountNano: amount, subjects: identity.budgets, ttlMs, now: input.now }, loadSpent)
    .catch((error: unknown) => {
      // The reserve may still run (a stalled Redis resumes) after this request was refused.
      refundUnsettled(stores.redis!, input.requestId, identity.budgets, input.now + ttlMs);
      throw error;
    });
  if (result.ok) return { ok: true, billing: { ...billing, reservedNano: amount }, expiresAt: input.now + ttlMs };
  if (result.reason === 'over_budget') {
    const subject = result.subject;
    const headers: Record<string, string> = {};
    if (subject.periodEnd !== null) headers['retry-after'] = String(retryAfterSeconds(subject.periodEnd - input.now));
    return refuse(
      429,
      'budget_exceeded',
      `Budget exceeded for this ${subject.kind}: $${nanoToUsdString(result.remainingNano)} left of $${nanoToUsdString(subject.maxNano)}, ` +
        `and this request may cost up to $${nanoToUsdString(amount)}. Lower max_tokens or wait for the budget window to reset.`,
      headers,
    );
  }
  throw new Error(`budget reservation for request ${input.requestId} was already finished`);
}

/**
 * Safety net after the response, and undo of a reserve that failed: refunds a reservation the
 * relay never settled (a no-op once it has). Retried in the background until Redis answers or
 * the reservation has expired (and been refunded) by itself.
 */
export function refundUnsettled(redis: Redis, requestId: string, subjects: BudgetSubject[], until: number): void {
  const limiter = new BudgetLimiter(redis);
  eventually.run(`refund reservation ${requestId}`, () => limiter.refund({ requestId, subjects }), until);
}
