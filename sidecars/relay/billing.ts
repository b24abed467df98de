/**
 * Settlement: the actual cost of a relayed request, charged against the reservation aigw-proxy
 * made (the difference refunded), the tokens-per-minute window corrected to actual usage, and
 * the spend-ledger row written after the charge (so a counter rebuild can only over-count).
 */
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { BudgetSubject } from '../../lib/identity';
import { BudgetLimiter, type Eventually, eventually, RateLimiter } from '../../lib/limits';
import type { Logger } from '../../lib/log';
import type { PlanTarget, RoutePlan } from '../../lib/plan';
import { costNano } from '../../lib/pricing';
import type { RouteDecision } from '../../lib/router/decision';
import { type LedgerRow, spendSince } from '../../lib/store/ledger';
import type { LedgerWriter } from '../../lib/store/ledger-writer';
import type { RelayMetrics } from './metrics';
import type { TokenUsage, UsageOutcome, UsageRecord } from './usage';

/** How long an undelivered settlement is retried (reservation records are kept 24 h). */
const SETTLE_RETRY_MS = 3_600_000;

/** Outcomes where the provider produced nothing billable. */
const NOTHING_PRODUCED: ReadonlySet<UsageOutcome> = new Set(['upstream_error', 'upstream_unreachable', 'timeout']);

/**
 * The cost to charge, in nano-USD; null when the price is unknown. Cut and abandoned streams
 * arrive here with the usage the gateway counted from what was delivered; only a failure the
 * relay could not account for (an internal error after the answer began) has no usage, and is
 * charged the reservation, the bound it promised never to exceed.
 */
export function chargeFor(plan: RoutePlan, target: PlanTarget, usage: TokenUsage | null, outcome: UsageOutcome): number | null {
  if (usage) return target.pricing ? costNano(usage, target.pricing) : null;
  if (NOTHING_PRODUCED.has(outcome)) return 0;
  return plan.billing && plan.billing.reservedNano > 0 ? plan.billing.reservedNano : null;
}

/** A ledger row's token columns: what a call's usage reported (zeros when it reported none). */
export function tokenColumns(
  usage: TokenUsage | null | undefined,
): Pick<LedgerRow, 'promptTokens' | 'completionTokens' | 'cachedTokens' | 'reasoningTokens' | 'usageEstimated'> {
  return {
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    cachedTokens: usage?.cachedTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    usageEstimated: usage?.estimated === true,
  };
}

/** A ledger row's routing columns: aigw-router's decision, when the client named a router. */
export function routeColumns(route: RouteDecision | null | undefined): Pick<LedgerRow, 'router' | 'route' | 'routeReason'> {
  return { router: route?.router ?? null, route: route?.route ?? null, routeReason: route?.reason ?? null };
}

export class RelayBilling {
  private readonly settled = new Set<string>();

  constructor(
    private readonly redis: Redis | null,
    private readonly pool: Pool | null,
    private readonly ledger: LedgerWriter | null,
    private readonly log: Logger,
    private readonly later: Eventually = eventually,
    private readonly metrics?: RelayMetrics,
  ) {}

  /** Charges the request once; returns the cost in nano-USD (null = unknown price). */
  async settle(plan: RoutePlan, target: PlanTarget, usage: TokenUsage | null, outcome: UsageOutcome): Promise<number | null> {
    const charge = chargeFor(plan, target, usage, outcome);
    return this.settleCharge(plan, charge, usage ? usage.promptTokens + usage.completionTokens : null);
  }

  /**
   * Settles the request's reservation once with a charge already computed (a strategy's or a
   * cascade's sum over its inner calls); `tokens`: the actual tokens, null = none reported.
   */
  async settleCharge(plan: RoutePlan, charge: number | null, tokens: number | null): Promise<number | null> {
    const billing = plan.billing;
    if (!billing || this.settled.has(plan.requestId)) return charge;
    this.settled.add(plan.requestId);
    setTimeout(() => this.settled.delete(plan.requestId), 600_000).unref();
    if (!this.redis) return charge;
    const redis = this.redis;
    if (billing.budgets.length > 0) {
      const settle = (): Promise<unknown> =>
        new BudgetLimiter(redis).settleWithInit({ requestId: plan.requestId, actualNano: charge ?? 0, subjects: billing.budgets }, (subject) =>
          this.spentInLedger(subject),
        );
      await settle().catch((error: unknown) => {
        this.metrics?.storeError('redis', 'budget_settle');
        // Settles are idempotent: keep delivering it (a late settle still charges the windows its
        // reservation named), so the budget counter never forgets spend the ledger records.
        this.log.error('budget settlement failed; retrying in the background', { requestId: plan.requestId, error: (error as Error).message });
        this.later.run(`settle ${plan.requestId}`, settle, Date.now() + SETTLE_RETRY_MS);
      });
    }
    const actualTokens = tokens ?? billing.promptTokensEstimate;
    // A rate correction is not idempotent and not money: one attempt.
    await new RateLimiter(redis)
      .addTokens(billing.rateSubjects, actualTokens - billing.promptTokensEstimate, { admittedAt: billing.admittedAt })
      .catch((error: unknown) => {
        this.metrics?.storeError('redis', 'rate_correction');
        this.log.warn('token-rate correction failed', { requestId: plan.requestId, error: (error as Error).message });
      });
    return charge;
  }

  private spentInLedger(subject: BudgetSubject): Promise<number> {
    if (!this.pool) throw new Error('no database to rebuild budget counters from');
    return spendSince(this.pool, { kind: subject.kind, id: subject.id, since: new Date(subject.periodStart) });
  }

  /** One ledger row per billed request, written after settlement. */
  recordLedger(record: UsageRecord, plan: RoutePlan): void {
    if (!plan.billing) return;
    this.writeLedgerRow({
      requestId: record.requestId,
      keyId: plan.billing.keyId,
      teamId: plan.billing.teamId,
      userId: plan.billing.userId,
      model: record.model,
      provider: record.provider,
      providerModel: record.providerModel,
      ...tokenColumns(record.usage),
      compressionMethod: record.compression?.method ?? null,
      compressionTokensSaved: record.compression?.tokensSaved ?? 0,
      compressionSavedNano: record.compression?.savedNano ?? null,
      templateName: record.templateName ?? null,
      templateVersion: record.templateVersion ?? null,
      guardrailActions: record.guardrailActions ?? null,
      ...routeColumns(record.route),
      costNano: record.costNano,
      status: record.status,
      outcome: record.outcome,
      stream: record.stream,
      createdAt: record.startedAt,
    });
  }

  /** A ledger row as it is (an inner call of a strategy or cascade, built by strategy/bill.ts). */
  writeLedgerRow(row: LedgerRow): void {
    this.ledger?.write(row);
  }
}
