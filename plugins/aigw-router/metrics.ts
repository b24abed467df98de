/**
 * What aigw-router counts, on its plugin server's registry (lib/metrics/plugin-server.ts): its
 * refusals and time (PluginMetrics), every decision by router, route, kind of reason and model
 * chosen, how long deciding took, and each fail-open by stage. Every label value comes from the
 * operator's config (router, route and model names) or a fixed set (reason kinds, stages), so a
 * client cannot grow the series.
 */
import { Counter, Histogram } from 'prom-client';
import type { GatewayError } from '../../lib/errors';
import type { RequestIdentity } from '../../lib/identity';
import { PluginMetrics } from '../../lib/metrics/plugin-metrics';
import { pluginServerRegistry } from '../../lib/metrics/plugin-server';
import type { RouteDecision } from '../../lib/router/decision';

export const PLUGIN = 'aigw-router';

const REASON_KINDS = ['rule', 'semantic', 'difficulty', 'cascade', 'default', 'fallback'] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

/** `semantic:0.83` → `semantic`; any other kind (`allowlist:…`, a newer library's) counts as `default`. */
export function reasonKindOf(reason: string): ReasonKind {
  const kind = reason.split(':', 1)[0];
  return REASON_KINDS.find((k) => k === kind) ?? 'default';
}

export class RouterMetrics extends PluginMetrics {
  private readonly decisions = new Counter({
    name: 'aigw_router_decisions_total',
    help: 'aigw-router decisions by router, route, kind of reason (rule, semantic, difficulty, cascade, default, fallback) and model group chosen',
    labelNames: ['router', 'route', 'reason_kind', 'model'] as const,
    registers: [this.registry],
  });
  private readonly decisionSeconds = new Histogram({
    name: 'aigw_router_decision_seconds',
    help: 'Time aigw-router took to decide (features, embeddings, scoring), by router',
    labelNames: ['router'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  private readonly routerFailOpen = new Counter({
    name: 'aigw_router_fail_open_total',
    help: "Routing that failed open to the router's default model, by router and stage (embed, score, decide, …)",
    labelNames: ['router', 'stage'] as const,
    registers: [this.registry],
  });

  decided(decision: RouteDecision, seconds: number): void {
    this.decisions.inc({ router: decision.router, route: decision.route, reason_kind: reasonKindOf(decision.reason), model: decision.model });
    this.decisionSeconds.observe({ router: decision.router }, seconds);
  }

  /** Also counted in the shared aigw_plugin_fail_open_total, like every plugin's fail-open. */
  routingFailedOpen(router: string, stage: string): void {
    this.routerFailOpen.inc({ router, stage });
    this.failedOpen(stage);
  }

  refusal(path: string, error: GatewayError, identity: RequestIdentity): void {
    this.refused(
      path,
      error,
      { teamName: identity.teamName ?? null, keyId: identity.keyId, keyAlias: identity.keyAlias },
      undefined,
      identity.model || undefined,
    );
  }
}

let metrics: RouterMetrics | null = null;

/** This process's metrics (one registry per plugin server). */
export function routerMetrics(): RouterMetrics {
  metrics ??= new RouterMetrics(PLUGIN, pluginServerRegistry(PLUGIN));
  return metrics;
}
