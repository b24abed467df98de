/**
 * Tools in OpenAI's chat format: definitions (`tools`, ChatCompletionTool), the choice among them
 * (`tool_choice`, ChatCompletionToolChoiceOption), the calls an assistant message carries
 * (ChatCompletionMessageToolCall), and their deprecated `functions` forerunners.
 */
import { MAX_ID_LENGTH, MAX_TOOL_CALLS, MAX_TOOL_NAME_LENGTH, MAX_TOOLS } from './bounds';
import { anyObject, arrayOf, boolean, type Check, either, object, oneOf, optional, required, string, tagged } from './checks';
import { cacheControl, jsonText } from './common';

const toolName: Check = string({ min: 1, max: MAX_TOOL_NAME_LENGTH });
const id: Check = string({ max: MAX_ID_LENGTH });

/** FunctionDefinition (openai SDK shared.d.ts). */
const functionDefinition: Check = object((o, path) => {
  required(o, 'name', path, toolName);
  optional(o, 'description', path, string());
  optional(o, 'parameters', path, anyObject);
  optional(o, 'strict', path, boolean);
});

const customTool: Check = object((o, path) => {
  required(o, 'name', path, toolName);
  optional(o, 'description', path, string());
  optional(o, 'format', path, anyObject);
});

export const tools: Check = arrayOf(
  tagged([
    [
      'function',
      (o, path) => {
        required(o, 'function', path, functionDefinition);
        optional(o, 'cache_control', path, cacheControl);
      },
    ],
    ['custom', (o, path) => required(o, 'custom', path, customTool)],
  ]),
  { max: MAX_TOOLS },
);

const named: Check = object((o, path) => required(o, 'name', path, toolName));

/** OpenAI's options, plus Mistral's `any` (its name for required), which translating adapters refuse. */
export const toolChoice: Check = either({
  string: oneOf(['none', 'auto', 'required', 'any']),
  object: tagged([
    ['function', (o, path) => required(o, 'function', path, named)],
    ['custom', (o, path) => required(o, 'custom', path, named)],
    [
      'allowed_tools',
      (o, path) =>
        required(
          o,
          'allowed_tools',
          path,
          object((allowed, at) => {
            required(allowed, 'mode', at, oneOf(['auto', 'required']));
            required(allowed, 'tools', at, arrayOf(anyObject, { max: MAX_TOOLS }));
          }),
        ),
    ],
  ]),
});

/** Gemini's thought signature, round-tripped as Google's OpenAI-compatible endpoint does. */
const extraContent: Check = object((o, path) =>
  optional(
    o,
    'google',
    path,
    object((google, at) => optional(google, 'thought_signature', at, string())),
  ),
);

/** A function call's name and JSON arguments (also the deprecated `function_call` on assistant messages). */
export const functionCall: Check = object((o, path) => {
  required(o, 'name', path, toolName);
  required(o, 'arguments', path, jsonText);
});

const customCall: Check = object((o, path) => {
  required(o, 'name', path, toolName);
  required(o, 'input', path, string());
});

export const toolCalls: Check = arrayOf(
  tagged([
    [
      'function',
      (o, path) => {
        required(o, 'id', path, id);
        required(o, 'function', path, functionCall);
        optional(o, 'extra_content', path, extraContent);
      },
    ],
    [
      'custom',
      (o, path) => {
        required(o, 'id', path, id);
        required(o, 'custom', path, customCall);
      },
    ],
  ]),
  { max: MAX_TOOL_CALLS },
);

/** The deprecated `functions` and `function_call` request fields. */
export const functions: Check = arrayOf(
  object((o, path) => {
    required(o, 'name', path, toolName);
    optional(o, 'description', path, string());
    optional(o, 'parameters', path, anyObject);
  }),
  { max: MAX_TOOLS },
);
export const functionChoice: Check = either({ string: oneOf(['none', 'auto']), object: named });
