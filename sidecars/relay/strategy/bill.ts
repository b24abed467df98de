/**
 * The bill of a multi-call request (a cascade or a reasoning strategy): every inner call is
 * added as it ends, each its own ledger row linked to the client's request; the client's
 * reservation is settled once with the sum. Ledger rows are written after the settle, as for a
 * single call, so a counter rebuild can only over-count.
 */
import { nanoToUsd, nanoToUsdString } from '../../../lib/money';
import type { PlanTarget } from '../../../lib/plan';
import { costNano } from '../../../lib/pricing';
import type { StrategyRole } from '../../../lib/strategy/plan';
import type { RelayRequest } from '../admit';
import { type RelayBilling, routeColumns, tokenColumns } from '../billing';
import { COST_HEADER } from '../settlement';
import type { TokenUsage, UsageOutcome } from '../usage';
import type { StrategySeries } from './metrics';

export interface BilledCall {
  role: StrategyRole;
  /** The public model group the call ran on. */
  model: string;
  target: PlanTarget;
  usage: TokenUsage | null;
  /** Nano-USD; null when the target's price is unknown. */
  costNano: number | null;
  status: number;
  outcome: UsageOutcome;
  /** `ok` or the failure kind, for aigw_strategy_calls_total. */
  result: string;
}

/** What a call that produced `usage` on `target` costs; null when its price is unknown. */
export function callCost(target: PlanTarget, usage: TokenUsage | null): number | null {
  if (!usage) return 0;
  return target.pricing ? costNano(usage, target.pricing) : null;
}

export class StrategyBill {
  readonly calls: BilledCall[] = [];
  private settledNano: number | undefined;

  constructor(
    private readonly request: RelayRequest,
    private readonly billing: RelayBilling,
    /** `cascade`, or the strategy's name: the ledger's `strategy` column and the metrics' label. */
    readonly strategy: string,
    private readonly series: StrategySeries | null,
  ) {}

  add(call: BilledCall): void {
    this.calls.push(call);
    this.series?.call(this.strategy, call.role, call.result);
  }

  /** All calls' usage together: what the final answer reports. */
  usage(): TokenUsage {
    const sum: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedTokens: 0, reasoningTokens: 0 };
    for (const { usage } of this.calls) {
      if (!usage) continue;
      sum.promptTokens += usage.promptTokens;
      sum.completionTokens += usage.completionTokens;
      sum.totalTokens += usage.totalTokens;
      sum.cachedTokens += usage.cachedTokens;
      sum.reasoningTokens += usage.reasoningTokens;
      if (usage.estimated) sum.estimated = true;
    }
    return sum;
  }

  /** The known costs added up (an unknown price adds nothing, as in the ledger's sums). */
  totalNano(): number {
    return this.calls.reduce((sum, call) => sum + (call.costNano ?? 0), 0);
  }

  /** Settles the reservation with the sum (once), then writes one ledger row per call; the cost header for the answer. */
  async settle(): Promise<Record<string, string>> {
    if (this.settledNano === undefined) {
      const usage = this.usage();
      this.settledNano = this.totalNano();
      await this.billing.settleCharge(this.request.plan, this.settledNano, this.calls.length > 0 ? usage.promptTokens + usage.completionTokens : null);
      this.writeRows();
    }
    return { [COST_HEADER]: nanoToUsdString(this.settledNano) };
  }

  costUsd(): number | null {
    return this.settledNano === undefined ? null : nanoToUsd(this.settledNano);
  }

  private writeRows(): void {
    const { plan, startedAt, stream } = this.request;
    const billing = plan.billing;
    if (!billing) return;
    for (const [index, call] of this.calls.entries()) {
      this.billing.writeLedgerRow({
        requestId: innerRequestId(plan.requestId, index),
        parentRequestId: plan.requestId,
        strategy: this.strategy,
        strategyRole: call.role,
        keyId: billing.keyId,
        teamId: billing.teamId,
        userId: billing.userId,
        model: call.model,
        provider: call.target.provider,
        providerModel: call.target.model,
        ...tokenColumns(call.usage),
        templateName: plan.template?.name ?? null,
        templateVersion: plan.template?.version ?? null,
        ...routeColumns(plan.route),
        costNano: call.costNano,
        status: call.status,
        outcome: call.outcome,
        stream,
        createdAt: startedAt,
      });
    }
  }
}

/** An inner call's ledger request id: `<client's request id>:<1-based call number>` (unique, so a retried batch never bills twice). */
export function innerRequestId(requestId: string, index: number): string {
  return `${requestId}:${index + 1}`;
}
