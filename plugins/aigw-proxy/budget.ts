/**
 * Budget reservation at plan time: only aigw-proxy knows the targets a request may reach and
 * their prices, so it reserves the worst case against the key's and team's budgets (identity
 * from aigw-virtual-key) in one atomic Redis script, before any upstream call.
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { isTokenCount } from '../../lib/endpoints';
import { type GatewayError, gatewayError } from '../../lib/errors';
import type { BudgetSubject, RequestIdentity } from '../../lib/identity';
import { BudgetLimiter, eventually, retryAfterSeconds } from '../../lib/limits';
import { MAX_BUDGET_NANO, nanoToUsdString } from '../../lib/money';
import type { Endpoint, PlanBilling, PlanTarget } from '../../lib/plan';
import { worstCaseNano } from '../../lib/pricing';
import { spendSince } from '../../lib/store/ledger';
import { combineShapes, type PromptShape, promptShape, promptTokenBound, requestedChoices, requestedMaxOutput, type TokenTarget } from '../../lib/tokens';

/** A reservation outlives the longest possible attempt chain, then is refunded if never settled. */
const RESERVATION_MARGIN_MS = 60_000;

export interface BudgetStores {
  redis: Redis | null;
  pool: Pool | null;
}

export type Reservation =
  /** expiresAt: when an unsettled reservation is refunded by itself (0 when nothing was reserved). */
  { ok: true; billing: PlanBilling; expiresAt: number } | { ok: false; error: GatewayError };

export interface ReservationInput {
  requestId: string;
  identity: RequestIdentity;
  endpoint: Endpoint;
  targets: PlanTarget[];
  body: Record<string, unknown>;
  /** The worst case of a multi-call request (multi-call.ts), instead of one call on `targets`. */
  worstCase?: number | Unbounded;
  /** Earlier context the request continues (a kept response, previous_response_id): billed as prompt too. */
  context?: PromptShape | null;
  now: number;
}

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): Reservation {
  return { ok: false, error: gatewayError(status, message, code, null, headers) };
}

/**
 * Above any budget a key or team can have, so a request that may cost more is refused whatever
 * its budget, and every reservation stays far below 2^53 in the Redis counters.
 */
export const MAX_RESERVATION_NANO = MAX_BUDGET_NANO + 1;

/** What the prompt bound needs to know about a target. */
export function tokenTarget(target: PlanTarget): TokenTarget {
  return { provider: target.provider, contextWindow: target.pricing?.context_window, maxImageTokens: target.pricing?.max_image_tokens };
}

/** Why no worst case can be computed: a target without a price, or without any output limit. */
export type Unbounded = 'price' | 'output_limit';

/**
 * The most one choice can generate on a target: the request's own limit, never above the
 * model's (a provider refuses a larger one, or stops at its own); null when neither is known.
 */
function outputLimit(requested: number | null, target: PlanTarget): number | null {
  const modelMax = target.pricing?.max_output_tokens;
  if (requested === null) return modelMax ?? null;
  return modelMax === undefined ? requested : Math.min(requested, modelMax);
}

/**
 * The most this request can cost on any target of its plan: every prompt token the target could
 * bill (promptTokenBound) at the dearest prompt rate, plus the output limit for each of the `n`
 * choices. Capped at MAX_RESERVATION_NANO. Without a price, or without any output limit (neither
 * the request nor the model has one), there is no bound to reserve.
 */
export function worstCase(endpoint: Endpoint, targets: PlanTarget[], body: Record<string, unknown>, context: PromptShape | null = null): number | Unbounded {
  const own = promptShape(body, endpoint);
  const shape = context ? combineShapes(own, context) : own;
  const output = endpoint === 'embeddings' ? 0 : requestedMaxOutput(body, endpoint);
  return worstCaseOfShape(targets, shape, output, requestedChoices(body, endpoint));
}

/**
 * The most a prompt of this shape can cost on any of the targets, with `requested` output tokens
 * per choice (null: the model's limit; 0: none, embeddings). Capped at MAX_RESERVATION_NANO.
 */
export function worstCaseOfShape(targets: PlanTarget[], shape: PromptShape, requested: number | null, choices: number): number | Unbounded {
  let worst = 0;
  for (const target of targets) {
    if (!target.pricing) return 'price';
    const promptTokens = promptTokenBound(shape, tokenTarget(target));
    const perChoice = requested === 0 ? 0 : outputLimit(requested, target);
    if (perChoice === null) return 'output_limit';
    worst = Math.max(worst, worstCaseNano(promptTokens, perChoice * choices, target.pricing));
  }
  // Products of huge token counts and prices lose integer precision: clamp before they matter.
  return Number.isSafeInteger(worst) && worst < MAX_RESERVATION_NANO ? worst : MAX_RESERVATION_NANO;
}

export async function reserveBudget(stores: BudgetStores, input: ReservationInput): Promise<Reservation> {
  const { identity } = input;
  const billing: PlanBilling = {
    keyId: identity.keyId,
    teamId: identity.teamId,
    userId: identity.userId,
    teamName: identity.teamName ?? null,
    keyAlias: identity.keyAlias,
    // Counted by aigw-virtual-key only when a policy needed it (0 otherwise; the relay counts on demand).
    promptTokensEstimate: identity.promptTokensEstimate,
    reservedNano: 0,
    budgets: identity.budgets,
    rateSubjects: identity.rateSubjects,
    admittedAt: identity.admittedAt,
    parallelLeaseMs: identity.parallelLeaseMs,
  };
  // A token count spends nothing: nothing is reserved, whatever is left of the budget.
  if (isTokenCount(input.endpoint)) return { ok: true, billing: { ...billing, budgets: [] }, expiresAt: 0 };
  if (identity.budgets.length === 0) return { ok: true, billing, expiresAt: 0 };

  const amount = input.worstCase ?? worstCase(input.endpoint, input.targets, input.body, input.context);
  if (amount === 'price') {
    return refuse(403, 'model_price_unknown', 'This model has no known price, so it cannot be used with a budgeted key. Ask an operator to set its pricing.');
  }
  if (amount === 'output_limit') {
    return refuse(
      400,
      'max_tokens_required',
      'This model has no known output limit, so a request from a budgeted key must set max_tokens (or max_completion_tokens). An operator can also set pricing.max_output_tokens for it.',
    );
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
