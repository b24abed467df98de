/** Entry point loaded by kong-js-pluginserver: named CommonJS exports only, nothing printed. */
import { sidecarEmbedTexts } from '../../lib/inference/embed-texts';
import type { Kong } from '../../lib/kong/pdk';
import { requestLogFor } from '../../lib/kong/request-log';
import { GATEWAY_VERSION } from '../../lib/version';
import type { RouterConfig } from './config';
import { RouterHandler } from './handler';
import { PLUGIN, routerMetrics } from './metrics';

export { Schema } from './schema';
export const Version = GATEWAY_VERSION;
/**
 * After the cache (900), which answers the prompt whatever model it would go to, and the
 * compressor (850), whose shorter prompt is what the router scores; before aigw-proxy (770),
 * which plans the model chosen.
 */
export const Priority = 800;

export class Plugin {
  private readonly handler: RouterHandler;

  constructor(config: RouterConfig) {
    this.handler = new RouterHandler(config, {
      embedTexts: config.inference_address ? sidecarEmbedTexts(config.inference_address, config.embed_deadline_ms) : null,
      metrics: routerMetrics(),
      requestLog: requestLogFor(config.database_url, PLUGIN),
    });
  }

  async access(kong: Kong): Promise<void> {
    return routerMetrics().timed('access', () => this.handler.access(kong));
  }
}
