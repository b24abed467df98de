/**
 * aigw-prompt-compressor's config, declared once: `Schema` is what Kong validates (and Kong
 * Manager renders), the fields give the config type (config.ts).
 */
import { INFERENCE_ADDRESS_DEFAULT, REQUEST_BODY_BYTES_DEFAULT, REQUEST_BODY_BYTES_MAX } from '../../lib/gateway-defaults';
import type { KongSchema } from '../../lib/kong/schema';
import { array, boolean, integer, number, oneOf, record, schemaOf, string } from '../../lib/kong/schema-builder';

/** Methods for prose (user text); `structured` is also one, for text that is data. */
const METHODS = ['question_aware', 'bm25', 'structured', 'llmlingua2'] as const;

export const PromptCompressorFields = {
  inference_address: string({
    default: INFERENCE_ADDRESS_DEFAULT,
    description: 'The inference sidecar: a loopback host:port or unix:/path (it runs beside Kong); any other address is never called.',
  }),
  method: oneOf(METHODS, { default: 'question_aware', description: 'How user text is compressed (question_aware needs no model download).' }),
  tool_result_method: oneOf([...METHODS, 'none'] as const, {
    default: 'structured',
    description: 'How tool results are compressed: structured compacts JSON, logs and listings near-losslessly; none leaves them.',
  }),
  rate: number({ default: 0.5, between: [0.05, 1], description: 'Fraction of tokens to keep in the text that is compressed (0.33 ≈ 3×).' }),
  target_tokens: integer({ between: [1, 10000000], description: 'Keep about this many tokens instead of a rate (optional).' }),
  min_tokens: integer({ default: 500, between: [0, 10000000], description: 'Compress only when the text that may change has about this many tokens.' }),
  roles: array({
    elements: oneOf(['user', 'tool'] as const),
    default: ['user', 'tool'],
    description: "Whose text in the latest turn is compressed; system prompts, assistant turns and a provider's cached prefix never are.",
  }),
  deadline_ms_per_1k_tokens: integer({
    default: 30,
    between: [1, 10000],
    description: 'How long the sidecar may take per 1,000 tokens before the original prompt is sent instead.',
  }),
  deadline_ms_max: integer({ default: 500, between: [10, 60000], description: 'The longest the sidecar may take for one request.' }),
  max_request_body_bytes: integer({ default: REQUEST_BODY_BYTES_DEFAULT, between: [1024, REQUEST_BODY_BYTES_MAX] }),
  llmlingua2: record({
    description: 'Options of the llmlingua2 method (a token-classification model in the inference sidecar).',
    fields: {
      model: string({ description: "Model id in the sidecar's models folder; empty = its default." }),
      force_tokens: array({ elements: string({ len_min: 1 }), default: [], len_max: 100 }),
      force_reserve_digit: boolean({ default: true }),
      drop_consecutive: boolean({ default: true }),
      use_context_level_filter: boolean({ default: false }),
    },
  }),
};

export const Schema: KongSchema = schemaOf(PromptCompressorFields);
