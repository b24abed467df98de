/** The relay process: configuration from the environment, one ready line, clean shutdown. */

import { createLogger } from '../../lib/log';
import { exitOnSignal, runProcess } from '../../lib/process-lifecycle';
import { closeStores } from '../../lib/store-clients';
import { loadRelayConfig } from './config';
import { RelayMetrics } from './metrics';
import { startRelay } from './server';
import { FanOutUsageSink, JsonlUsageSink, type UsageSink } from './usage';

async function main(): Promise<void> {
  const log = createLogger('relay');
  const config = loadRelayConfig();
  const metrics = new RelayMetrics();
  const sinks: UsageSink[] = [metrics];
  if (config.usageLogPath) sinks.push(new JsonlUsageSink(config.usageLogPath));
  const relay = await startRelay({ config, usage: new FanOutUsageSink(sinks), log, metrics });
  log.info('relay listening', { url: relay.url });
  exitOnSignal(() => relay.close().then(closeStores));
}

runProcess('relay', main);
