/**
 * POST /v1/responses and /v1/responses/input_tokens (ResponseCreateParams and
 * InputTokenCountParams in the openai SDK), as far as the gateway serves them on every target:
 * function tools only, input items of the kinds it can translate. Unlike chat completions, an
 * unknown or unsupported top-level field is a 400 naming it: a Responses field the gateway
 * dropped (a built-in tool, `background`, `conversation`) would change what the client gets
 * without telling it.
 */
import * as B from './bounds';
import {
  anyObject,
  arrayOf,
  boolean,
  type Check,
  either,
  type FieldsCheck,
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
import { jsonText, model } from './common';
import { type Path, reject } from './issue';
import { metadata } from './openai-chat';

const toolName: Check = string({ min: 1, max: B.MAX_TOOL_NAME_LENGTH });
const id: Check = string({ max: B.MAX_ID_LENGTH });
const callId: Check = string({ min: 1, max: B.MAX_ID_LENGTH });

/** Fields an item may carry when it is an earlier answer's output sent back as input. */
function itemMetadata(item: JsonObject, path: Path): void {
  optional(item, 'id', path, id);
  optional(item, 'status', path, keyword);
}

const textPart: FieldsCheck = (o, path) => required(o, 'text', path, string());

/** input_image by URL (a data: URL or https); uploaded files (`file_id`) live at OpenAI only. */
const imagePart: FieldsCheck = (o, path) => {
  if (own(o, 'file_id') !== undefined && own(o, 'file_id') !== null) {
    reject({ kind: 'unsupported', path: [...path, 'file_id'], reason: 'is not supported through the gateway; send the image as image_url' });
  }
  required(o, 'image_url', path, string());
  optional(o, 'detail', path, oneOf(['auto', 'low', 'high']));
};

const outputTextPart: FieldsCheck = (o, path) => {
  textPart(o, path);
  optional(o, 'annotations', path, arrayOf(anyObject, { max: B.MAX_CONTENT_PARTS }));
  optional(o, 'logprobs', path, arrayOf(anyObject, { max: B.MAX_CONTENT_PARTS }));
};

/** Which content parts each role may send: images come from the user, refusals from the model. */
const PARTS_BY_ROLE: ReadonlyMap<string, Check> = new Map([
  [
    'user',
    tagged([
      ['input_text', textPart],
      ['input_image', imagePart],
    ]),
  ],
  [
    'assistant',
    tagged([
      ['output_text', outputTextPart],
      ['input_text', textPart],
      ['refusal', (o, path) => required(o, 'refusal', path, string())],
    ]),
  ],
  ['system', tagged([['input_text', textPart]])],
  ['developer', tagged([['input_text', textPart]])],
]);

const ROLES = [...PARTS_BY_ROLE.keys()];

const messageItem: FieldsCheck = (o, path) => {
  required(o, 'role', path, oneOf(ROLES));
  const parts = PARTS_BY_ROLE.get(own(o, 'role') as string)!;
  required(o, 'content', path, either({ string: string(), array: arrayOf(parts, { max: B.MAX_CONTENT_PARTS }) }));
  itemMetadata(o, path);
};

const functionCallItem: FieldsCheck = (o, path) => {
  required(o, 'call_id', path, callId);
  required(o, 'name', path, toolName);
  required(o, 'arguments', path, jsonText);
  itemMetadata(o, path);
};

const toolOutputParts: Check = arrayOf(
  tagged([
    ['input_text', textPart],
    ['input_image', imagePart],
  ]),
  { max: B.MAX_CONTENT_PARTS },
);

const functionCallOutputItem: FieldsCheck = (o, path) => {
  required(o, 'call_id', path, callId);
  required(o, 'output', path, either({ string: string(), array: toolOutputParts }));
  itemMetadata(o, path);
};

/** Reasoning sent back (Codex sends it with encrypted_content): passed to OpenAI targets, left out for others. */
const reasoningItem: FieldsCheck = (o, path) => {
  optional(o, 'summary', path, arrayOf(tagged([['summary_text', textPart]]), { max: B.MAX_CONTENT_PARTS }));
  optional(o, 'content', path, arrayOf(tagged([['reasoning_text', textPart]]), { max: B.MAX_CONTENT_PARTS }));
  optional(o, 'encrypted_content', path, string());
  itemMetadata(o, path);
};

const typedItem: Check = tagged([
  ['message', messageItem],
  ['function_call', functionCallItem],
  ['function_call_output', functionCallOutputItem],
  ['reasoning', reasoningItem],
]);

/** An input item; one without `type` is a message (EasyInputMessage). */
const inputItem: Check = (value, path) => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && own(value as JsonObject, 'type') === undefined) {
    return messageItem(value as JsonObject, path);
  }
  typedItem(value, path);
};

const input: Check = either({ string: string(), array: arrayOf(inputItem, { max: B.MAX_MESSAGES }) });

/** FunctionTool: `{type: 'function', name, description, parameters, strict}`; built-in tools are refused by their type. */
const tools: Check = arrayOf(
  tagged([
    [
      'function',
      (o, path) => {
        required(o, 'name', path, toolName);
        optional(o, 'description', path, string());
        optional(o, 'parameters', path, anyObject);
        optional(o, 'strict', path, boolean);
      },
    ],
  ]),
  { max: B.MAX_TOOLS },
);

const toolChoice: Check = either({
  string: oneOf(['none', 'auto', 'required']),
  object: tagged([['function', (o, path) => required(o, 'name', path, toolName)]]),
});

/** ResponseTextConfig: the output format (text, JSON object, JSON schema) and verbosity. */
const textConfig: Check = object((o, path) => {
  optional(
    o,
    'format',
    path,
    tagged([
      ['text', noFields],
      ['json_object', noFields],
      [
        'json_schema',
        (format, at) => {
          required(format, 'name', at, string({ min: 1, max: B.MAX_OPENAI_NAME_LENGTH }));
          required(format, 'schema', at, anyObject);
          optional(format, 'description', at, string());
          optional(format, 'strict', at, boolean);
        },
      ],
    ]),
  );
  optional(o, 'verbosity', path, oneOf(['low', 'medium', 'high']));
});

const reasoning: Check = object((o, path) => {
  optional(o, 'effort', path, oneOf(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']));
  optional(o, 'summary', path, oneOf(['auto', 'concise', 'detailed']));
});

/** Only what a client may ask to be included and the gateway can honour. */
const include: Check = arrayOf(oneOf(['reasoning.encrypted_content']), { max: 8 });

const streamOptions: Check = object((o, path) => optional(o, 'include_obfuscation', path, boolean));

/** The context and what the model may do with it: both endpoints read these. */
const CONTEXT_FIELDS: ReadonlyMap<string, Check> = new Map([
  ['model', model],
  ['input', input],
  ['instructions', string()],
  ['previous_response_id', string({ min: 1, max: B.MAX_ID_LENGTH })],
  ['tools', tools],
  ['tool_choice', toolChoice],
  ['parallel_tool_calls', boolean],
  ['text', textConfig],
  ['reasoning', reasoning],
  ['truncation', oneOf(['disabled'])],
]);

/** What only a generation takes. */
const GENERATION_FIELDS: ReadonlyMap<string, Check> = new Map([
  ...CONTEXT_FIELDS,
  ['max_output_tokens', integer(1, B.MAX_OUTPUT_TOKENS)],
  ['temperature', number(B.OPENAI_TEMPERATURE.min, B.OPENAI_TEMPERATURE.max)],
  ['top_p', number(B.TOP_P.min, B.TOP_P.max)],
  ['store', boolean],
  ['metadata', metadata],
  ['stream', boolean],
  ['stream_options', streamOptions],
  ['include', include],
  ['user', string({ max: B.MAX_ID_LENGTH })],
  ['safety_identifier', string({ max: B.MAX_OPENAI_NAME_LENGTH })],
  ['prompt_cache_key', string({ max: B.MAX_ID_LENGTH })],
]);

/** Responses API fields the gateway knows and cannot serve on every target, with why. */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['background', 'is not supported through the gateway: responses are streamed or answered, never run in the background'],
  ['conversation', 'is not supported through the gateway; continue a response with previous_response_id'],
  ['prompt', 'is not supported through the gateway: prompt templates live at OpenAI'],
  ['max_tool_calls', 'is not supported through the gateway: it limits built-in tools, which the gateway does not run'],
  ['top_logprobs', 'is not supported through the gateway'],
  ['service_tier', 'is not supported through the gateway'],
  ['prompt_cache_retention', 'is not supported through the gateway'],
]);

/** Every own field is one the endpoint knows and serves; the first other one is refused by name. */
function knownFields(body: JsonObject, fields: ReadonlyMap<string, Check>): void {
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (fields.has(key) || value === null) continue;
    // The defaults of fields the gateway cannot change are harmless: the SDKs may send them.
    if (key === 'background' && value === false) continue;
    const reason = UNSUPPORTED.get(key);
    reject(reason ? { kind: 'unsupported', path: [key], reason } : { kind: 'unknown', path: [key] });
  }
}

function checkFields(body: JsonObject, fields: ReadonlyMap<string, Check>): { model: string; stream: boolean } {
  const path: Path = [];
  knownFields(body, fields);
  required(body, 'model', path, model);
  for (const [key, check] of fields) if (key !== 'model') optional(body, key, path, check);
  const given = own(body, 'input');
  const hasInput = given !== undefined && given !== null && !(Array.isArray(given) && given.length === 0);
  // A continuation may add nothing (previous_response_id alone); anything else must say something.
  if (!hasInput && typeof own(body, 'previous_response_id') !== 'string') reject({ kind: 'missing', path: ['input'] });
  const stream = own(body, 'stream') === true;
  if (own(body, 'stream_options') !== undefined && own(body, 'stream_options') !== null && !stream) {
    reject({ kind: 'rule', path: ['stream_options'], message: "only allowed when 'stream' is enabled", code: 'invalid_value' });
  }
  return { model: body.model as string, stream };
}

/** Checks a Responses request; the first problem found is thrown as a Rejection. */
export function checkResponse(body: JsonObject): { model: string; stream: boolean } {
  return checkFields(body, GENERATION_FIELDS);
}

/** Checks an input-token count request: the context fields only. */
export function checkInputTokens(body: JsonObject): { model: string; stream: boolean } {
  return { model: checkFields(body, CONTEXT_FIELDS).model, stream: false };
}
