/** The inference sidecar process: configuration from the environment, one ready line, clean shutdown. */
import { createLogger } from '../../lib/log';
import { exitOnSignal, runProcess } from '../../lib/process-lifecycle';
import { loadInferenceConfig } from './config';
import { InferenceMetrics } from './metrics';
import { startInferenceServer } from './server';

async function main(): Promise<void> {
  const log = createLogger('inference');
  const config = loadInferenceConfig();
  const server = await startInferenceServer({ config, log, metrics: new InferenceMetrics() });
  log.info('inference listening', { address: server.address, metrics: server.metricsUrl });
  exitOnSignal(() => server.close());
}

runProcess('inference', main);
