/**
 * aigw-guardrails' config, declared once: `Schema` is what Kong validates (and Kong Manager
 * renders), the fields give the config type (config.ts). A detector whose record is unset is off.
 * Kong's ai-prompt-guard configuration is accepted as is under `prompt_guard`.
 */
import { INFERENCE_ADDRESS_DEFAULT, REQUEST_BODY_BYTES_DEFAULT, REQUEST_BODY_BYTES_MAX } from '../../lib/gateway-defaults';
import { PII_TYPES, PROMPT_GUARD_LIMITS } from '../../lib/guardrails';
import {
  SIMILARITY_THRESHOLD_DEFAULT,
  TOPIC_EXAMPLE_CHARS_MAX,
  TOPIC_EXAMPLES_MAX,
  TOPIC_THRESHOLD_DEFAULT,
  TOPICS_MAX,
} from '../../lib/guardrails/similarity';
import type { KongSchema } from '../../lib/kong/schema';
import { array, boolean, integer, number, oneOf, record, schemaOf, string } from '../../lib/kong/schema-builder';

const ALL_ACTIONS = ['monitor', 'redact', 'block'] as const;
const NO_REDACT = ['monitor', 'block'] as const;

const patterns = (description: string) =>
  array({
    elements: string({ len_min: 1, len_max: PROMPT_GUARD_LIMITS.maxPatternLength }),
    len_max: PROMPT_GUARD_LIMITS.maxPatterns,
    description,
  });

const topicList = (description: string) =>
  array({
    elements: record({
      fields: {
        name: string({ required: true, match: '^[A-Za-z0-9_.-]+$', len_max: 64, description: 'Reported as the finding type (metrics, the 400).' }),
        examples: array({ elements: string({ len_min: 1, len_max: TOPIC_EXAMPLE_CHARS_MAX }), required: true, len_min: 1, len_max: TOPIC_EXAMPLES_MAX }),
      },
    }),
    len_max: TOPICS_MAX,
    description,
  });

export const GuardrailsFields = {
  database_url: string({
    referenceable: true,
    encrypted: true,
    description: 'PostgreSQL for the request log: a blocked request of a verified key gets its row, e.g. {vault://env/aigw-database-url}.',
  }),
  scan_system: boolean({ default: false, description: 'Also scan the system prompt (system/developer messages, instructions).' }),
  scan_tool_results: boolean({ default: true, description: 'Also scan tool results (tool messages, tool_result blocks, function_call_output).' }),
  pii: record({
    description: 'Personal data: e-mail, phone, payment card, IBAN, US SSN, IP address, date of birth, name, address.',
    fields: {
      action: oneOf(ALL_ACTIONS, { default: 'redact' }),
      types: array({ elements: oneOf(PII_TYPES), default: [...PII_TYPES] }),
      default_phone_country: string({
        match: '^[A-Z][A-Z]$',
        description: 'ISO country a phone number without + is read in (e.g. US); unset: only international numbers.',
      }),
    },
  }),
  secrets: record({
    description: 'Provider and cloud keys, private keys, JWTs and high-entropy tokens.',
    fields: {
      action: oneOf(ALL_ACTIONS, { default: 'block' }),
      high_entropy: boolean({ default: true, description: 'Also report unknown high-entropy tokens (some public ids look alike).' }),
    },
  }),
  injection: record({
    description: 'Prompt injection and jailbreak phrasings (rules; see docs/guardrails.md for their measured recall).',
    fields: {
      action: oneOf(NO_REDACT, { default: 'block' }),
      similarity: record({
        description: "Also compare user text and tool results to the gateway's list of known attacks with the inference sidecar's embedder.",
        fields: {
          enabled: boolean({ default: false }),
          threshold: number({ default: SIMILARITY_THRESHOLD_DEFAULT, between: [0.3, 1], description: 'Cosine similarity that reports a known attack.' }),
        },
      }),
    },
  }),
  topics: record({
    description: "Topics by similarity to example phrases (the inference sidecar's embedder): deny some, or allow only some.",
    fields: {
      action: oneOf(NO_REDACT, { default: 'block' }),
      threshold: number({
        default: TOPIC_THRESHOLD_DEFAULT,
        between: [0.3, 1],
        description: "Cosine similarity to one of a topic's examples that counts as on it.",
      }),
      deny: topicList('A user message similar to one of these topics is reported as that topic.'),
      allow: topicList('When set, the latest user message must be similar to one of these topics, else it is reported as off_topic.'),
    },
  }),
  prompt_guard: record({
    description: "Allow/deny patterns with Kong ai-prompt-guard's configuration and semantics.",
    fields: {
      action: oneOf(NO_REDACT, { default: 'block' }),
      allow_patterns: patterns('A prompt must match one of these (when any are set).'),
      deny_patterns: patterns('A prompt matching any of these is refused.'),
      allow_all_conversation_history: boolean({ default: false, description: "Kong's meaning: check only the latest user message." }),
      match_all_roles: boolean({ default: false, description: 'Check every role, not only user messages.' }),
      max_request_body_size: integer({ default: PROMPT_GUARD_LIMITS.defaultMaxBodySize, between: [1, REQUEST_BODY_BYTES_MAX] }),
    },
  }),
  external: record({
    description: 'An external guard with a Lakera Guard v2-compatible API: POST {messages:[{role,content}]} → {flagged}.',
    fields: {
      url: string({ required: true, description: 'e.g. https://api.lakera.ai/v2/guard' }),
      action: oneOf(NO_REDACT, { default: 'block' }),
      api_key_header: string({ default: 'Authorization', description: 'Header carrying the key (Authorization gets "Bearer <key>").' }),
      api_key_env: string({ description: "Environment variable of the plugin server holding the guard's key; never the key itself." }),
      timeout_ms: integer({ default: 500, between: [10, 30000], description: 'Deadline of one call.' }),
      on_error: oneOf(['open', 'closed'] as const, {
        default: 'open',
        description: 'Down, slow or malformed: open lets the request through (counted), closed answers 503.',
      }),
    },
  }),
  inference_address: string({
    default: INFERENCE_ADDRESS_DEFAULT,
    description: 'The inference sidecar (embeddings, for similarity and topics): a loopback host:port or unix:/path; any other address is never called.',
  }),
  embed_deadline_ms: integer({
    default: 200,
    between: [5, 10000],
    description: 'How long the embeddings may take; past it (or the sidecar down) similarity and topics let the request through, counted.',
  }),
  restore_in_response: boolean({ default: true, description: 'Put redacted values back into the answer of the same request (never stored).' }),
  response: record({
    description: 'Detectors the relay runs on the answer, streamed or not.',
    fields: {
      action: oneOf(ALL_ACTIONS, { default: 'monitor' }),
      pii: boolean({ default: false, description: "PII, with the request's pii types and phone country." }),
      secrets: boolean({ default: true }),
    },
  }),
  max_request_body_bytes: integer({ default: REQUEST_BODY_BYTES_DEFAULT, between: [1024, REQUEST_BODY_BYTES_MAX] }),
};

export const Schema: KongSchema = schemaOf(GuardrailsFields);
