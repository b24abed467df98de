/**
 * Prometheus metrics of the relay, derived from the usage records so that what is billed and what
 * is graphed can never disagree. Labels are bounded by configuration (models, providers).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayError } from '../../lib/errors';
import { GatewaySeries, type StoreName } from '../../lib/metrics/gateway-series';
import { KongAiSeries, kongAiLabels } from '../../lib/metrics/kong-ai';
import { type KeyLabelMode, keyLabelMode, pluginAnswerLabels, subjectLabels } from '../../lib/metrics/labels';
import { nanoToUsd } from '../../lib/money';
import { errorTypeOfFailure, errorTypeOfOutcome } from '../../lib/observability/error-type';
import type { RoutePlan } from '../../lib/plan';
import { registerCatalogueAge } from '../../lib/pricing/catalogue-age';
import type { AttemptWrapper } from './attempt-outcome';
import type { CompressionSavings, UsageRecord, UsageSink } from './usage';

/** Why a request reached the relay without a valid plan (lib/plan.ts verifyPlan's reasons), as a bounded label. */
const UNVERIFIED_REASONS: ReadonlyArray<[string, string]> = [
  ['missing', 'missing'],
  ['signature', 'invalid_signature'],
  ['malformed', 'malformed'],
  ['expired', 'expired'],
  ['already used', 'replayed'],
  ['body', 'body_mismatch'],
  ['belong', 'other_request'],
];

export function unverifiedReason(message: string): string {
  return UNVERIFIED_REASONS.find(([part]) => message.includes(part))?.[1] ?? 'invalid';
}

export class RelayMetrics implements UsageSink {
  readonly registry = new Registry();
  /** The series every process exports (aigw_requests_total, store errors, …). */
  readonly series = GatewaySeries.of(this.registry);
  private readonly kong = new KongAiSeries(this.registry);
  private readonly keyMode: KeyLabelMode;
  private readonly requests = new Counter({
    name: 'aigw_relay_requests_total',
    help: 'Requests relayed, by outcome and who an error is on (error_type)',
    labelNames: ['endpoint', 'model', 'provider', 'stream', 'status', 'outcome', 'error_type'] as const,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'aigw_relay_tokens_total',
    help: 'Tokens reported by providers (cached_read, cached_write and reasoning are subsets of prompt and completion; estimated: counted by the gateway)',
    labelNames: ['model', 'provider', 'team', 'key', 'type'] as const,
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
    labelNames: ['model', 'provider', 'team', 'key'] as const,
    registers: [this.registry],
  });
  private readonly costUnknown = new Counter({
    name: 'aigw_relay_cost_unknown_total',
    help: 'Requests whose cost is unknown because the model has no price (recorded as unknown, never 0)',
    labelNames: ['model', 'provider'] as const,
    registers: [this.registry],
  });
  private readonly routerRequests = new Counter({
    name: 'aigw_router_requests_total',
    help: 'Requests that named a router (aigw-router), by the route its policy chose and the model group it chose',
    labelNames: ['router', 'route', 'model'] as const,
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: 'aigw_relay_attempts_total',
    help: 'Upstream attempts by result (ok, or why it failed) and who a failure is on (error_type)',
    labelNames: ['provider', 'model', 'result', 'error_type'] as const,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'aigw_relay_retries_total',
    help: 'Attempts that retried the same target after it failed',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });
  private readonly failovers = new Counter({
    name: 'aigw_relay_failovers_total',
    help: "Moves to the plan's next target after one failed, by public model and the targets' providers",
    labelNames: ['model', 'from_provider', 'to_provider'] as const,
    registers: [this.registry],
  });
  private readonly allTargetsFailedTotal = new Counter({
    name: 'aigw_relay_all_targets_failed_total',
    help: "Requests for which every target of the model's plan failed",
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  private readonly ledgerFailures = new Counter({
    name: 'aigw_ledger_write_failures_total',
    help: 'Spend-ledger batch writes to PostgreSQL that failed (the rows stay queued and are retried)',
    registers: [this.registry],
  });
  private readonly ledgers: Array<() => number> = [];
  private readonly requestLogDrops: Array<() => number> = [];
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
    labelNames: ['model', 'method', 'team', 'key'] as const,
    registers: [this.registry],
  });
  private readonly compressionRatio = new Histogram({
    name: 'aigw_compression_ratio',
    help: 'Compressed ÷ original tokens of the text aigw-prompt-compressor compressed, per relayed request (from its report in the plan)',
    labelNames: ['model', 'method'] as const,
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
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

  private readonly interToken = new Histogram({
    name: 'aigw_relay_inter_token_seconds',
    help: 'Mean gap between the streamed content chunks of one stream (one observation per stream)',
    labelNames: ['model', 'provider'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly providerTime = new Histogram({
    name: 'aigw_relay_provider_seconds',
    help: 'Time a request spent waiting on providers, all its attempts together',
    labelNames: ['model', 'provider'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly overhead = new Histogram({
    name: 'aigw_relay_overhead_seconds',
    help: "The relay's own time in a request: its duration minus the time spent waiting on providers (retry back-off included)",
    labelNames: ['stream'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });

  constructor(defaultMetrics = true, env: NodeJS.ProcessEnv = process.env) {
    this.keyMode = keyLabelMode(env);
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    // How old the prices are that every cost is computed from: alert when it grows.
    registerCatalogueAge(this.registry);
    const ledgers = this.ledgers;
    new Gauge({
      name: 'aigw_ledger_backlog_rows',
      help: 'Spend-ledger rows waiting to be written to PostgreSQL',
      registers: [this.registry],
      collect() {
        this.set(ledgers.reduce((sum, pending) => sum + pending(), 0));
      },
    });
    const drops = this.requestLogDrops;
    let counted = 0;
    new Counter({
      name: 'aigw_request_log_dropped_total',
      help: 'Request-log rows dropped because their bounded queue was full (PostgreSQL slow or down); the spend ledger never drops',
      registers: [this.registry],
      collect() {
        const total = drops.reduce((sum, dropped) => sum + dropped(), 0);
        if (total > counted) this.inc(total - counted);
        counted = total;
      },
    });
  }

  /** Reports a request-log writer's dropped rows in aigw_request_log_dropped_total. */
  watchRequestLogDrops(dropped: () => number): void {
    this.requestLogDrops.push(dropped);
  }

  record(entry: UsageRecord): void {
    const stream = String(entry.stream);
    const base = { model: entry.model, provider: entry.provider };
    const who = subjectLabels({ teamName: entry.teamName ?? null, keyId: entry.keyId, keyAlias: entry.keyAlias ?? null }, this.keyMode);
    const errorType = errorTypeOfOutcome(entry.outcome, entry.status) ?? '';
    const status = String(entry.status);
    this.requests.inc({ ...base, endpoint: entry.endpoint, stream, status, outcome: entry.outcome, error_type: errorType });
    this.series.answered({
      answered_by: 'relay',
      route: entry.endpoint,
      endpoint: entry.endpoint,
      client_format: entry.clientFormat ?? 'openai',
      ...base,
      status,
      error_type: errorType,
      stream,
      ...who,
    });
    this.duration.observe({ ...base, stream }, entry.durationMs / 1000);
    if (entry.firstByteMs !== null) this.firstByte.observe({ ...base, stream }, entry.firstByteMs / 1000);
    if (entry.interTokenMs !== undefined && entry.interTokenMs !== null) this.interToken.observe(base, entry.interTokenMs / 1000);
    if (entry.providerMs !== undefined) {
      this.providerTime.observe(base, entry.providerMs / 1000);
      this.overhead.observe({ stream }, Math.max(0, entry.durationMs - entry.providerMs) / 1000);
    }
    if (entry.costNano === null) {
      if (entry.usage) this.costUnknown.inc(base);
    } else {
      this.cost.inc({ ...base, ...who }, nanoToUsd(entry.costNano));
    }
    if (entry.usage?.estimated) this.missingUsage.inc(base);
    if (entry.route) this.routerRequests.inc({ router: entry.route.router, route: entry.route.route, model: entry.route.model });
    if (entry.compression) this.recordCompression(entry.model, entry.compression, who);
    const usage = entry.usage;
    if (usage) {
      const tokens = { ...base, ...who };
      this.tokens.inc({ ...tokens, type: 'prompt' }, usage.promptTokens);
      this.tokens.inc({ ...tokens, type: 'completion' }, usage.completionTokens);
      this.tokens.inc({ ...tokens, type: 'cached_read' }, usage.cachedTokens);
      this.tokens.inc({ ...tokens, type: 'cached_write' }, usage.cacheWriteTokens ?? 0);
      this.tokens.inc({ ...tokens, type: 'reasoning' }, usage.reasoningTokens);
      this.tokens.inc({ ...tokens, type: 'estimated' }, usage.estimated ? usage.promptTokens + usage.completionTokens : 0);
    } else if (entry.outcome === 'ok') {
      this.missingUsage.inc(base);
    }
    // Kong's series: what the provider answered, in Kong's terms (ai_model is the model asked for).
    this.kong.record(kongAiLabels(entry.provider, entry.model), {
      costUsd: entry.costNano === null ? null : nanoToUsd(entry.costNano),
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      totalTokens: usage?.totalTokens ?? 0,
      latencyMs: entry.providerMs ?? null,
    });
  }

  private recordCompression(model: string, compression: CompressionSavings, who: { team: string; key: string }): void {
    const labels = { model, method: compression.method };
    this.compressions.inc({ ...labels, outcome: compression.outcome });
    this.compressionTokensSaved.inc(labels, compression.tokensSaved);
    if (compression.ratio !== undefined) this.compressionRatio.observe(labels, compression.ratio);
    if (compression.savedNano !== null) this.compressionSaved.inc({ ...labels, ...who }, nanoToUsd(compression.savedNano));
  }

  /** A request the relay refused before relaying it (no valid plan, a bad body): counted as answered by the relay. */
  refused(path: string, error: GatewayError): void {
    this.series.answered({ ...pluginAnswerLabels('relay', { path, status: error.status, code: error.code }, this.keyMode) });
    if (error.code === 'invalid_route_plan') this.series.identityUnverified('relay', unverifiedReason(error.message));
  }

  allTargetsFailed(model: string): void {
    this.allTargetsFailedTotal.inc({ model });
  }

  /** Reports a ledger writer's queue in aigw_ledger_backlog_rows. */
  watchLedger(pending: () => number): void {
    this.ledgers.push(pending);
  }

  ledgerWriteFailed(): void {
    this.ledgerFailures.inc();
    this.series.storeError('relay', 'postgres', 'ledger_write');
  }

  storeError(store: StoreName, operation: string): void {
    this.series.storeError('relay', store, operation);
  }

  cacheFill(model: string, result: string): void {
    this.cacheFills.inc({ model, result });
  }

  attempt(provider: string, model: string, result: string, errorType: string): void {
    this.attempts.inc({ provider, model, result, error_type: errorType });
  }

  retried(provider: string, model: string): void {
    this.retries.inc({ provider, model });
  }

  failedOver(model: string, fromProvider: string, toProvider: string): void {
    this.failovers.inc({ model, from_provider: fromProvider, to_provider: toProvider });
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

/**
 * Counts every attempt by its result, each retry (the same target again) and failover (the next
 * target after a failure) and, for the attempt that answered, the routing decision that chose it.
 */
export function withAttemptMetrics(metrics: RelayMetrics | undefined, plan: RoutePlan): AttemptWrapper {
  let previous: { position: number; provider: string } | null = null;
  return (next) => async (target, position) => {
    if (previous?.position === position) metrics?.retried(target.provider, target.model);
    else if (previous) metrics?.failedOver(plan.model, previous.provider, target.provider);
    previous = { position, provider: target.provider };
    const outcome = await next(target, position);
    metrics?.attempt(target.provider, target.model, outcome.ok ? 'ok' : outcome.failure.kind, outcome.ok ? '' : errorTypeOfFailure(outcome.failure.kind));
    if (outcome.ok) metrics?.routed(plan.model, plan.routing?.algorithm ?? 'none', target.provider, target.model, position);
    return outcome;
  };
}
