/** Entry point loaded by kong-js-pluginserver: named CommonJS exports only, nothing printed. */
import { sidecarEmbedTexts } from '../../lib/inference/embed-texts';
import type { Kong } from '../../lib/kong/pdk';
import { requestLogFor } from '../../lib/kong/request-log';
import { GATEWAY_VERSION } from '../../lib/version';
import type { GuardrailsConfig } from './config';
import { httpExternalGuard } from './external';
import { GuardrailsHandler } from './handler';
import { guardrailsMetrics, PLUGIN } from './metrics';

export { Schema } from './schema';
export const Version = GATEWAY_VERSION;
/**
 * After the key check (1100) and prompt templates (1000), which render what is scanned; before
 * the semantic cache (900), which must key and answer the redacted prompt, and compression (850).
 */
export const Priority = 950;

export class Plugin {
  private readonly handler: GuardrailsHandler;

  constructor(config: GuardrailsConfig) {
    this.handler = new GuardrailsHandler(
      config,
      guardrailsMetrics(),
      config.external ? httpExternalGuard(config.external) : null,
      requestLogFor(config.database_url, PLUGIN),
      sidecarEmbedTexts(config.inference_address, config.embed_deadline_ms),
    );
  }

  async access(kong: Kong): Promise<void> {
    return guardrailsMetrics().timed('access', () => this.handler.access(kong));
  }
}
