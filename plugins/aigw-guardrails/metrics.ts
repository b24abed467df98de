/**
 * What aigw-guardrails counts, on its plugin server's registry (lib/metrics/plugin-server.ts):
 * the shared plugin series (its refusals in aigw_requests_total, fail-open, the external guard's
 * errors) and the guardrail series (lib/metrics/guardrail-series.ts).
 */
import { GuardrailSeries } from '../../lib/metrics/guardrail-series';
import { PluginMetrics } from '../../lib/metrics/plugin-metrics';
import { pluginServerRegistry } from '../../lib/metrics/plugin-server';

export const PLUGIN = 'aigw-guardrails';

export class GuardrailsMetrics extends PluginMetrics {
  readonly guard = GuardrailSeries.of(this.registry);
}

let metrics: GuardrailsMetrics | null = null;

/** This process's metrics (one registry per plugin server). */
export function guardrailsMetrics(): GuardrailsMetrics {
  metrics ??= new GuardrailsMetrics(PLUGIN, pluginServerRegistry(PLUGIN));
  return metrics;
}
