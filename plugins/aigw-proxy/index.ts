/** Entry point loaded by kong-js-pluginserver: named CommonJS exports only, nothing printed. */
import type { Kong } from '../../lib/kong/pdk';
import { GATEWAY_VERSION } from '../../lib/version';
import type { AiProxyConfig } from './config';
import { AiProxyHandler } from './handler';
import { proxyMetrics } from './metrics';

export { Schema } from './schema';
export const Version = GATEWAY_VERSION;
/** Last of our access plugins: it runs after identity, cache and compression have had their say. */
export const Priority = 770;

export class Plugin {
  private readonly handler: AiProxyHandler;

  constructor(config: AiProxyConfig) {
    this.handler = new AiProxyHandler(config);
  }

  // A prototype method: the plugin server only detects phases defined on the prototype.
  async access(kong: Kong): Promise<void> {
    return proxyMetrics().timed('access', () => this.handler.access(kong));
  }
  // No log phase: aigw-virtual-key's refunds a reservation the relay never settled, so the chain
  // reads kong.ctx.shared once after the response instead of once per plugin.
}
