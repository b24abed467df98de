/** Entry point loaded by kong-js-pluginserver: named CommonJS exports only, nothing printed. */
import type { Kong } from '../../lib/kong/pdk';
import { GATEWAY_VERSION } from '../../lib/version';
import type { PromptTemplateConfig } from './config';
import { PromptTemplateHandler } from './handler';
import { templateMetrics } from './metrics';

export { Schema } from './schema';
export const Version = GATEWAY_VERSION;
/** After the key check (1100), which identifies the caller and its model rules; before guardrails (950), the cache (900) and aigw-proxy (770), which must see the rendered prompt. */
export const Priority = 1000;

export class Plugin {
  private readonly handler: PromptTemplateHandler;

  constructor(config: PromptTemplateConfig) {
    this.handler = new PromptTemplateHandler(config);
  }

  async access(kong: Kong): Promise<void> {
    return templateMetrics().timed('access', () => this.handler.access(kong));
  }
}
