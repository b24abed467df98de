/**
 * aigw-virtual-key's config, declared once: `Schema` is what Kong validates, `VirtualKeyFields`
 * gives the config type (config.ts), shared defaults come from lib/gateway-defaults.
 */
import { PARALLEL_LEASE_SECONDS_DEFAULT, REQUEST_BODY_BYTES_DEFAULT, REQUEST_BODY_BYTES_MAX } from '../../lib/gateway-defaults';
import { signingSecretField } from '../../lib/kong/fields';
import type { KongSchema } from '../../lib/kong/schema';
import { boolean, integer, schemaOf, string } from '../../lib/kong/schema-builder';

export const VirtualKeyFields = {
  database_url: string({
    required: true,
    referenceable: true,
    encrypted: true,
    description: 'PostgreSQL holding teams and hashed keys, e.g. {vault://env/aigw-database-url}.',
  }),
  redis_url: string({
    required: true,
    referenceable: true,
    encrypted: true,
    description: 'Redis for the key cache, invalidations and limits, e.g. {vault://env/aigw-redis-url}.',
  }),
  signing_secret: signingSecretField('HMAC secret shared with the control API (and the relay).'),
  require_admin: boolean({
    default: false,
    description:
      'Guard the control API: only admin keys pass, with a signed identity; a request without a key passes unsigned, for the control API to check its console session.',
  }),
  token_limits: boolean({
    default: true,
    description:
      'false on routes whose requests spend no provider tokens (/v1/messages/count_tokens): tokens-per-minute limits and budgets do not apply to them; requests-per-minute and parallel limits still do.',
  }),
  cache_ttl_seconds: integer({ default: 5, between: [1, 300] }),
  negative_cache_ttl_seconds: integer({ default: 2, between: [1, 60] }),
  redis_cache_ttl_seconds: integer({ default: 60, between: [1, 3600] }),
  max_request_body_bytes: integer({ default: REQUEST_BODY_BYTES_DEFAULT, between: [1024, REQUEST_BODY_BYTES_MAX] }),
  parallel_lease_seconds: integer({
    default: PARALLEL_LEASE_SECONDS_DEFAULT,
    between: [10, 7200],
    description:
      'A parallel-request slot is released when the response ends; the relay renews it while the request lives, so a dead node frees its slots after this long.',
  }),
};

export const Schema: KongSchema = schemaOf(VirtualKeyFields);
