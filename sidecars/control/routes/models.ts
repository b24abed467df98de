/**
 * GET /admin/models: the model groups the gateway runs (console/gateway-models.ts), each target
 * with its provider, model, base URL host (never a path or credential), price per million tokens,
 * and live health: the breaker, latency and load from the routing stats in Redis, and the last
 * 15 minutes' attempts from the request log. Health is best effort: a store that does not answer
 * leaves it null, the configuration still shows.
 */
import type { ModelPrice } from '../../../lib/pricing';
import type { TargetSnapshot } from '../../../lib/routing';
import { type TargetRecord, targetRecords } from '../../../lib/store/target-health';
import { ApiError } from '../api-error';
import type { ConfiguredGroup } from '../console/gateway-models';
import type { Handler } from '../context';
import { rejectUnknownParams } from './time-range';

const RECENT_MS = 15 * 60_000;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

const priceView = (p: ModelPrice | null): Record<string, unknown> | null =>
  p && {
    input_per_mtok_usd: p.input,
    output_per_mtok_usd: p.output,
    cached_read_per_mtok_usd: p.cached_read ?? null,
    max_output_tokens: p.max_output_tokens ?? null,
    context_window: p.context_window ?? null,
  };

function healthView(snap: TargetSnapshot | undefined, recent: TargetRecord | undefined): Record<string, unknown> {
  return {
    breaker: snap?.breaker ?? null,
    open_until: snap?.openUntil ? new Date(snap.openUntil).toISOString() : null,
    latency_ms: snap?.latency ? { ttft: Math.round(snap.latency.ttftMs), per_token: snap.latency.perTokenMs } : null,
    in_flight: snap?.inFlight ?? null,
    rpm: snap?.usage?.rpm ?? null,
    tpm: snap?.usage?.tpm ?? null,
    recent: recent
      ? {
          window_minutes: RECENT_MS / 60_000,
          attempts: recent.attempts,
          failures: recent.failures,
          error_rate: recent.failures / recent.attempts,
          p50_ms: recent.p50Ms,
          p95_ms: recent.p95Ms,
        }
      : { window_minutes: RECENT_MS / 60_000, attempts: 0, failures: 0, error_rate: 0, p50_ms: null, p95_ms: null },
  };
}

export const modelsRoute: Handler = async (ctx, req) => {
  rejectUnknownParams(req.query, []);
  if (!ctx.gatewayModels) {
    return {
      status: 200,
      body: { object: 'list', source: null, data: [], message: 'The control API does not know the gateway config: set KONG_ADMIN_URL or AIGW_GATEWAY_CONFIG' },
    };
  }
  const models = await ctx.gatewayModels.load().catch((error: unknown) => {
    ctx.log.warn('gateway config unreadable', { error: (error as Error).message });
    throw new ApiError(502, 'The gateway config could not be read; see the control API log', 'gateway_config_unavailable');
  });
  const groups: ConfiguredGroup[] = models.groups;
  const ids = [...new Set(groups.flatMap((g) => g.targets.map((t) => t.id)))];
  const now = Date.now();
  const [snapshot, recent] = await Promise.all([
    ctx.targetStats && ids.length
      ? ctx.targetStats.snapshot(ids, now, { breaker: true, latency: true, inFlight: true, usage: true }).catch((error: unknown) => {
          ctx.log.warn('routing stats unavailable', { error: (error as Error).message });
          return null;
        })
      : Promise.resolve(null),
    targetRecords(ctx.pool, new Date(now - RECENT_MS)),
  ]);
  const recentOf = new Map(recent.map((r) => [`${r.provider}|${r.model}`, r]));
  return {
    status: 200,
    body: {
      object: 'list',
      source: models.source,
      health_source: snapshot ? 'redis' : null,
      data: groups.map((g) => ({
        object: 'model_group',
        name: g.name,
        balancing: g.algorithm,
        fallback_models: g.fallbacks,
        configured_on: g.where,
        targets: g.targets.map((t) => ({
          id: t.id,
          provider: t.provider,
          model: t.model,
          base_url_host: hostOf(t.baseUrl),
          weight: t.weight,
          priority: t.priority,
          pricing: priceView(t.pricing),
          health: healthView(snapshot?.targets.get(t.id), recentOf.get(`${t.provider}|${t.model}`)),
        })),
      })),
    },
  };
};
