/** Entry point loaded by kong-js-pluginserver: named CommonJS exports only, nothing printed. */
import type { Kong } from '../../lib/kong/pdk';
import { GATEWAY_VERSION } from '../../lib/version';
import type { VirtualKeyConfig } from './config';
import { VirtualKeyHandler } from './handler';
import { virtualKeyMetrics } from './metrics';

export { Schema } from './schema';
export const Version = GATEWAY_VERSION;
/** Before every other plugin of ours (aigw-proxy is 770) and Kong's acl (950), after key-auth (1250). */
export const Priority = 1100;

export class Plugin {
  private readonly handler: VirtualKeyHandler;

  constructor(config: VirtualKeyConfig) {
    this.handler = new VirtualKeyHandler(config);
  }

  async access(kong: Kong): Promise<void> {
    return virtualKeyMetrics().timed('access', () => this.handler.access(kong));
  }

  async log(kong: Kong): Promise<void> {
    return virtualKeyMetrics().timed('log', () => this.handler.log(kong));
  }
}
