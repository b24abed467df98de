/**
 * POST /v1beta/models/{model}:generateContent and :streamGenerateContent (GenerateContentRequest
 * in @google/genai and the Gemini API reference): every field the gateway or a translation reads,
 * with its type and documented range. The model is in the path, not the body. Part kinds, tools
 * and settings the gateway does not translate (code execution, Google Search, cached content,
 * speech) are left to the provider: a Gemini target takes them as sent, a translation refuses them.
 */
import * as B from './bounds';
import { anyObject, arrayOf, boolean, type Check, integer, type JsonObject, keyword, number, object, oneOf, optional, required, string } from './checks';
import { model } from './common';
import type { Path } from './issue';

const toolName: Check = string({ min: 1, max: B.MAX_TOOL_NAME_LENGTH });
const id: Check = string({ max: B.MAX_ID_LENGTH });
/** A JSON Schema as google.protobuf.Value: an object, or `true`/`false`. */
const jsonSchema: Check = (value, path) => (typeof value === 'boolean' ? undefined : anyObject(value, path));

/** Part: the data fields the gateway reads; `thought` marks a thought summary, thoughtSignature is opaque. */
const part: Check = object((o, path) => {
  optional(o, 'text', path, string());
  optional(o, 'thought', path, boolean);
  optional(o, 'thoughtSignature', path, string());
  optional(
    o,
    'inlineData',
    path,
    object((blob, at) => {
      required(blob, 'mimeType', at, keyword);
      required(blob, 'data', at, string());
    }),
  );
  optional(
    o,
    'fileData',
    path,
    object((file, at) => {
      optional(file, 'mimeType', at, keyword);
      required(file, 'fileUri', at, string({ min: 1 }));
    }),
  );
  optional(
    o,
    'functionCall',
    path,
    object((call, at) => {
      optional(call, 'id', at, id);
      required(call, 'name', at, toolName);
      optional(call, 'args', at, anyObject);
    }),
  );
  optional(
    o,
    'functionResponse',
    path,
    object((result, at) => {
      optional(result, 'id', at, id);
      required(result, 'name', at, toolName);
      required(result, 'response', at, anyObject);
    }),
  );
});

const parts: Check = arrayOf(part, { min: 1, max: B.MAX_CONTENT_PARTS });

const content: Check = object((o, path) => {
  // 'function': the role older Gemini clients give function responses (a user turn).
  optional(o, 'role', path, oneOf(['user', 'model', 'function']));
  required(o, 'parts', path, parts);
});

/** systemInstruction: a Content whose role Gemini ignores. */
const systemInstruction: Check = object((o, path) => {
  optional(o, 'role', path, keyword);
  required(o, 'parts', path, parts);
});

const functionDeclaration: Check = object((o, path) => {
  required(o, 'name', path, toolName);
  optional(o, 'description', path, string());
  optional(o, 'parameters', path, anyObject);
  optional(o, 'parametersJsonSchema', path, jsonSchema);
  optional(o, 'response', path, anyObject);
  optional(o, 'responseJsonSchema', path, jsonSchema);
});

/** Tool: function declarations are read; Google's own tools (googleSearch, codeExecution, ...) are the provider's. */
const tool: Check = object((o, path) => optional(o, 'functionDeclarations', path, arrayOf(functionDeclaration, { max: B.MAX_TOOLS })));

const toolConfig: Check = object((o, path) =>
  optional(
    o,
    'functionCallingConfig',
    path,
    object((config, at) => {
      optional(config, 'mode', at, oneOf(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']));
      optional(config, 'allowedFunctionNames', at, arrayOf(toolName, { max: B.MAX_TOOLS }));
    }),
  ),
);

/** ThinkingConfig: thinkingBudget -1 asks for a dynamic budget, 0 turns thinking off. */
const thinkingConfig: Check = object((o, path) => {
  optional(o, 'includeThoughts', path, boolean);
  optional(o, 'thinkingBudget', path, integer(-1, B.MAX_OUTPUT_TOKENS));
  optional(o, 'thinkingLevel', path, keyword);
});

const generationConfig: Check = object((o, path) => {
  optional(o, 'temperature', path, number(B.GEMINI_TEMPERATURE.min, B.GEMINI_TEMPERATURE.max));
  optional(o, 'topP', path, number(B.TOP_P.min, B.TOP_P.max));
  optional(o, 'topK', path, integer(0, B.MAX_INT32));
  optional(o, 'maxOutputTokens', path, integer(1, B.MAX_OUTPUT_TOKENS));
  optional(o, 'stopSequences', path, arrayOf(string(), { max: B.MAX_STOP_SEQUENCES }));
  optional(o, 'candidateCount', path, integer(1, B.MAX_CHOICES));
  optional(o, 'seed', path, integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  optional(o, 'presencePenalty', path, number(B.PENALTY.min, B.PENALTY.max));
  optional(o, 'frequencyPenalty', path, number(B.PENALTY.min, B.PENALTY.max));
  optional(o, 'responseLogprobs', path, boolean);
  optional(o, 'logprobs', path, integer(B.TOP_LOGPROBS.min, B.TOP_LOGPROBS.max));
  optional(o, 'responseMimeType', path, keyword);
  optional(o, 'responseSchema', path, anyObject);
  optional(o, 'responseJsonSchema', path, jsonSchema);
  optional(o, 'responseModalities', path, arrayOf(keyword, { max: B.MAX_MODALITIES }));
  optional(o, 'thinkingConfig', path, thinkingConfig);
});

const safetySetting: Check = object((o, path) => {
  required(o, 'category', path, keyword);
  optional(o, 'threshold', path, keyword);
  optional(o, 'method', path, keyword);
});

export function checkGenerateContent(body: JsonObject): { model: string; stream: boolean } {
  const path: Path = [];
  required(body, 'contents', path, arrayOf(content, { min: 1, max: B.MAX_MESSAGES }));
  optional(body, 'systemInstruction', path, systemInstruction);
  optional(body, 'tools', path, arrayOf(tool, { max: B.MAX_TOOLS }));
  optional(body, 'toolConfig', path, toolConfig);
  optional(body, 'generationConfig', path, generationConfig);
  optional(body, 'safetySettings', path, arrayOf(safetySetting, { max: B.MAX_SAFETY_SETTINGS }));
  optional(body, 'cachedContent', path, string({ min: 1, max: B.MAX_ID_LENGTH }));
  // The path names the model; a body that names one too is checked, never read.
  optional(body, 'model', path, model);
  return { model: '', stream: false };
}
