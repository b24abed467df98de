/**
 * The relay's cascade and strategy series, on the relay's registry (one set per registry).
 * Labels are bounded: router and strategy names come from configuration, outcomes, checks and
 * roles from fixed lists.
 */
import { Counter, type Registry } from 'prom-client';

export class StrategySeries {
  private static readonly byRegistry = new WeakMap<Registry, StrategySeries>();

  static of(registry: Registry): StrategySeries {
    let series = StrategySeries.byRegistry.get(registry);
    if (!series) {
      series = new StrategySeries(registry);
      StrategySeries.byRegistry.set(registry, series);
    }
    return series;
  }

  private readonly cascades: Counter<'router' | 'outcome' | 'check'>;
  private readonly requests: Counter<'strategy' | 'outcome'>;
  private readonly calls: Counter<'strategy' | 'role' | 'result'>;

  private constructor(registry: Registry) {
    this.cascades = new Counter({
      name: 'aigw_cascade_total',
      help: 'Cascaded requests by router, outcome (accepted, escalated, failed) and the check that decided (passed when all passed).',
      labelNames: ['router', 'outcome', 'check'],
      registers: [registry],
    });
    this.requests = new Counter({
      name: 'aigw_strategy_requests_total',
      help: 'Requests run with a reasoning strategy, by strategy and outcome (ok, degraded, failed, client_aborted).',
      labelNames: ['strategy', 'outcome'],
      registers: [registry],
    });
    this.calls = new Counter({
      name: 'aigw_strategy_calls_total',
      help: 'Inner calls of cascades and strategies, by strategy (cascade for a cascade), role and result (ok or the failure kind).',
      labelNames: ['strategy', 'role', 'result'],
      registers: [registry],
    });
  }

  cascade(router: string, outcome: string, check: string): void {
    this.cascades.inc({ router, outcome, check });
  }

  request(strategy: string, outcome: string): void {
    this.requests.inc({ strategy, outcome });
  }

  call(strategy: string, role: string, result: string): void {
    this.calls.inc({ strategy, role, result });
  }
}
