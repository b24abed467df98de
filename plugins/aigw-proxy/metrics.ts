/**
 * What aigw-proxy counts, on its plugin server's registry (lib/metrics/plugin-server.ts): the
 * requests it answers itself (refusals, budget refusals included, and model listings), requests
 * that reach it without aigw-virtual-key's identity, the target stats it routed without, and the
 * stores it could not reach. Requests it plans are counted by the relay that answers them.
 */
import type { GatewayError } from '../../lib/errors';
import type { RequestIdentity } from '../../lib/identity';
import { modelLabel, type Subject } from '../../lib/metrics/labels';
import { PluginMetrics } from '../../lib/metrics/plugin-metrics';
import { pluginServerRegistry } from '../../lib/metrics/plugin-server';

export const PLUGIN = 'aigw-proxy';

/** What an answer's metrics may know: the caller's identity and the model it asked for. */
export interface Seen {
  identity?: RequestIdentity;
  model?: string;
}

function subjectOf(identity: RequestIdentity | undefined): Subject | undefined {
  return identity ? { teamName: identity.teamName ?? null, keyId: identity.keyId, keyAlias: identity.keyAlias } : undefined;
}

export class ProxyMetrics extends PluginMetrics {
  /** A refusal; `configured`: the model names the plugin routes (any other is "unknown"). */
  refusal(path: string, error: GatewayError, seen: Seen, configured: ReadonlySet<string>): void {
    this.refused(path, error, subjectOf(seen.identity), undefined, modelLabel(seen.model ?? seen.identity?.model, configured));
  }

  /** A model listing answered here. */
  listed(path: string, identity: RequestIdentity | undefined): void {
    this.answered({ path, status: 200, code: null, subject: subjectOf(identity) });
  }
}

let metrics: ProxyMetrics | null = null;

/** This process's metrics (one registry per plugin server). */
export function proxyMetrics(): ProxyMetrics {
  metrics ??= new ProxyMetrics(PLUGIN, pluginServerRegistry(PLUGIN));
  return metrics;
}
