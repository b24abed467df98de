/**
 * A request's bill and usage record. The bill is charged once, by whatever settles the request
 * first (a stream's usage, the answer, the last failure, the client leaving); the record carries
 * the target that answered, the outcome and the cost.
 */

import { type CompressionReport, tokensSaved } from '../../lib/compression/report';
import { nanoToUsd, nanoToUsdString } from '../../lib/money';
import type { ChatCompletion } from '../../lib/openai-types';
import type { PlanTarget } from '../../lib/plan';
import { inputSavingsNano } from '../../lib/pricing';
import type { RelayRequest } from './admit';
import { AttemptTrail, providerMsOf } from './attempt-trail';
import type { RelayBilling } from './billing';
import type { RelayCacheFill } from './cache-fill';
import { estimatePrompt, estimateUsage } from './estimate';
import type { CompressionSavings, TokenUsage, UsageOutcome, UsageRecord, UsageSink } from './usage';

export const COST_HEADER = 'x-gateway-cost';

export class Settlement {
  /** Nano-USD once charged; null when the price is unknown; undefined until charged. */
  private costNano: number | null | undefined;

  /** The canonical answer, when the relay saw it whole (for the semantic cache). */
  private answer: ChatCompletion | null = null;

  /** The prompt estimate, counted at most once per request. */
  private promptEstimate: number | undefined;

  private interTokenMs: number | null | undefined;

  /** Every attempt of the walk, for the request log (run-plan.ts wraps each attempt with it). */
  readonly attempts = new AttemptTrail();

  constructor(
    private readonly request: RelayRequest,
    private readonly billing: RelayBilling,
    private readonly sink: UsageSink,
    private readonly cache: RelayCacheFill | null = null,
  ) {}

  /** The whole answer (JSON, or a stream put back together), offered to the cache when the request ends well. */
  noteAnswer(completion: ChatCompletion): void {
    this.answer = completion;
  }

  /** The answer the client got is not the one noted (withheld or redacted by the guardrails): nothing to cache. */
  forgetAnswer(): void {
    this.answer = null;
  }

  /** Charges the request (once) and returns the cost header for the answer. */
  async charge(target: PlanTarget, usage: TokenUsage | null, outcome: UsageOutcome): Promise<Record<string, string>> {
    if (this.costNano === undefined) this.costNano = await this.billing.settle(this.request.plan, target, usage, outcome);
    return this.costNano === null ? {} : { [COST_HEADER]: nanoToUsdString(this.costNano) };
  }

  /** What was charged, in USD, for `usage.cost` in answers; null when unknown. */
  costUsd(): number | null {
    return this.costNano === undefined || this.costNano === null ? null : nanoToUsd(this.costNano);
  }

  /** The provider reported no usage: count it, and say so (usage.estimated, a metric). */
  estimate(generatedText: string): TokenUsage {
    return estimateUsage(this.promptTokensEstimate(), generatedText);
  }

  /** The prompt's tokens at the gateway's estimate: what a bill without usage charges, and what a stream shows before the provider reports any. */
  promptTokensEstimate(): number {
    this.promptEstimate ??= estimatePrompt(this.request.plan.billing?.promptTokensEstimate, this.request.clientBody, this.request.plan.endpoint);
    return this.promptEstimate;
  }

  /** A stream's mean gap between content chunks (stream-engine.ts). */
  noteInterToken(ms: number | null): void {
    this.interTokenMs = ms;
  }

  record(
    target: PlanTarget,
    status: number,
    outcome: UsageOutcome,
    usage: TokenUsage | null,
    firstByteAt: number | null,
    errorCode: string | null = null,
  ): void {
    const { plan } = this.request;
    const recorded = usageRecord(this.request, target, { status, outcome, usage, firstByteAt, costNano: this.costNano ?? null });
    const entry: UsageRecord = {
      ...recorded,
      ...(this.interTokenMs !== undefined ? { interTokenMs: this.interTokenMs } : {}),
      ...(plan.compression ? { compression: compressionSavings(plan.compression, target) } : {}),
      ...this.attemptsFor(status, outcome, recorded.durationMs),
      errorCode,
      cacheMiss: plan.cache !== undefined,
      guardrailActions: this.request.guardActions?.summary() ?? null,
    };
    this.sink.record(entry);
    this.request.trace?.recorded(entry, this.answer);
    this.billing.recordLedger(entry, plan);
    // After the answer is on its way: the fill (decoding the vector, the Redis write) is not the client's wait.
    const { cache, answer } = this;
    if (cache && answer && status === 200 && outcome === 'ok') setImmediate(() => cache.fill(plan, answer, usage, entry.costNano));
  }

  /** `durationMs`: the request's, which the attempts' rounded milliseconds must not add up past. */
  private attemptsFor(status: number, outcome: UsageOutcome, durationMs: number): Pick<UsageRecord, 'attempts' | 'providerMs'> {
    const attempts = this.attempts.list(status, outcome);
    return { attempts, providerMs: Math.min(providerMsOf(attempts), durationMs) };
  }
}

/** How a request ended, for its usage record. */
export interface RecordedResult {
  status: number;
  outcome: UsageOutcome;
  usage: TokenUsage | null;
  firstByteAt: number | null;
  costNano: number | null;
}

/** A request's usage record: who asked, which target answered, and how it ended. */
export function usageRecord(request: RelayRequest, target: PlanTarget, result: RecordedResult): UsageRecord {
  const { plan, startedAt, stream } = request;
  return {
    requestId: plan.requestId,
    endpoint: plan.endpoint,
    model: plan.model,
    provider: target.provider,
    providerModel: target.model,
    stream,
    status: result.status,
    outcome: result.outcome,
    usage: result.usage,
    startedAt,
    firstByteMs: result.firstByteAt === null ? null : result.firstByteAt - startedAt,
    durationMs: request.startedAtMono === undefined ? Date.now() - startedAt : Math.round(performance.now() - request.startedAtMono),
    costNano: result.costNano,
    keyId: plan.billing?.keyId ?? null,
    teamId: plan.billing?.teamId ?? null,
    teamName: plan.billing?.teamName ?? null,
    keyAlias: plan.billing?.keyAlias ?? null,
    clientFormat: request.format.name,
    traceId: request.traceId ?? null,
    templateName: plan.template?.name ?? null,
    templateVersion: plan.template?.version ?? null,
    route: plan.route ?? null,
  };
}

/** Tokens compression removed, priced at the target that answered (its input rate). */
export function compressionSavings(report: CompressionReport, target: PlanTarget): CompressionSavings {
  const saved = tokensSaved(report);
  return {
    method: report.methods.join('+'),
    outcome: report.outcome,
    tokensSaved: saved,
    savedNano: target.pricing ? inputSavingsNano(saved, target.pricing) : null,
    ...(report.outcome === 'compressed' && report.originalTokens > 0 ? { ratio: report.compressedTokens / report.originalTokens } : {}),
  };
}
