/**
 * aigw-proxy's config, declared once: `Schema` is what Kong validates (and Kong Manager renders),
 * `AiProxyFields` gives the config type (config.ts), defaults come from lib/gateway-defaults.
 */
import {
  BALANCING_ALGORITHM_DEFAULT,
  HASH_HEADER_DEFAULT,
  PLAN_TTL_SECONDS_DEFAULT,
  RELAY_URL_DEFAULT,
  REQUEST_BODY_BYTES_DEFAULT,
  REQUEST_BODY_BYTES_MAX,
  RETRY_POLICY_DEFAULT,
  TARGET_TIMEOUTS_DEFAULT,
} from '../../lib/gateway-defaults';
import { signingSecretField } from '../../lib/kong/fields';
import type { KongSchema } from '../../lib/kong/schema';
import { array, boolean, integer, number, oneOf, record, schemaOf, string } from '../../lib/kong/schema-builder';
import { PROVIDER_TYPES } from '../../lib/plan';
import { ALGORITHMS } from '../../lib/routing';
import { STRATEGY_CONCURRENCY_DEFAULT, STRATEGY_DEFAULT_N, STRATEGY_MAX_N_DEFAULT, STRATEGY_NAMES } from '../../lib/strategy/plan';

const timeouts = record({
  description: 'Per-target upstream timeouts, enforced by the relay.',
  fields: {
    connect_ms: integer({ default: TARGET_TIMEOUTS_DEFAULT.connectMs, between: [1, 600000] }),
    first_byte_ms: integer({ default: TARGET_TIMEOUTS_DEFAULT.firstByteMs, between: [1, 3600000] }),
    idle_ms: integer({ default: TARGET_TIMEOUTS_DEFAULT.idleMs, between: [1, 3600000] }),
    total_ms: integer({ default: TARGET_TIMEOUTS_DEFAULT.totalMs, between: [1, 3600000] }),
  },
});

const pricing = record({
  description: 'USD per million tokens, overriding the price catalogue for this target (e.g. a negotiated rate or a private model).',
  fields: {
    input: number({ required: true, between: [0, 100000] }),
    output: number({ required: true, between: [0, 100000] }),
    cached_read: number({ between: [0, 100000] }),
    cached_write: number({ between: [0, 100000] }),
    cached_write_1h: number({ between: [0, 100000] }),
    max_output_tokens: integer({ between: [0, 10000000] }),
    // Bound the prompt a budget reserves for (lib/tokens): a prompt never exceeds the
    // context window, and each image costs at most max_image_tokens.
    context_window: integer({ between: [1, 100000000] }),
    max_image_tokens: integer({ between: [1, 10000000] }),
  },
});

const targetFields = {
  provider: oneOf(PROVIDER_TYPES, { required: true }),
  base_url: string({ required: true, match: '^https?://' }),
  model: string({ required: true, len_min: 1 }),
  credential: string({
    // Only the NAME of a variable in the relay's environment; the key never enters Kong.
    match: '^[A-Z][A-Z0-9_]*$',
    description: 'Environment variable in the relay holding the provider key (e.g. OPENAI_API_KEY); empty for keyless servers such as Ollama.',
  }),
  timeouts,
  pricing,
};

/** One target (the simple case). */
const target = record({ fields: targetFields });

/** Several targets: tried in priority tiers (lower first), weighted at random within a tier. */
const targets = array({
  elements: record({
    fields: {
      ...targetFields,
      weight: integer({ default: 1, between: [1, 1000] }),
      priority: integer({ default: 0, between: [0, 100] }),
      rpm_limit: integer({ between: [1, 100000000], description: 'For usage-based balancing: keep this target under this many requests per minute.' }),
      tpm_limit: integer({ between: [1, 10000000000], description: 'For usage-based balancing: keep this target under this many tokens per minute.' }),
    },
  }),
});

const retry = record({
  description:
    'How the relay retries a failing target before failing over: connection errors, timeouts, 429 (honouring Retry-After) and 5xx; never caller errors.',
  fields: {
    max_retries: integer({ default: RETRY_POLICY_DEFAULT.maxRetries, between: [0, 10] }),
    base_delay_ms: integer({ default: RETRY_POLICY_DEFAULT.baseDelayMs, between: [0, 60000] }),
    max_delay_ms: integer({ default: RETRY_POLICY_DEFAULT.maxDelayMs, between: [0, 300000] }),
    max_retry_after_ms: integer({ default: RETRY_POLICY_DEFAULT.maxRetryAfterMs, between: [0, 600000] }),
  },
});

const balancing = record({
  description: 'How targets of the same priority tier are ordered. Breaker-open targets always move last (and are still tried when all are open).',
  fields: {
    algorithm: oneOf(ALGORITHMS, { default: BALANCING_ALGORITHM_DEFAULT }),
    hash_header: string({ default: HASH_HEADER_DEFAULT, description: 'consistent-hash: the request header whose value keeps a session on one target.' }),
  },
});

const failover = record({
  description: 'Besides transient failures, fail over to the next target on these provider refusals.',
  fields: {
    on_context_window: boolean({ default: RETRY_POLICY_DEFAULT.failoverOnContextWindow }),
    on_content_policy: boolean({ default: RETRY_POLICY_DEFAULT.failoverOnContentPolicy }),
  },
});

export const AiProxyFields = {
  relay_url: string({ required: true, default: RELAY_URL_DEFAULT, match: '^http://' }),
  signing_secret: signingSecretField('HMAC secret shared with the relay; use a vault reference such as {vault://env/aigw-plan-secret}.'),
  plan_ttl_seconds: integer({ default: PLAN_TTL_SECONDS_DEFAULT, between: [1, 300] }),
  require_key: boolean({
    default: true,
    description:
      'Refuse (503) requests aigw-virtual-key did not admit. Kong skips a plugin whose plugin server is down or hung, so without this a request could be routed unauthenticated. Turn off only on routes served without virtual keys.',
  }),
  redis_url: string({
    referenceable: true,
    encrypted: true,
    description: 'Redis holding budget reservations; required when keys or teams have budgets ({vault://env/aigw-redis-url}).',
  }),
  database_url: string({ referenceable: true, encrypted: true, description: 'PostgreSQL ledger, read to rebuild budget counters after a Redis loss.' }),
  max_request_body_bytes: integer({
    default: REQUEST_BODY_BYTES_DEFAULT,
    // Bodies cross the plugin-server socket; its msgpack decoding is quadratic in size.
    between: [1024, REQUEST_BODY_BYTES_MAX],
  }),
  strategies: record({
    description: 'Reasoning strategies this route serves (docs/strategies.md); unset: none.',
    fields: {
      allowed: array({ elements: oneOf(STRATEGY_NAMES), default: [], description: 'Strategy names clients may select (bon, sc, moa, re2, plan).' }),
      max_n: integer({ default: STRATEGY_MAX_N_DEFAULT, between: [1, 16], description: 'Most candidates (bon, sc) or proposers (moa) per request.' }),
      default_n: integer({ default: STRATEGY_DEFAULT_N, between: [1, 16] }),
      judge_model: string({ description: "Best-of-n's judge (a configured model); unset: the longest non-refusal wins." }),
      aggregator_model: string({ description: "Mixture of agents' aggregator; unset: the requested model." }),
      proposer_models: array({ elements: string(), default: [], description: 'Mixture of agents: the proposers; empty: the requested model n times.' }),
      concurrency: integer({ default: STRATEGY_CONCURRENCY_DEFAULT, between: [1, 16], description: 'Inner calls of one request in flight at once.' }),
    },
  }),
  models: array({
    required: true,
    len_min: 1,
    elements: record({
      fields: {
        name: string({ required: true, len_min: 1 }),
        target,
        targets,
        fallback_models: array({ elements: string(), description: "Model names whose targets are tried after this model's own, in order." }),
        retry,
        failover,
        balancing,
      },
    }),
  }),
};

export const Schema: KongSchema = schemaOf(AiProxyFields);
