/**
 * aigw-semantic-cache's config, declared once: `Schema` is what Kong validates (and Kong Manager
 * renders), the fields give the config type (config.ts).
 */
import { INFERENCE_ADDRESS_DEFAULT, REQUEST_BODY_BYTES_DEFAULT, REQUEST_BODY_BYTES_MAX } from '../../lib/gateway-defaults';
import type { KongSchema } from '../../lib/kong/schema';
import { array, boolean, integer, number, oneOf, schemaOf, string } from '../../lib/kong/schema-builder';
import { RESPONSES_TTL_SECONDS_DEFAULT, RESPONSES_TTL_SECONDS_MAX } from '../../lib/responses';
import { MAX_TTL_SECONDS, SEMANTIC_THRESHOLD_DEFAULT } from '../../lib/semantic-cache/defaults';
import { GUARD_NAMES } from '../../lib/semantic-cache/guards';

export const SemanticCacheFields = {
  redis_url: string({
    required: true,
    referenceable: true,
    encrypted: true,
    description: 'Redis holding the cache entries (shared by every node), e.g. {vault://env/aigw-redis-url}.',
  }),
  database_url: string({
    referenceable: true,
    encrypted: true,
    description: 'PostgreSQL for the spend ledger: each hit is a $0 row with the dollars it saved, e.g. {vault://env/aigw-database-url}.',
  }),
  inference_address: string({
    default: INFERENCE_ADDRESS_DEFAULT,
    description: 'The inference sidecar (embeddings): a loopback host:port or unix:/path; any other address is never called.',
  }),
  namespace: oneOf(['team', 'key', 'consumer', 'global'] as const, {
    default: 'team',
    description: 'Who shares entries: a team (default), one key, one Kong consumer, or everyone. Never crossed.',
  }),
  semantic: boolean({ default: true, description: 'Also answer reworded questions (embeddings + guards); false = exact matches only.' }),
  threshold: number({ default: SEMANTIC_THRESHOLD_DEFAULT, between: [0.5, 1], description: 'Cosine similarity a reworded question needs.' }),
  guards: array({
    elements: oneOf(GUARD_NAMES),
    default: [...GUARD_NAMES],
    description: 'Checks that veto a similar but different question (numbers, negation, entities, antonyms, direction).',
  }),
  ttl_seconds: integer({ default: 3600, between: [1, MAX_TTL_SECONDS] }),
  cache_tool_calls: boolean({ default: false, description: 'Also store answers that end in tool calls.' }),
  embed_deadline_ms: integer({ default: 100, between: [5, 10000], description: 'How long the embedding may take before the lookup is a miss.' }),
  max_request_body_bytes: integer({ default: REQUEST_BODY_BYTES_DEFAULT, between: [1024, REQUEST_BODY_BYTES_MAX] }),
  responses_ttl_seconds: integer({
    default: RESPONSES_TTL_SECONDS_DEFAULT,
    between: [0, RESPONSES_TTL_SECONDS_MAX],
    description:
      "How long a Responses answer served from the cache is kept for previous_response_id, as the relay keeps its own: set it to the relay's RELAY_RESPONSES_TTL_SECONDS (0: not kept).",
  }),
};

export const Schema: KongSchema = schemaOf(SemanticCacheFields);
