/**
 * Defaults the plugins' schemas declare and the relay applies when a plan or its environment
 * leaves them out: one constant per fact, so Kong's config and the relay cannot disagree.
 */
import type { PlanRetry, TargetTimeouts } from './plan';

/** Per-target upstream timeouts (aigw-proxy `models[].target.timeouts`). */
export const TARGET_TIMEOUTS_DEFAULT: Readonly<TargetTimeouts> = { connectMs: 5000, firstByteMs: 60_000, idleMs: 60_000, totalMs: 600_000 };

/** Retries on one target and failover (aigw-proxy `models[].retry` and `.failover`; the relay's policy when a plan has none). */
export const RETRY_POLICY_DEFAULT: Readonly<Required<PlanRetry>> = {
  maxRetries: 2,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 20_000,
  failoverOnContextWindow: true,
  failoverOnContentPolicy: false,
};

/** Where the relay listens and where aigw-proxy sends plans (a sidecar in Kong's network namespace). */
export const RELAY_HOST_DEFAULT = '127.0.0.1';
export const RELAY_PORT_DEFAULT = 8787;
export const RELAY_URL_DEFAULT = `http://${RELAY_HOST_DEFAULT}:${RELAY_PORT_DEFAULT}`;

/** The body a plugin reads by default (both plugins' `max_request_body_bytes`). */
export const REQUEST_BODY_BYTES_DEFAULT = 4 * 1024 * 1024;
/**
 * The most a plugin may be configured to read, and the relay's own limit by default
 * (RELAY_MAX_BODY_BYTES): the relay never refuses what Kong's plugins were allowed to pass.
 */
export const REQUEST_BODY_BYTES_MAX = 32 * 1024 * 1024;

/** How long a signed plan stays valid (aigw-proxy `plan_ttl_seconds`). */
export const PLAN_TTL_SECONDS_DEFAULT = 30;

/** A parallel slot's lease (aigw-virtual-key `parallel_lease_seconds`); the relay renews it at a third. */
export const PARALLEL_LEASE_SECONDS_DEFAULT = 60;

/** Balancing within a priority tier (aigw-proxy `models[].balancing`). */
export const BALANCING_ALGORITHM_DEFAULT = 'weighted-round-robin';
export const HASH_HEADER_DEFAULT = 'x-session-id';

/** Where the inference sidecar listens (its INFERENCE_ADDRESS) and where aigw-prompt-compressor calls it. */
export const INFERENCE_ADDRESS_DEFAULT = '127.0.0.1:50151';

/**
 * Where each plugin server serves its metrics (AIGW_PLUGIN_METRICS_PORTS, lib/metrics/plugin-server.ts):
 * the ports `make dev` and the Docker stack use, and kong/observability/prometheus.yml scrapes.
 */
export const PLUGIN_METRICS_PORTS_DEFAULT =
  'aigw-virtual-key=8790,aigw-semantic-cache=8791,aigw-prompt-compressor=8792,aigw-proxy=8793,aigw-prompt-template=8794,aigw-guardrails=8795,aigw-router=8796';
