/** The relay process: configuration from the environment, one ready line, clean shutdown. */
import { createLogger } from '../../lib/log';
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
  const stop = (): void => {
    relay
      .close()
      .then(closeStores)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`relay failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
