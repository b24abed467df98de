import type { PlanTarget, ProviderType } from '../../lib/plan';
import { catalogPrice, type ModelPrice } from '../../lib/pricing';

/** The config as Kong delivers it: validated, defaults filled, unset optional fields null. */
export interface AiProxyConfig {
  relay_url: string;
  signing_secret: string;
  plan_ttl_seconds: number;
  redis_url: string | null;
  database_url: string | null;
  max_request_body_bytes: number;
  models: Array<{
    name: string;
    target: {
      provider: ProviderType;
      base_url: string;
      model: string;
      credential: string | null;
      timeouts: { connect_ms: number; first_byte_ms: number; idle_ms: number; total_ms: number } | null;
      pricing?: { input: number; output: number; cached_read: number | null; cached_write: number | null; max_output_tokens: number | null } | null;
    };
  }>;
}

const DEFAULT_TIMEOUTS = { connect_ms: 5000, first_byte_ms: 60000, idle_ms: 60000, total_ms: 600000 };

export interface CompiledModels {
  byName: Map<string, PlanTarget[]>;
  names: string[];
}

/** Done once per plugin instance, so the hot path is a map lookup. */
export function compileModels(config: AiProxyConfig): CompiledModels {
  const byName = new Map<string, PlanTarget[]>();
  for (const model of config.models) {
    const t = model.target;
    const timeouts = t.timeouts ?? DEFAULT_TIMEOUTS;
    byName.set(model.name, [
      {
        provider: t.provider,
        baseUrl: t.base_url.replace(/\/+$/, ''),
        model: t.model,
        credential: t.credential ?? null,
        timeouts: {
          connectMs: timeouts.connect_ms,
          firstByteMs: timeouts.first_byte_ms,
          idleMs: timeouts.idle_ms,
          totalMs: timeouts.total_ms,
        },
        pricing: priceOf(t.model, t.pricing ?? null),
      },
    ]);
  }
  return { byName, names: [...byName.keys()] };
}

/** A configured override wins; otherwise the catalogue; otherwise unknown (never zero). */
function priceOf(model: string, override: NonNullable<AiProxyConfig['models'][number]['target']['pricing']> | null): ModelPrice | null {
  if (!override) return catalogPrice(model);
  const base = catalogPrice(model);
  return {
    input: override.input,
    output: override.output,
    cached_read: override.cached_read ?? null,
    cached_write: override.cached_write ?? null,
    max_output_tokens: override.max_output_tokens ?? base?.max_output_tokens,
    context_window: base?.context_window,
  };
}

export function parseRelayUrl(relayUrl: string): { host: string; port: number } {
  const url = new URL(relayUrl);
  return { host: url.hostname, port: url.port ? Number(url.port) : 80 };
}
