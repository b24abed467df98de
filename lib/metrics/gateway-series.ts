/**
 * The series every process exports under the same names and labels (docs/observability.md), so a
 * dashboard sums them across jobs: requests by whoever answered them, policy refusals, plugin
 * time, requests without a verified identity, fail-open events and store errors. One instance per
 * registry (a plugin server's, the relay's, the control API's).
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { RequestLabels } from './labels';

/** Where a store call failed: Redis, PostgreSQL, the inference sidecar or an external guard (aigw-guardrails). */
export type StoreName = 'redis' | 'postgres' | 'inference' | 'external_guard';

/** Which operator rule refused a request, by the refusal's code; null when the code is no policy's. */
const POLICY_BY_CODE: Readonly<Record<string, string>> = {
  parallel_limit_exceeded: 'parallel',
  budget_exceeded: 'budget',
  model_not_allowed: 'model_allowlist',
  guardrail_blocked: 'guardrail',
  content_policy_violation: 'guardrail',
  admin_required: 'admin_only',
};

/** The `policy` label of a refusal: the limit a rate refusal hit (`rpm`, `tpm`) when known, else by its code. */
export function policyOf(code: string | null, rateLimit?: 'rpm' | 'tpm'): string | null {
  if (code === 'rate_limit_exceeded') return rateLimit ?? 'rpm';
  return code && Object.hasOwn(POLICY_BY_CODE, code) ? POLICY_BY_CODE[code]! : null;
}

const instances = new WeakMap<Registry, GatewaySeries>();

export class GatewaySeries {
  private readonly requests: Counter<keyof RequestLabels>;
  private readonly refusals: Counter<'policy' | 'team' | 'key'>;
  private readonly pluginSeconds: Histogram<'plugin' | 'phase'>;
  private readonly unverified: Counter<'component' | 'reason'>;
  private readonly failOpen: Counter<'component' | 'stage'>;
  private readonly storeErrors: Counter<'component' | 'store' | 'operation'>;

  /** The series of `registry`, made the first time a component of its process asks. */
  static of(registry: Registry): GatewaySeries {
    let series = instances.get(registry);
    if (!series) {
      series = new GatewaySeries(registry);
      instances.set(registry, series);
    }
    return series;
  }

  private constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'aigw_requests_total',
      help: 'Requests by whoever answered them (a plugin that refused or answered, or the relay), with who the error is on (error_type)',
      labelNames: ['answered_by', 'route', 'endpoint', 'client_format', 'model', 'provider', 'status', 'error_type', 'stream', 'team', 'key'] as const,
      registers,
    });
    this.refusals = new Counter({
      name: 'aigw_policy_refusals_total',
      help: "Requests an operator's rule refused (rate and parallel limits, budgets, model allow-lists), by policy",
      labelNames: ['policy', 'team', 'key'] as const,
      registers,
    });
    this.pluginSeconds = new Histogram({
      name: 'aigw_plugin_duration_seconds',
      help: 'Time a plugin spent on a request, by phase (its share of the gateway overhead)',
      labelNames: ['plugin', 'phase'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.unverified = new Counter({
      name: 'aigw_identity_unverified_total',
      help: 'Requests that reached a component without a valid identity from aigw-virtual-key (refused; any is a sign auth may have failed open)',
      labelNames: ['component', 'reason'] as const,
      registers,
    });
    this.failOpen = new Counter({
      name: 'aigw_fail_open_total',
      help: 'Optimisations that let a request through unoptimised because a dependency failed, by component and stage',
      labelNames: ['component', 'stage'] as const,
      registers,
    });
    this.storeErrors = new Counter({
      name: 'aigw_store_errors_total',
      help: 'Calls to Redis, PostgreSQL or the inference sidecar that failed, by component and operation',
      labelNames: ['component', 'store', 'operation'] as const,
      registers,
    });
  }

  answered(labels: RequestLabels): void {
    this.requests.inc(labels);
  }

  refused(policy: string, who: { team: string; key: string }): void {
    this.refusals.inc({ policy, ...who });
  }

  pluginDuration(plugin: string, phase: string, seconds: number): void {
    this.pluginSeconds.observe({ plugin, phase }, seconds);
  }

  identityUnverified(component: string, reason: string): void {
    this.unverified.inc({ component, reason });
  }

  failedOpen(component: string, stage: string): void {
    this.failOpen.inc({ component, stage });
  }

  storeError(component: string, store: StoreName, operation: string): void {
    this.storeErrors.inc({ component, store, operation });
  }
}
