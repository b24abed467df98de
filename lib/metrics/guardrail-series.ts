/**
 * What the guardrails did, from the plugin (requests) and the relay (answers), under the same
 * names so a dashboard sums them: each finding by detector, type, the action taken and the phase,
 * and the time scanning took. Labels come from fixed sets (detector and type names, actions),
 * never from the text that matched.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export type GuardPhase = 'request' | 'response';

const instances = new WeakMap<Registry, GuardrailSeries>();

export class GuardrailSeries {
  private readonly events: Counter<'detector' | 'type' | 'action' | 'phase'>;
  private readonly scanSeconds: Histogram<'phase'>;

  static of(registry: Registry): GuardrailSeries {
    let series = instances.get(registry);
    if (!series) {
      series = new GuardrailSeries(registry);
      instances.set(registry, series);
    }
    return series;
  }

  private constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'aigw_guardrail_events_total',
      help: 'Guardrail findings by detector, type, the action taken (monitor, redact, block) and phase (request, response)',
      labelNames: ['detector', 'type', 'action', 'phase'] as const,
      registers,
    });
    this.scanSeconds = new Histogram({
      name: 'aigw_guardrail_scan_seconds',
      help: 'Time spent scanning a request (all detectors, the external guard included) or one answer chunk or whole answer, by phase',
      labelNames: ['phase'] as const,
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
  }

  event(detector: string, type: string, action: string, phase: GuardPhase): void {
    this.events.inc({ detector, type, action, phase });
  }

  scanned(phase: GuardPhase, seconds: number): void {
    this.scanSeconds.observe({ phase }, seconds);
  }
}
