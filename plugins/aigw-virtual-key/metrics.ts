/**
 * What aigw-virtual-key counts, on its plugin server's registry (lib/metrics/plugin-server.ts):
 * the requests it refuses (401, 403, 404, 413, 429, 503), the limits that refused them, its
 * time, and the stores it could not reach. It answers nothing else: admitted requests are
 * counted by whoever answers them.
 */
import type { GatewayError } from '../../lib/errors';
import type { KeyRecord } from '../../lib/identity';
import { PluginMetrics } from '../../lib/metrics/plugin-metrics';
import { pluginServerRegistry } from '../../lib/metrics/plugin-server';

export const PLUGIN = 'aigw-virtual-key';

/** Which limit refused a request, when one did. */
export type RateLimitPolicy = 'rpm' | 'tpm';

/** What the refusal of a request knew about it: the key, once verified, and the limit that refused it. */
export interface RefusalContext {
  record?: KeyRecord;
  rateLimit?: RateLimitPolicy;
}

export class VirtualKeyMetrics extends PluginMetrics {
  refusal(path: string, error: GatewayError, context: RefusalContext): void {
    const record = context.record;
    const subject = record ? { teamName: record.team?.name ?? null, keyId: record.id, keyAlias: record.keyAlias } : undefined;
    this.refused(path, error, subject, context.rateLimit);
  }
}

let metrics: VirtualKeyMetrics | null = null;

/** This process's metrics (one registry per plugin server). */
export function virtualKeyMetrics(): VirtualKeyMetrics {
  metrics ??= new VirtualKeyMetrics(PLUGIN, pluginServerRegistry(PLUGIN));
  return metrics;
}
