import { signingSecretField } from '../../lib/kong/fields';
import type { KongField, KongSchema } from '../../lib/kong/schema';
import { PROVIDER_TYPES } from '../../lib/plan';
import { ALGORITHMS } from '../../lib/routing';

const timeouts: KongField = {
  type: 'record',
  description: 'Per-target upstream timeouts, enforced by the relay.',
  fields: [
    { connect_ms: { type: 'integer', default: 5000, between: [1, 600000] } },
    { first_byte_ms: { type: 'integer', default: 60000, between: [1, 3600000] } },
    { idle_ms: { type: 'integer', default: 60000, between: [1, 3600000] } },
    { total_ms: { type: 'integer', default: 600000, between: [1, 3600000] } },
  ],
};

const targetFields: KongSchema = [
    { provider: { type: 'string', required: true, one_of: [...PROVIDER_TYPES] } },
    { base_url: { type: 'string', required: true, match: '^https?://' } },
    { model: { type: 'string', required: true, len_min: 1 } },
    {
      credential: {
        type: 'string',
        // Only the NAME of a variable in the relay's environment; the key never enters Kong.
        match: '^[A-Z][A-Z0-9_]*$',
        description: "Environment variable in the relay holding the provider key (e.g. OPENAI_API_KEY); empty for keyless servers such as Ollama.",
      },
    },
    { timeouts },
    {
      pricing: {
        type: 'record',
        description: 'USD per million tokens, overriding the price catalogue for this target (e.g. a negotiated rate or a private model).',
        fields: [
          { input: { type: 'number', required: true, between: [0, 100000] } },
          { output: { type: 'number', required: true, between: [0, 100000] } },
          { cached_read: { type: 'number', between: [0, 100000] } },
          { cached_write: { type: 'number', between: [0, 100000] } },
          { max_output_tokens: { type: 'integer', between: [0, 10000000] } },
          // Bound the prompt a budget reserves for (lib/tokens): a prompt never exceeds the
          // context window, and each image costs at most max_image_tokens.
          { context_window: { type: 'integer', between: [1, 100000000] } },
          { max_image_tokens: { type: 'integer', between: [1, 10000000] } },
        ],
      },
    },
];

/** One target (the simple case). */
const target: KongField = { type: 'record', fields: targetFields };

/** Several targets: tried in priority tiers (lower first), weighted at random within a tier. */
const targets: KongField = {
  type: 'array',
  elements: {
    type: 'record',
    fields: [
      ...targetFields,
      { weight: { type: 'integer', default: 1, between: [1, 1000] } },
      { priority: { type: 'integer', default: 0, between: [0, 100] } },
      { rpm_limit: { type: 'integer', between: [1, 100000000], description: 'For usage-based balancing: keep this target under this many requests per minute.' } },
      { tpm_limit: { type: 'integer', between: [1, 10000000000], description: 'For usage-based balancing: keep this target under this many tokens per minute.' } },
    ],
  },
};

const retry: KongField = {
  type: 'record',
  description: 'How the relay retries a failing target before failing over: connection errors, timeouts, 429 (honouring Retry-After) and 5xx; never caller errors.',
  fields: [
    { max_retries: { type: 'integer', default: 2, between: [0, 10] } },
    { base_delay_ms: { type: 'integer', default: 200, between: [0, 60000] } },
    { max_delay_ms: { type: 'integer', default: 5000, between: [0, 300000] } },
    { max_retry_after_ms: { type: 'integer', default: 20000, between: [0, 600000] } },
  ],
};

const balancing: KongField = {
  type: 'record',
  description: 'How targets of the same priority tier are ordered. Breaker-open targets always move last (and are still tried when all are open).',
  fields: [
    { algorithm: { type: 'string', default: 'weighted-round-robin', one_of: [...ALGORITHMS] } },
    { hash_header: { type: 'string', default: 'x-session-id', description: 'consistent-hash: the request header whose value keeps a session on one target.' } },
  ],
};

const failover: KongField = {
  type: 'record',
  description: 'Besides transient failures, fail over to the next target on these provider refusals.',
  fields: [
    { on_context_window: { type: 'boolean', default: true } },
    { on_content_policy: { type: 'boolean', default: false } },
  ],
};

export const Schema: KongSchema = [
  { relay_url: { type: 'string', required: true, default: 'http://127.0.0.1:8787', match: '^http://' } },
  { signing_secret: signingSecretField('HMAC secret shared with the relay; use a vault reference such as {vault://env/aigw-plan-secret}.') },
  { plan_ttl_seconds: { type: 'integer', default: 30, between: [1, 300] } },
  {
    require_key: {
      type: 'boolean',
      default: true,
      description:
        'Refuse (503) requests aigw-virtual-key did not admit. Kong skips a plugin whose plugin server is down or hung, so without this a request could be routed unauthenticated. Turn off only on routes served without virtual keys.',
    },
  },
  {
    redis_url: {
      type: 'string',
      referenceable: true,
      encrypted: true,
      description: 'Redis holding budget reservations; required when keys or teams have budgets ({vault://env/aigw-redis-url}).',
    },
  },
  { database_url: { type: 'string', referenceable: true, encrypted: true, description: 'PostgreSQL ledger, read to rebuild budget counters after a Redis loss.' } },
  {
    max_request_body_bytes: {
      type: 'integer',
      default: 4194304,
      // Bodies cross the plugin-server socket; its msgpack decoding is quadratic in size.
      between: [1024, 33554432],
    },
  },
  {
    models: {
      type: 'array',
      required: true,
      len_min: 1,
      elements: {
        type: 'record',
        fields: [
          { name: { type: 'string', required: true, len_min: 1 } },
          { target },
          { targets },
          { fallback_models: { type: 'array', elements: { type: 'string' }, description: 'Model names whose targets are tried after this model\'s own, in order.' } },
          { retry },
          { failover },
          { balancing },
        ],
      },
    },
  },
];
