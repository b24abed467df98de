import { BALANCING_ALGORITHM_DEFAULT, HASH_HEADER_DEFAULT, TARGET_TIMEOUTS_DEFAULT } from '../../lib/gateway-defaults';
import type { ConfigOf } from '../../lib/kong/schema-builder';
import type { PlanRetry, PlanTarget } from '../../lib/plan';
import { catalogPrice, type ModelPrice } from '../../lib/pricing';
import { type Algorithm, targetId, weightedOrder } from '../../lib/routing';
import type { AiProxyFields } from './schema';

/** The config as Kong delivers it (validated, defaults filled, unset optional fields null), inferred from the schema. */
export type AiProxyConfig = ConfigOf<typeof AiProxyFields>;
type ModelConfig = AiProxyConfig['models'][number];
/** A target of a group (`targets`): a single target's fields plus weight, priority and limits. */
export type GroupTargetConfig = NonNullable<ModelConfig['targets']>[number];
/** A target alone (`target`) or in a group. */
export type TargetConfig = NonNullable<ModelConfig['target']> & Partial<Omit<GroupTargetConfig, keyof NonNullable<ModelConfig['target']>>>;
type PricingConfig = NonNullable<TargetConfig['pricing']>;

/** A plan longer than this only delays the client's error. */
export const MAX_PLAN_TARGETS = 8;

export interface WeightedTarget extends PlanTarget {
  /** targetId(): the key of its shared stats (breaker, latency, load). */
  id: string;
  weight: number;
  priority: number;
  rpmLimit: number | null;
  tpmLimit: number | null;
}

export interface ModelGroup {
  name: string;
  targets: WeightedTarget[];
  fallbacks: string[];
  retry: PlanRetry;
  algorithm: Algorithm;
  hashHeader: string;
}

export interface CompiledModels {
  byName: Map<string, ModelGroup>;
  names: string[];
}

/** A configured override wins; otherwise the catalogue; otherwise unknown (never zero). */
function priceOf(model: string, override: PricingConfig | null): ModelPrice | null {
  if (!override) return catalogPrice(model);
  const base = catalogPrice(model);
  return {
    input: override.input,
    output: override.output,
    cached_read: override.cached_read ?? null,
    cached_write: override.cached_write ?? null,
    cached_write_1h: override.cached_write_1h ?? null,
    max_output_tokens: override.max_output_tokens ?? base?.max_output_tokens,
    context_window: override.context_window ?? base?.context_window,
    max_image_tokens: override.max_image_tokens ?? base?.max_image_tokens,
  };
}

function compileTarget(t: TargetConfig): WeightedTarget {
  const configured = t.timeouts;
  const timeouts = configured
    ? { connectMs: configured.connect_ms, firstByteMs: configured.first_byte_ms, idleMs: configured.idle_ms, totalMs: configured.total_ms }
    : { ...TARGET_TIMEOUTS_DEFAULT };
  return {
    id: targetId({ provider: t.provider, baseUrl: t.base_url, model: t.model }),
    rpmLimit: t.rpm_limit ?? null,
    tpmLimit: t.tpm_limit ?? null,
    provider: t.provider,
    baseUrl: t.base_url.replace(/\/+$/, ''),
    model: t.model,
    credential: t.credential ?? null,
    timeouts,
    pricing: priceOf(t.model, t.pricing ?? null),
    weight: t.weight ?? 1,
    priority: t.priority ?? 0,
  };
}

/** Done once per plugin instance, so the hot path is a map lookup and a small shuffle. */
export function compileModels(config: AiProxyConfig): CompiledModels {
  const byName = new Map<string, ModelGroup>();
  for (const model of config.models) {
    const configured = [...(model.target ? [model.target] : []), ...(model.targets ?? [])];
    if (configured.length === 0) throw new Error(`model ${model.name} has neither target nor targets`);
    const retry: PlanRetry = {};
    if (model.retry) {
      retry.maxRetries = model.retry.max_retries;
      retry.baseDelayMs = model.retry.base_delay_ms;
      retry.maxDelayMs = model.retry.max_delay_ms;
      retry.maxRetryAfterMs = model.retry.max_retry_after_ms;
    }
    if (model.failover) {
      retry.failoverOnContextWindow = model.failover.on_context_window;
      retry.failoverOnContentPolicy = model.failover.on_content_policy;
    }
    byName.set(model.name, {
      name: model.name,
      targets: configured.map(compileTarget),
      fallbacks: model.fallback_models ?? [],
      retry,
      algorithm: model.balancing?.algorithm ?? BALANCING_ALGORITHM_DEFAULT,
      hashHeader: (model.balancing?.hash_header ?? HASH_HEADER_DEFAULT).toLowerCase(),
    });
  }
  for (const group of byName.values()) {
    const missing = group.fallbacks.find((name) => !byName.has(name));
    if (missing) throw new Error(`model ${group.name} falls back to unknown model ${missing}`);
  }
  return { byName, names: [...byName.keys()] };
}

/** The part of a target the relay needs (what the plan carries). */
export function toPlanTarget(target: WeightedTarget): PlanTarget {
  const { provider, baseUrl, model, credential, timeouts, pricing } = target;
  return { provider, baseUrl, model, credential, timeouts, pricing };
}

/** The ordered targets to try: the model's tiers (lowest priority value first), then its fallbacks'. */
export function planTargets(models: CompiledModels, name: string, random: () => number = Math.random): PlanTarget[] {
  const plan: PlanTarget[] = [];
  const seen = new Set<string>();
  const visit = (modelName: string): void => {
    const group = models.byName.get(modelName);
    if (!group || seen.has(modelName)) return;
    seen.add(modelName);
    const tiers = [...new Set(group.targets.map((t) => t.priority))].sort((a, b) => a - b);
    for (const tier of tiers) {
      for (const target of weightedOrder(
        group.targets.filter((t) => t.priority === tier),
        random,
      ))
        plan.push(toPlanTarget(target));
    }
    group.fallbacks.forEach(visit);
  };
  visit(name);
  return plan.slice(0, MAX_PLAN_TARGETS);
}

export function parseRelayUrl(relayUrl: string): { host: string; port: number } {
  const url = new URL(relayUrl);
  return { host: url.hostname, port: url.port ? Number(url.port) : 80 };
}
