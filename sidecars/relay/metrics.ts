/**
 * Prometheus metrics of the relay, derived from the usage records so that what is billed and what
 * is graphed can never disagree. Labels are bounded by configuration (models, providers).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { nanoToUsd } from '../../lib/money';
import type { RoutePlan } from '../../lib/plan';
import { registerCatalogueAge } from '../../lib/pricing/catalogue-age';
import type { AttemptWrapper } from './attempt-outcome';
import type { CompressionSavings, UsageRecord, UsageSink } from './usage';

export class RelayMetrics implements UsageSink {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'aigw_relay_requests_total',
    help: 'Requests relayed, by outcome',
    labelNames: ['endpoint', 'model', 'provider', 'stream', 'status', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'aigw_relay_tokens_total',
    help: 'Tokens reported by providers (cached and reasoning are subsets of prompt and completion)',
    labelNames: ['model', 'provider', 'type'] as const,
    registers: [this.registry],
  });
  private readonly missingUsage = new Counter({
    name: 'aigw_relay_usage_missing_total',
    help: 'Successful responses for which the provider reported no usage (the gateway counted it, marked estimated)',
    labelNames: ['model', 'provider'] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'aigw_relay_cost_usd_total',
    help: 'What requests were charged, in USD (from the same numbers as the spend ledger)',
    labelNames: ['model', 'provider'] as const,
    registers: [this.registry],
  });
  private readonly costUnknown = new Counter({
    name: 'aigw_relay_cost_unknown_total',
    help: 'Requests whose cost is unknown because the model has no price (recorded as unknown, never 0)',
    labelNames: ['model', 'provider'] as const,
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: 'aigw_relay_attempts_total',
    help: 'Upstream attempts by result (ok, or why it failed): retries and failovers show here',
    labelNames: ['provider', 'model', 'result'] as const,
    registers: [this.registry],
  });
  private readonly breakerTransitions = new Counter({
    name: 'aigw_relay_breaker_transitions_total',
    help: 'Circuit breaker state changes caused by this relay, by the state entered',
    labelNames: ['provider', 'model', 'state'] as const,
    registers: [this.registry],
  });
  private readonly breakerState = new Gauge({
    name: 'aigw_relay_breaker_state',
    help: 'Last breaker state this relay saw per target: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });
  private readonly routing = new Counter({
    name: 'aigw_relay_routing_decisions_total',
    help: 'Plans relayed, by balancing algorithm and the target that answered',
    labelNames: ['model', 'algorithm', 'provider', 'target_model', 'position'] as const,
    registers: [this.registry],
  });
  private readonly droppedFeatures = new Counter({
    name: 'aigw_relay_dropped_features_total',
    help: 'Request features a target could not take, left out by the translation policy or the adapter (e.g. cache_control sent to Gemini)',
    labelNames: ['provider', 'feature'] as const,
    registers: [this.registry],
  });
  private readonly compressions = new Counter({
    name: 'aigw_compression_requests_total',
    help: 'Requests aigw-prompt-compressor worked on, by method and outcome (failed_open: the original prompt was sent)',
    labelNames: ['model', 'method', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly compressionTokensSaved = new Counter({
    name: 'aigw_compression_tokens_saved_total',
    help: 'Prompt tokens (o200k) that prompt compression removed',
    labelNames: ['model', 'method'] as const,
    registers: [this.registry],
  });
  private readonly compressionSaved = new Counter({
    name: 'aigw_compression_saved_usd_total',
    help: "What the removed prompt tokens would have cost at the answering target's input price, in USD",
    labelNames: ['model', 'method'] as const,
    registers: [this.registry],
  });
  private readonly cacheFills = new Counter({
    name: 'aigw_cache_fills_total',
    help: 'Semantic cache fills after a miss: stored, not cacheable (unfinished, refused, cut) or failed (Redis)',
    labelNames: ['model', 'result'] as const,
    registers: [this.registry],
  });
  private readonly firstByte = new Histogram({
    name: 'aigw_relay_first_byte_seconds',
    help: 'Time from request arrival to the first byte sent to the client',
    labelNames: ['model', 'provider', 'stream'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'aigw_relay_duration_seconds',
    help: 'Time from request arrival to the end of the response',
    labelNames: ['model', 'provider', 'stream'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    // How old the prices are that every cost is computed from: alert when it grows.
    registerCatalogueAge(this.registry);
  }

  record(entry: UsageRecord): void {
    const stream = String(entry.stream);
    const base = { model: entry.model, provider: entry.provider };
    this.requests.inc({ ...base, endpoint: entry.endpoint, stream, status: String(entry.status), outcome: entry.outcome });
    this.duration.observe({ ...base, stream }, entry.durationMs / 1000);
    if (entry.firstByteMs !== null) this.firstByte.observe({ ...base, stream }, entry.firstByteMs / 1000);
    if (entry.costNano === null) {
      if (entry.usage) this.costUnknown.inc(base);
    } else {
      this.cost.inc(base, nanoToUsd(entry.costNano));
    }
    if (entry.usage?.estimated) this.missingUsage.inc(base);
    if (entry.compression) this.recordCompression(entry.model, entry.compression);
    if (entry.usage) {
      this.tokens.inc({ ...base, type: 'prompt' }, entry.usage.promptTokens);
      this.tokens.inc({ ...base, type: 'completion' }, entry.usage.completionTokens);
      this.tokens.inc({ ...base, type: 'cached' }, entry.usage.cachedTokens);
      this.tokens.inc({ ...base, type: 'reasoning' }, entry.usage.reasoningTokens);
    } else if (entry.outcome === 'ok') {
      this.missingUsage.inc(base);
    }
  }

  private recordCompression(model: string, compression: CompressionSavings): void {
    const labels = { model, method: compression.method };
    this.compressions.inc({ ...labels, outcome: compression.outcome });
    this.compressionTokensSaved.inc(labels, compression.tokensSaved);
    if (compression.savedNano !== null) this.compressionSaved.inc(labels, nanoToUsd(compression.savedNano));
  }

  cacheFill(model: string, result: string): void {
    this.cacheFills.inc({ model, result });
  }

  attempt(provider: string, model: string, result: string): void {
    this.attempts.inc({ provider, model, result });
  }

  breakerTransition(provider: string, model: string, state: 'closed' | 'open' | 'half_open'): void {
    this.breakerTransitions.inc({ provider, model, state });
    this.breakerState.set({ provider, model }, state === 'closed' ? 0 : state === 'half_open' ? 1 : 2);
  }

  routed(model: string, algorithm: string, provider: string, targetModel: string, position: number): void {
    this.routing.inc({ model, algorithm, provider, target_model: targetModel, position: String(position) });
  }

  dropped(provider: string, features: string[]): void {
    for (const feature of features) this.droppedFeatures.inc({ provider, feature });
  }

  async close(): Promise<void> {}
}

/** Counts every attempt by its result and, for the one that answered, the routing decision that chose it. */
export function withAttemptMetrics(metrics: RelayMetrics | undefined, plan: RoutePlan): AttemptWrapper {
  return (next) => async (target, position) => {
    const outcome = await next(target, position);
    metrics?.attempt(target.provider, target.model, outcome.ok ? 'ok' : outcome.failure.kind);
    if (outcome.ok) metrics?.routed(plan.model, plan.routing?.algorithm ?? 'none', target.provider, target.model, position);
    return outcome;
  };
}
