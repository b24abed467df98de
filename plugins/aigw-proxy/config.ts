import type { PlanTarget, ProviderType } from '../../lib/plan';

/** The config as Kong delivers it: validated, defaults filled, unset optional fields null. */
export interface AiProxyConfig {
  relay_url: string;
  signing_secret: string;
  plan_ttl_seconds: number;
  max_request_body_bytes: number;
  models: Array<{
    name: string;
    target: {
      provider: ProviderType;
      base_url: string;
      model: string;
      credential: string | null;
      timeouts: { connect_ms: number; first_byte_ms: number; idle_ms: number; total_ms: number } | null;
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
      },
    ]);
  }
  return { byName, names: [...byName.keys()] };
}

export function parseRelayUrl(relayUrl: string): { host: string; port: number } {
  const url = new URL(relayUrl);
  return { host: url.hostname, port: url.port ? Number(url.port) : 80 };
}
