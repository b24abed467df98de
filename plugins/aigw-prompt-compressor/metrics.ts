/**
 * What aigw-prompt-compressor counts, on its plugin server's registry (lib/metrics/plugin-server.ts):
 * its time, and each time it failed open (the original prompt sent) with the sidecar call that
 * failed. What it saved is counted by the relay, from its report in the signed plan, where the
 * model is a configured one (aigw_compression_*).
 */
import { PluginMetrics } from '../../lib/metrics/plugin-metrics';
import { pluginServerRegistry } from '../../lib/metrics/plugin-server';

export const PLUGIN = 'aigw-prompt-compressor';

export class CompressorMetrics extends PluginMetrics {
  /** The sidecar did not compress (down, deadline, refused): the original prompt goes on. */
  sidecarFailed(): void {
    this.failedOpen('sidecar');
    this.storeError('inference', 'compress');
  }
}

let metrics: CompressorMetrics | null = null;

/** This process's metrics (one registry per plugin server). */
export function compressorMetrics(): CompressorMetrics {
  metrics ??= new CompressorMetrics(PLUGIN, pluginServerRegistry(PLUGIN));
  return metrics;
}
