/**
 * POST /v1/messages (MessageCreateParams in @anthropic-ai/sdk; temperature, top_p and top_k from
 * Anthropic's API reference) and POST /v1/messages/count_tokens (MessageCountTokensParams: the
 * same prompt, without max_tokens): every field the ingress reads, with Anthropic's documented
 * types and ranges. Other fields are not read here: lib/translation-policy decides what becomes of
 * them where the request is translated.
 */

import { contentBlock, systemBlock } from './anthropic-blocks';
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
import { cacheControl, model, thinkingConfig } from './common';
import type { Path } from './issue';

const message: Check = object((o, path) => {
  required(o, 'role', path, oneOf(['user', 'assistant']));
  required(o, 'content', path, either({ string: string(), array: arrayOf(contentBlock, { max: B.MAX_CONTENT_PARTS }) }));
});

const messages: Check = arrayOf(message, { min: 1, max: B.MAX_MESSAGES });
const system: Check = either({ string: string(), array: arrayOf(systemBlock, { max: B.MAX_CONTENT_PARTS }) });

const toolName: Check = string({ min: 1, max: B.MAX_TOOL_NAME_LENGTH });

/** Tool.InputSchema: a JSON schema whose type is object. */
const inputSchema: Check = object((o, path) => required(o, 'type', path, oneOf(['object'])));

/** A custom tool (Tool) is checked; server tools (typed web_search_20250305, ...) only by name: the translation policy refuses them. */
const tool: Check = object((o, path) => {
  optional(o, 'type', path, keyword);
  required(o, 'name', path, toolName);
  const type = own(o, 'type');
  if (type !== undefined && type !== null && type !== 'custom') return;
  required(o, 'input_schema', path, inputSchema);
  optional(o, 'description', path, string());
  optional(o, 'cache_control', path, cacheControl);
  optional(o, 'strict', path, boolean);
});

const parallel = (o: JsonObject, path: Path) => optional(o, 'disable_parallel_tool_use', path, boolean);

/** JSONOutputFormat: structured outputs, translated to every target's JSON schema mode. */
const outputFormat: Check = tagged([['json_schema', (o, path) => required(o, 'schema', path, anyObject)]]);

/** OutputConfig: effort and format. */
const outputConfig: Check = object((o, path) => {
  optional(o, 'effort', path, oneOf(['low', 'medium', 'high', 'xhigh', 'max']));
  optional(o, 'format', path, outputFormat);
});

const tools: Check = arrayOf(tool, { max: B.MAX_TOOLS });

const toolChoice: Check = tagged([
  ['auto', parallel],
  ['any', parallel],
  [
    'tool',
    (o, path) => {
      required(o, 'name', path, toolName);
      parallel(o, path);
    },
  ],
  ['none', noFields],
]);

/** The prompt's tools, thinking and cache breakpoint: a Messages request and a token count share them. */
function toolsAndThinking(body: JsonObject, path: Path): void {
  optional(body, 'tools', path, tools);
  optional(body, 'tool_choice', path, toolChoice);
  optional(body, 'thinking', path, thinkingConfig);
  optional(body, 'cache_control', path, cacheControl);
}

export function checkAnthropicMessages(body: JsonObject): { model: string; stream: boolean } {
  const path: Path = [];
  required(body, 'model', path, model);
  required(body, 'max_tokens', path, integer(1, B.MAX_OUTPUT_TOKENS));
  required(body, 'messages', path, messages);
  optional(body, 'system', path, system);
  optional(body, 'stop_sequences', path, arrayOf(string(), { max: B.MAX_STOP_SEQUENCES }));
  optional(body, 'temperature', path, number(B.ANTHROPIC_TEMPERATURE.min, B.ANTHROPIC_TEMPERATURE.max));
  optional(body, 'top_p', path, number(B.TOP_P.min, B.TOP_P.max));
  optional(body, 'top_k', path, integer(0, B.MAX_INT32));
  optional(body, 'stream', path, boolean);
  optional(
    body,
    'metadata',
    path,
    object((o, at) => optional(o, 'user_id', at, string({ max: B.MAX_ID_LENGTH }))),
  );
  toolsAndThinking(body, path);
  optional(body, 'service_tier', path, keyword);
  optional(body, 'output_config', path, outputConfig);
  optional(body, 'output_format', path, outputFormat);
  return { model: body.model as string, stream: own(body, 'stream') === true };
}

/** The fields of a token count the gateway reads: the prompt of a Messages request. A count is never streamed. */
export function checkAnthropicCountTokens(body: JsonObject): { model: string; stream: boolean } {
  const path: Path = [];
  required(body, 'model', path, model);
  required(body, 'messages', path, messages);
  optional(body, 'system', path, system);
  toolsAndThinking(body, path);
  return { model: body.model as string, stream: false };
}
