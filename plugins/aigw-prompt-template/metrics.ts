/**
 * What aigw-prompt-template counts, on its plugin server's registry (lib/metrics/plugin-server.ts):
 * its refusals (aigw_requests_total, through PluginMetrics), its time, and every render by
 * template, version and result. Template names are the operators' (bounded); a name no template
 * has is counted as `unknown`, so a client cannot grow the series.
 */
import { Counter } from 'prom-client';
import type { GatewayError } from '../../lib/errors';
import type { RequestIdentity } from '../../lib/identity';
import { PluginMetrics } from '../../lib/metrics/plugin-metrics';
import { pluginServerRegistry } from '../../lib/metrics/plugin-server';

export const PLUGIN = 'aigw-prompt-template';

/** `ok`, or the TemplateError code (invalid_variables, template_not_found, render_limit, ...), or `unavailable`. */
export type RenderResult = string;

export class TemplateMetrics extends PluginMetrics {
  private readonly renders = new Counter({
    name: 'aigw_template_renders_total',
    help: 'Prompt template renders by template, version and result (ok, or why not)',
    labelNames: ['template', 'version', 'result'] as const,
    registers: [this.registry],
  });

  render(template: string, version: number | null, result: RenderResult): void {
    this.renders.inc({ template, version: version === null ? '' : String(version), result });
  }

  refusal(path: string, error: GatewayError, identity: RequestIdentity | undefined): void {
    const subject = identity ? { teamName: identity.teamName ?? null, keyId: identity.keyId, keyAlias: identity.keyAlias } : undefined;
    this.refused(path, error, subject);
  }
}

let metrics: TemplateMetrics | null = null;

/** This process's metrics (one registry per plugin server). */
export function templateMetrics(): TemplateMetrics {
  metrics ??= new TemplateMetrics(PLUGIN, pluginServerRegistry(PLUGIN));
  return metrics;
}
