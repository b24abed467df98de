/**
 * Kong AI Gateway's own series (kong/plugins/prometheus/exporter.lua in Kong 3.9), with Kong's
 * labels and buckets, for what means the same here: dashboards built for Kong's AI plugins work
 * unchanged. The relay exports what it relays, the cache plugin its hits (cache_status "Hit").
 */
import { Counter, Histogram, type Registry } from 'prom-client';

const LABELS = ['ai_provider', 'ai_model', 'cache_status', 'vector_db', 'embeddings_provider', 'embeddings_model', 'workspace'] as const;
type KongLabel = (typeof LABELS)[number];
export type KongAiLabels = Record<KongLabel, string>;

/** Kong's AI_LLM_PROVIDER_LATENCY_BUCKETS, in ms. */
const PROVIDER_LATENCY_BUCKETS_MS = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 10000, 30000, 60000];

/** Kong's labels for a request: no cache in front (the relay's view) unless `cache` says otherwise. */
export function kongAiLabels(provider: string, model: string, cache: Partial<KongAiLabels> = {}): KongAiLabels {
  return {
    ai_provider: provider,
    ai_model: model,
    cache_status: '',
    vector_db: '',
    embeddings_provider: '',
    embeddings_model: '',
    workspace: 'default',
    ...cache,
  };
}

export class KongAiSeries {
  private readonly requests: Counter<KongLabel>;
  private readonly cost: Counter<KongLabel>;
  private readonly tokens: Counter<KongLabel | 'token_type'>;
  private readonly latency: Histogram<KongLabel>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({ name: 'kong_ai_llm_requests_total', help: 'AI requests total per ai_provider in Kong', labelNames: LABELS, registers });
    this.cost = new Counter({ name: 'kong_ai_llm_cost_total', help: 'AI requests cost per ai_provider/cache in Kong', labelNames: LABELS, registers });
    this.tokens = new Counter({
      name: 'kong_ai_llm_tokens_total',
      help: 'AI requests cost per ai_provider/cache in Kong',
      labelNames: [...LABELS, 'token_type'] as const,
      registers,
    });
    this.latency = new Histogram({
      name: 'kong_ai_llm_provider_latency_ms',
      help: 'LLM response Latency for each AI plugins per ai_provider in Kong',
      labelNames: LABELS,
      buckets: PROVIDER_LATENCY_BUCKETS_MS,
      registers,
    });
  }

  /** One request; cost, tokens and latency only when positive, as Kong records them. */
  record(
    labels: KongAiLabels,
    usage: { costUsd: number | null; promptTokens: number; completionTokens: number; totalTokens: number; latencyMs: number | null },
  ): void {
    this.requests.inc(labels);
    if (usage.costUsd !== null && usage.costUsd > 0) this.cost.inc(labels, usage.costUsd);
    if (usage.latencyMs !== null && usage.latencyMs > 0) this.latency.observe(labels, usage.latencyMs);
    const counts: Array<[string, number]> = [
      ['prompt_tokens', usage.promptTokens],
      ['completion_tokens', usage.completionTokens],
      ['total_tokens', usage.totalTokens],
    ];
    for (const [tokenType, count] of counts) if (count > 0) this.tokens.inc({ ...labels, token_type: tokenType }, count);
  }
}
