/**
 * POST /v1/chat/completions (ChatCompletionCreateParams in the openai SDK): every field the
 * gateway or an adapter reads, with its type and documented range. Unknown fields pass through
 * to OpenAI-compatible servers; known fields of the wrong type are a 400.
 */
import * as B from './bounds';
import {
  anyObject,
  arrayOf,
  boolean,
  type Check,
  either,
  integer,
  type JsonObject,
  keyword,
  mapOf,
  noFields,
  number,
  object,
  oneOf,
  optional,
  own,
  required,
  string,
  tagged,
} from './checks';
import { model, thinkingConfig } from './common';
import { type Path, reject } from './issue';
import { chatMessage } from './openai-messages';
import { functionChoice, functions, toolChoice, tools } from './openai-tools';

const outputTokens: Check = integer(1, B.MAX_OUTPUT_TOKENS);

const messages: Check = arrayOf(chatMessage, { min: 1, max: B.MAX_MESSAGES });

const stop: Check = either({ string: string(), array: arrayOf(string(), { max: B.MAX_STOP_SEQUENCES }) });

/** Token ids, as decimal strings, to a bias from -100 to 100. */
const logitBias: Check = mapOf(
  (key, path) => {
    if (!/^\d{1,10}$/.test(key as string) || Number(key) > B.MAX_INT32) {
      reject({ kind: 'rule', path, message: 'keys must be token ids (non-negative integers)', code: 'invalid_value' });
    }
  },
  number(B.LOGIT_BIAS.min, B.LOGIT_BIAS.max),
  B.MAX_LOGIT_BIAS_ENTRIES,
);

/** Shared.Metadata: 16 pairs, keys up to 64 characters, string values up to 512. */
export const metadata: Check = mapOf(string({ max: B.MAX_METADATA_KEY_LENGTH }), string({ max: B.MAX_METADATA_VALUE_LENGTH }), B.MAX_METADATA_ENTRIES);

const responseFormat: Check = tagged([
  ['text', noFields],
  ['json_object', noFields],
  [
    'json_schema',
    (o, path) =>
      required(
        o,
        'json_schema',
        path,
        object((schema, at) => {
          required(schema, 'name', at, string({ min: 1, max: B.MAX_OPENAI_NAME_LENGTH }));
          optional(schema, 'description', at, string());
          optional(schema, 'schema', at, anyObject);
          optional(schema, 'strict', at, boolean);
        }),
      ),
  ],
]);

/** Shared.ReasoningEffort, plus Groq's `default` (its qwen3 models take none or default). */
const reasoningEffort: Check = oneOf(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'default']);

function streamFields(body: JsonObject, path: Path): void {
  optional(body, 'stream', path, boolean);
  optional(
    body,
    'stream_options',
    path,
    object((o, at) => {
      optional(o, 'include_usage', at, boolean);
      optional(o, 'include_obfuscation', at, boolean);
    }),
  );
  const options = own(body, 'stream_options');
  if (options !== undefined && options !== null && own(body, 'stream') !== true) {
    reject({ kind: 'rule', path: ['stream_options'], message: "only allowed when 'stream' is enabled", code: 'invalid_value' });
  }
}

function samplingFields(body: JsonObject, path: Path): void {
  optional(body, 'max_tokens', path, outputTokens);
  optional(body, 'max_completion_tokens', path, outputTokens);
  optional(body, 'n', path, integer(1, B.MAX_CHOICES));
  optional(body, 'temperature', path, number(B.OPENAI_TEMPERATURE.min, B.OPENAI_TEMPERATURE.max));
  optional(body, 'top_p', path, number(B.TOP_P.min, B.TOP_P.max));
  optional(body, 'presence_penalty', path, number(B.PENALTY.min, B.PENALTY.max));
  optional(body, 'frequency_penalty', path, number(B.PENALTY.min, B.PENALTY.max));
  // JSON integers beyond 2^53 are not exact; OpenAI's int64 range adds nothing a client can rely on.
  optional(body, 'seed', path, integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  optional(body, 'stop', path, stop);
  optional(body, 'logit_bias', path, logitBias);
  optional(body, 'logprobs', path, boolean);
  optional(body, 'top_logprobs', path, integer(B.TOP_LOGPROBS.min, B.TOP_LOGPROBS.max));
  optional(body, 'reasoning_effort', path, reasoningEffort);
  optional(body, 'verbosity', path, oneOf(['low', 'medium', 'high']));
  // The gateway's Anthropic extensions, read by the Anthropic adapter.
  optional(body, 'top_k', path, integer(0, B.MAX_INT32));
  optional(body, 'thinking', path, thinkingConfig);
}

function toolFields(body: JsonObject, path: Path): void {
  optional(body, 'tools', path, tools);
  optional(body, 'tool_choice', path, toolChoice);
  optional(body, 'parallel_tool_calls', path, boolean);
  optional(body, 'functions', path, functions);
  optional(body, 'function_call', path, functionChoice);
  optional(body, 'response_format', path, responseFormat);
}

function otherFields(body: JsonObject, path: Path): void {
  optional(body, 'user', path, string({ max: B.MAX_ID_LENGTH }));
  optional(body, 'safety_identifier', path, string({ max: B.MAX_OPENAI_NAME_LENGTH }));
  optional(body, 'prompt_cache_key', path, string({ max: B.MAX_ID_LENGTH }));
  optional(body, 'metadata', path, metadata);
  optional(body, 'service_tier', path, keyword);
  optional(body, 'store', path, boolean);
  optional(body, 'prediction', path, anyObject);
  optional(body, 'modalities', path, arrayOf(keyword, { max: B.MAX_MODALITIES }));
  optional(body, 'audio', path, anyObject);
  optional(body, 'web_search_options', path, anyObject);
}

/** Checks a chat completion request; the first problem found is thrown as a Rejection. */
export function checkChatCompletion(body: JsonObject): { model: string; stream: boolean } {
  const path: Path = [];
  required(body, 'model', path, model);
  required(body, 'messages', path, messages);
  streamFields(body, path);
  samplingFields(body, path);
  toolFields(body, path);
  otherFields(body, path);
  return { model: body.model as string, stream: own(body, 'stream') === true };
}
