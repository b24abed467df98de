/** Entry point loaded by kong-js-pluginserver: named CommonJS exports only, nothing printed. */
import type { Kong } from '../../lib/kong/pdk';
import { requestLogFor } from '../../lib/kong/request-log';
import { createLogger } from '../../lib/log';
import { pluginServerRegistry } from '../../lib/metrics/plugin-server';
import { preloadGuards } from '../../lib/semantic-cache/guards';
import { LedgerWriter } from '../../lib/store/ledger-writer';
import { pgFor } from '../../lib/store-clients';
import { GATEWAY_VERSION } from '../../lib/version';
import type { SemanticCacheConfig } from './config';
import { SemanticCacheHandler } from './handler';
import { CacheMetrics, PLUGIN } from './metrics';
import { redisCacheBackend, sidecarEmbedder } from './redis-backend';

export { Schema } from './schema';
export const Version = GATEWAY_VERSION;
/** After the key check (1100), before compression (850), which must not change what the cache sees. */
export const Priority = 900;

const ledgers = new Map<string, LedgerWriter>();

function ledgerFor(url: string | null | undefined): LedgerWriter | null {
  if (!url) return null;
  let writer = ledgers.get(url);
  if (!writer) {
    writer = new LedgerWriter(pgFor(url), createLogger('aigw-semantic-cache'));
    ledgers.set(url, writer);
  }
  return writer;
}

let guardsLoaded = false;
let metrics: CacheMetrics | null = null;

export class Plugin {
  private readonly handler: SemanticCacheHandler;
  private readonly metrics: CacheMetrics;

  constructor(config: SemanticCacheConfig) {
    // WordNet's antonyms and synonyms load once per plugin server (≈120 ms), not on a request.
    if (config.semantic && !guardsLoaded) {
      guardsLoaded = true;
      preloadGuards();
    }
    metrics ??= new CacheMetrics(pluginServerRegistry(PLUGIN));
    this.metrics = metrics;
    this.handler = new SemanticCacheHandler(
      config,
      redisCacheBackend(config.redis_url, metrics),
      sidecarEmbedder(config.inference_address),
      ledgerFor(config.database_url),
      metrics,
      requestLogFor(config.database_url, 'aigw-semantic-cache'),
    );
  }

  async access(kong: Kong): Promise<void> {
    return this.metrics.timed('access', () => this.handler.access(kong));
  }
}
