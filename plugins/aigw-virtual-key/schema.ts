import { signingSecretField } from '../../lib/kong/fields';
import type { KongSchema } from '../../lib/kong/schema';

export const Schema: KongSchema = [
  {
    database_url: {
      type: 'string',
      required: true,
      referenceable: true,
      encrypted: true,
      description: 'PostgreSQL holding teams and hashed keys, e.g. {vault://env/aigw-database-url}.',
    },
  },
  { redis_url: { type: 'string', required: true, referenceable: true, encrypted: true, description: 'Redis for the key cache, invalidations and limits, e.g. {vault://env/aigw-redis-url}.' } },
  { signing_secret: signingSecretField('HMAC secret shared with the control API (and the relay).') },
  { require_admin: { type: 'boolean', default: false, description: 'Guard the control API: only admin keys pass, with a signed identity.' } },
  { cache_ttl_seconds: { type: 'integer', default: 5, between: [1, 300] } },
  { negative_cache_ttl_seconds: { type: 'integer', default: 2, between: [1, 60] } },
  { redis_cache_ttl_seconds: { type: 'integer', default: 60, between: [1, 3600] } },
  { max_request_body_bytes: { type: 'integer', default: 4194304, between: [1024, 33554432] } },
  {
    parallel_lease_seconds: {
      type: 'integer',
      default: 60,
      between: [10, 7200],
      description: 'A parallel-request slot is released when the response ends; the relay renews it while the request lives, so a dead node frees its slots after this long.',
    },
  },
];
