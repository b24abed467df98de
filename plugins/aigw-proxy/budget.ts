/**
 * Budget reservation at plan time: only aigw-proxy knows the targets a request may reach and
 * their prices, so it reserves the worst case against the key's and team's budgets (identity
 * from aigw-virtual-key) in one atomic Redis script, before any upstream call.
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { MAX_BUDGET_NANO, type BudgetSubject, type RequestIdentity } from '../../lib/identity';
import { BudgetLimiter, retryAfterSeconds } from '../../lib/limits';
import type { Endpoint, PlanBilling, PlanTarget } from '../../lib/plan';
import { nanoToUsdString, worstCaseNano } from '../../lib/pricing';
import { spendSince } from '../../lib/store/ledger';
import { estimatePromptTokens, promptShape, promptTokenBound, requestedMaxOutput, type TokenTarget } from '../../lib/tokens';

/** When neither the request nor the catalogue bounds the output, assume this much. */
const DEFAULT_MAX_OUTPUT = 4096;
/** A reservation outlives the longest possible attempt chain, then is refunded if never settled. */
const RESERVATION_MARGIN_MS = 60_000;

export interface BudgetStores {
  redis: Redis | null;
  pool: Pool | null;
}

export type Reservation =
  | { ok: true; billing: PlanBilling }
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

/**
 * Above any budget a key or team can have, so a request that may cost more is refused whatever
 * its budget, and every reservation stays far below 2^53 in the Redis counters.
 */
export const MAX_RESERVATION_NANO = MAX_BUDGET_NANO + 1;

/** What the prompt bound needs to know about a target. */
export function tokenTarget(target: PlanTarget): TokenTarget {
  return { provider: target.provider, contextWindow: target.pricing?.context_window, maxImageTokens: target.pricing?.max_image_tokens };
}

/**
 * The most this request can cost on any target of its plan, or null when a price is unknown:
 * every prompt token the target could bill (promptTokenBound) at the dearest prompt rate, plus
 * the full output allowance for each of the `n` choices. Capped at MAX_RESERVATION_NANO.
 */
export function worstCase(endpoint: Endpoint, targets: PlanTarget[], body: Record<string, unknown>): number | null {
  const shape = promptShape(body, endpoint);
  const requested = requestedMaxOutput(body);
  const choices = endpoint === 'chat.completions' && Number.isSafeInteger(body.n) && (body.n as number) > 1 ? (body.n as number) : 1;
  let worst = 0;
  for (const target of targets) {
    if (!target.pricing) return null;
    const promptTokens = promptTokenBound(shape, tokenTarget(target));
    const maxOutput = endpoint === 'embeddings' ? 0 : (requested ?? target.pricing.max_output_tokens ?? DEFAULT_MAX_OUTPUT) * choices;
    worst = Math.max(worst, worstCaseNano(promptTokens, maxOutput, target.pricing));
  }
  // Products of huge token counts and prices lose integer precision: clamp before they matter.
  return Number.isSafeInteger(worst) && worst < MAX_RESERVATION_NANO ? worst : MAX_RESERVATION_NANO;
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
  };
  if (identity.budgets.length === 0) return { ok: true, billing };

  const amount = worstCase(input.endpoint, input.targets, input.body);
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
  const result = await new BudgetLimiter(stores.redis).reserveWithInit(
    { requestId: input.requestId, amountNano: amount, subjects: identity.budgets, ttlMs, now: input.now },
    loadSpent,
  );
  if (result.ok) return { ok: true, billing: { ...billing, reservedNano: amount } };
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

/** Safety net after the response: refunds a reservation the relay never settled (it never got the request). */
export async function refundUnsettled(redis: Redis, requestId: string, subjects: BudgetSubject[]): Promise<void> {
  await new BudgetLimiter(redis).refund({ requestId, subjects });
}
