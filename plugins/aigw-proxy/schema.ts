import { signingSecretField } from '../../lib/kong/fields';
import type { KongField, KongSchema } from '../../lib/kong/schema';
import { OPENAI_COMPATIBLE_PROVIDERS } from '../../lib/plan';

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

const target: KongField = {
  type: 'record',
  required: true,
  fields: [
    { provider: { type: 'string', required: true, one_of: [...OPENAI_COMPATIBLE_PROVIDERS] } },
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
        ],
      },
    },
  ],
};

export const Schema: KongSchema = [
  { relay_url: { type: 'string', required: true, default: 'http://127.0.0.1:8787', match: '^http://' } },
  { signing_secret: signingSecretField('HMAC secret shared with the relay; use a vault reference such as {vault://env/aigw-plan-secret}.') },
  { plan_ttl_seconds: { type: 'integer', default: 30, between: [1, 300] } },
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
        fields: [{ name: { type: 'string', required: true, len_min: 1 } }, { target }],
      },
    },
  },
];
