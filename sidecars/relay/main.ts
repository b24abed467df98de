/** The relay process: configuration from the environment, one ready line, clean shutdown. */

import { createLogger } from '../../lib/log';
import { createTracing } from '../../lib/observability/tracing';
import { exitOnSignal, runProcess } from '../../lib/process-lifecycle';
import { closeStores } from '../../lib/store-clients';
import { loadRelayConfig } from './config';
import { RelayMetrics } from './metrics';
import { startRelay } from './server';
import { FanOutUsageSink, JsonlUsageSink, type UsageSink } from './usage';

async function main(): Promise<void> {
  const log = createLogger('relay');
  const config = loadRelayConfig();
  // AIGW_METRICS=off: no registry, no /metrics (the benchmark's baseline; on by default).
  const metrics = process.env.AIGW_METRICS === 'off' ? undefined : new RelayMetrics();
  const sinks: UsageSink[] = metrics ? [metrics] : [];
  if (config.usageLogPath) sinks.push(new JsonlUsageSink(config.usageLogPath));
  const tracing = createTracing('aigw-relay', { registry: metrics?.registry });
  const relay = await startRelay({ config, usage: new FanOutUsageSink(sinks), log, metrics, tracing });
  log.info('relay listening', { url: relay.url, tracing: tracing.enabled });
  exitOnSignal(() =>
    relay
      .close()
      .then(() => tracing.shutdown())
      .then(closeStores),
  );
}

runProcess('relay', main);
