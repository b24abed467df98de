/**
 * aigw-router's config, declared once: `Schema` is what Kong validates (and Kong Manager renders),
 * the fields give the config type (config.ts). Each router mirrors lib/router/config.ts's
 * RouterDefinition (snake_case as written there); what a schema cannot say (every model named is
 * a candidate, names unique) validateRouterDefinition checks when the plugin starts.
 */
import { REQUEST_BODY_BYTES_DEFAULT, REQUEST_BODY_BYTES_MAX } from '../../lib/gateway-defaults';
import type { KongSchema } from '../../lib/kong/schema';
import { array, boolean, integer, number, oneOf, record, schemaOf, string } from '../../lib/kong/schema-builder';

const NAME = '^[A-Za-z0-9._:/@-]+$';
const name = (description: string) => string({ required: true, match: NAME, len_max: 64, description });
const model = (description: string) => name(`${description} (one of the candidates).`);

/** A value in a header or metadata condition, compared as text. */
const matched = (description: string) =>
  record({
    description,
    fields: {
      field: string({ required: true, len_min: 1, len_max: 256 }),
      equals: string({ required: true, len_max: 256 }),
    },
  });

const conditions = record({
  required: true,
  description: 'All must hold (an unset condition always does).',
  fields: {
    min_prompt_tokens: integer({ between: [0, 10000000] }),
    max_prompt_tokens: integer({ between: [0, 10000000] }),
    has_tools: boolean(),
    has_images: boolean(),
    has_code: boolean(),
    json_mode: boolean(),
    min_depth: integer({ between: [0, 100000], description: 'Messages in the conversation.' }),
    max_depth: integer({ between: [0, 100000] }),
    last_role: oneOf(['user', 'tool', 'assistant'] as const, { description: 'Whose turn the request answers: `tool` is a tool-result step.' }),
    header: record({
      description: 'A request header (lower-case name) equals a value, or is one of several.',
      fields: {
        name: string({ required: true, len_min: 1, len_max: 256 }),
        equals: string({ len_max: 256 }),
        in: array({ elements: string({ len_max: 256 }), len_max: 32 }),
      },
    }),
    key_metadata: matched("A field of the key's metadata equals a value."),
    team_metadata: matched("A field of the team's metadata equals a value."),
  },
});

const router = record({
  fields: {
    name: name('The public model name clients send, e.g. `auto`.'),
    candidates: array({
      elements: string({ match: NAME, len_max: 64 }),
      required: true,
      len_min: 1,
      len_max: 32,
      description: 'Configured model groups (aigw-proxy models) it may choose.',
    }),
    default_model: model('Chosen when no policy decides, and when routing fails open'),
    rules: array({
      description: 'Checked in order; the first that matches chooses.',
      len_max: 64,
      elements: record({ fields: { name: name('Reported as the route.'), model: model('The model this rule chooses'), when: conditions } }),
    }),
    semantic: record({
      description: 'Example utterances per route, embedded by the inference sidecar; the nearest route above the threshold chooses.',
      fields: {
        routes: array({
          required: true,
          len_min: 1,
          len_max: 16,
          elements: record({
            fields: {
              name: name('Reported as the route.'),
              model: model('The model this route chooses'),
              utterances: array({ elements: string({ len_min: 1, len_max: 500 }), required: true, len_min: 1, len_max: 32 }),
            },
          }),
        }),
        threshold: number({ between: [0, 1], description: 'Cosine similarity from which the nearest route wins (default 0.7).' }),
      },
    }),
    difficulty: record({
      description: 'A difficulty score from the request; the hardest `strong_share` of traffic goes to the strong model.',
      fields: {
        weak_model: model('For easy requests'),
        strong_model: model('For hard requests'),
        strong_share: number({ required: true, between: [0.01, 0.99], description: 'Target share of requests sent to the strong model.' }),
        scorer: oneOf(['heuristic', 'onnx'] as const, {
          default: 'heuristic',
          description: 'heuristic: request features; onnx: a trained classifier (`make models`).',
        }),
        model_path: string({ len_max: 1024, description: 'The ONNX classifier (scorer onnx).' }),
        recalibrate_every: integer({
          between: [0, 1000000],
          description: 'Scores between two recalibrations of the threshold from observed traffic (0 = never).',
        }),
        initial_threshold: number({ between: [0, 1], description: 'The threshold before traffic recalibrates it.' }),
      },
    }),
    cascade: record({
      description: 'Non-streamed requests only: answer with the weak model, escalate to the strong one when a check fails (both billed).',
      fields: {
        weak_model: model('Tried first'),
        strong_model: model('Escalated to'),
        checks: array({
          required: true,
          len_min: 1,
          len_max: 4,
          elements: record({
            fields: {
              kind: oneOf(['json', 'json_schema', 'no_refusal', 'judge'] as const, { required: true }),
              model: string({ match: NAME, len_max: 64, description: 'The judge (a configured model group; kind judge).' }),
              min_score: integer({ between: [1, 10], description: "The judge's lowest accepted score (kind judge)." }),
            },
          }),
        }),
      },
    }),
  },
});

export const RouterFields = {
  routers: array({ elements: router, default: [], len_max: 32, description: 'Public model names that choose a model per request.' }),
  inference_address: string({
    description:
      "The inference sidecar (semantic routes, and the difficulty score's similarity to easy and hard prompts), e.g. 127.0.0.1:50151: a loopback host:port or unix:/path. Unset: no embeddings (difficulty from the request's features alone; semantic routes need it).",
  }),
  embed_deadline_ms: integer({
    default: 100,
    between: [5, 10000],
    description: 'How long embedding a request may take before the router falls back to its default model.',
  }),
  database_url: string({
    referenceable: true,
    encrypted: true,
    description: 'PostgreSQL for the request log: a refused request of a verified key gets its row, e.g. {vault://env/aigw-database-url}.',
  }),
  max_request_body_bytes: integer({ default: REQUEST_BODY_BYTES_DEFAULT, between: [1024, REQUEST_BODY_BYTES_MAX] }),
};

export const Schema: KongSchema = schemaOf(RouterFields);
