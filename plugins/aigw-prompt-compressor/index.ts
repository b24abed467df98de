/** Entry point loaded by kong-js-pluginserver: named CommonJS exports only, nothing printed. */
import type { Kong } from '../../lib/kong/pdk';
import { GATEWAY_VERSION } from '../../lib/version';
import type { PromptCompressorConfig } from './config';
import { PromptCompressorHandler } from './handler';
import { compressorMetrics } from './metrics';
import { sidecarCompressClient } from './sidecar-client';

export { Schema } from './schema';
export const Version = GATEWAY_VERSION;
/** After the key check (1100) and the semantic cache (900), which must see the original prompt; before aigw-proxy (770). */
export const Priority = 850;

export class Plugin {
  private readonly handler: PromptCompressorHandler;

  constructor(config: PromptCompressorConfig) {
    this.handler = new PromptCompressorHandler(config, sidecarCompressClient(config.inference_address));
  }

  async access(kong: Kong): Promise<void> {
    return compressorMetrics().timed('access', () => this.handler.access(kong));
  }
}
