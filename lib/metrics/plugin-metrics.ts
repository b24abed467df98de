/**
 * What every plugin server counts for its plugin, on its own registry (plugin-server.ts): the
 * requests the plugin answered itself, its policy refusals, its time per phase, fail-open events
 * and store errors. Each plugin's metrics.ts builds one and adds its own series.
 */
import type { Registry } from 'prom-client';
import type { GatewayError } from '../errors';
import { GatewaySeries, policyOf, type StoreName } from './gateway-series';
import { type KeyLabelMode, keyLabelMode, NO_SUBJECT, type PluginAnswer, pluginAnswerLabels, type Subject, subjectLabels } from './labels';

export class PluginMetrics {
  readonly series: GatewaySeries;
  protected readonly keyMode: KeyLabelMode;

  constructor(
    readonly plugin: string,
    readonly registry: Registry,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.series = GatewaySeries.of(registry);
    this.keyMode = keyLabelMode(env);
  }

  /** A request this plugin answered (a refusal, a listing, a cache hit). */
  answered(answer: PluginAnswer): void {
    this.series.answered(pluginAnswerLabels(this.plugin, answer, this.keyMode));
  }

  /** A refusal answered by this plugin: the request, and the policy that refused it when one did. */
  refused(path: string, error: GatewayError, subject: Subject = NO_SUBJECT, rateLimit?: 'rpm' | 'tpm', model?: string): void {
    this.answered({ path, status: error.status, code: error.code, subject, model });
    const policy = policyOf(error.code, rateLimit);
    if (policy) this.series.refused(policy, subjectLabels(subject, this.keyMode));
  }

  /** Times one phase of the plugin; the metric never changes what the phase returns or throws. */
  async timed<T>(phase: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.series.pluginDuration(this.plugin, phase, (performance.now() - started) / 1000);
    }
  }

  failedOpen(stage: string): void {
    this.series.failedOpen(this.plugin, stage);
  }

  storeError(store: StoreName, operation: string): void {
    this.series.storeError(this.plugin, store, operation);
  }

  identityUnverified(reason: string): void {
    this.series.identityUnverified(this.plugin, reason);
  }
}
