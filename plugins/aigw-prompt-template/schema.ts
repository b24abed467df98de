/**
 * aigw-prompt-template's config, declared once: `Schema` is what Kong validates (and Kong Manager
 * renders), the fields give the config type (config.ts). Kong scopes a plugin's config by route,
 * service and consumer, so `templates_only` and `decoration` can differ per route or per consumer.
 */
import { REQUEST_BODY_BYTES_DEFAULT, REQUEST_BODY_BYTES_MAX } from '../../lib/gateway-defaults';
import type { KongSchema } from '../../lib/kong/schema';
import { array, boolean, integer, oneOf, record, schemaOf, string } from '../../lib/kong/schema-builder';
import { DEFAULT_MAX_EXPANSIONS, DEFAULT_MAX_OUTPUT_CHARS, MAX_DECORATION_CONTENT_CHARS, MAX_DECORATION_MESSAGES } from '../../lib/templates/bounds';
import { MESSAGE_ROLES } from '../../lib/templates/model';

const decorationMessages = (description: string) =>
  array({
    elements: record({
      fields: {
        role: oneOf(MESSAGE_ROLES, { required: true }),
        content: string({ required: true, len_min: 1, len_max: MAX_DECORATION_CONTENT_CHARS }),
      },
    }),
    default: [],
    len_max: MAX_DECORATION_MESSAGES,
    description,
  });

export const PromptTemplateFields = {
  database_url: string({
    required: true,
    referenceable: true,
    encrypted: true,
    description: 'PostgreSQL holding the templates (the control API writes them), e.g. {vault://env/aigw-database-url}.',
  }),
  redis_url: string({
    required: true,
    referenceable: true,
    encrypted: true,
    description: "Redis: the invalidation channel (a template's change reaches every node within a second) and the token-rate correction.",
  }),
  templates_only: boolean({
    default: false,
    description: "Refuse raw prompts: every request must select a template (OpenAI's `prompt` object or Kong's {template://name}).",
  }),
  prepend: decorationMessages("Messages put before the request's own and a rendered template's (like Kong's ai-prompt-decorator)."),
  append: decorationMessages("Messages put after the request's own (like Kong's ai-prompt-decorator)."),
  cache_ttl_seconds: integer({
    default: 300,
    between: [1, 3600],
    description: 'How long a compiled template is kept while invalidations arrive; without the channel, 1 second.',
  }),
  max_output_chars: integer({
    default: DEFAULT_MAX_OUTPUT_CHARS,
    between: [1024, 16 * 1024 * 1024],
    description: 'The most characters one render may produce.',
  }),
  max_expansions: integer({
    default: DEFAULT_MAX_EXPANSIONS,
    between: [100, 10_000_000],
    description: 'The most nodes one render may expand (lists inside lists).',
  }),
  max_request_body_bytes: integer({ default: REQUEST_BODY_BYTES_DEFAULT, between: [1024, REQUEST_BODY_BYTES_MAX] }),
};

export const Schema: KongSchema = schemaOf(PromptTemplateFields);
