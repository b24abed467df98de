/**
 * Metrics of a plugin-server process. Kong runs each JS plugin in its own kong-js-pluginserver
 * process, so each has its own prom-client registry and, when `AIGW_PLUGIN_METRICS_PORTS` gives
 * its plugin a port, its own loopback listener (GET /metrics) that Prometheus scrapes like any
 * sidecar: e.g. `aigw-virtual-key=8790,aigw-semantic-cache=8791`. The variable reaches plugin
 * servers through nginx_main_env (kong/kong.conf). Without a port nothing listens: metrics are an
 * optimisation, never a reason for a plugin to fail.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createLogger } from '../log';
import { startMetricsListener } from './listener';

export const PLUGIN_METRICS_PORTS_ENV = 'AIGW_PLUGIN_METRICS_PORTS';

const registries = new Map<string, Registry>();

/** The port `spec` (`name=port,…`) gives this plugin, or null when none (or not a valid port). */
export function pluginMetricsPort(spec: string | undefined, plugin: string): number | null {
  for (const pair of (spec ?? '').split(',')) {
    const [name, port] = pair.split('=').map((s) => s.trim());
    if (name === plugin && port !== undefined && /^\d{1,5}$/.test(port) && Number(port) > 0 && Number(port) < 65536) return Number(port);
  }
  return null;
}

/**
 * The process's registry for `plugin` (event-loop lag, memory and CPU included), listening on its
 * port from the environment the first time it is asked for.
 */
export function pluginServerRegistry(plugin: string, env: NodeJS.ProcessEnv = process.env): Registry {
  let registry = registries.get(plugin);
  if (registry) return registry;
  registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registries.set(plugin, registry);
  const port = pluginMetricsPort(env[PLUGIN_METRICS_PORTS_ENV], plugin);
  if (port !== null) {
    startMetricsListener(port, registry, undefined, false).catch((error: Error) =>
      createLogger(plugin).warn('metrics listener could not start; metrics are not served', { port, error: error.message }),
    );
  }
  return registry;
}
