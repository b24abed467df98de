/**
 * One message of an OpenAI chat request (ChatCompletionMessageParam), plus the gateway's
 * canonical extensions that adapters read: `reasoning_content`, `thinking_blocks` (signed
 * Anthropic thinking), `is_error` on tool results.
 */
import { MAX_CONTENT_PARTS, MAX_ID_LENGTH } from './bounds';
import { arrayOf, boolean, type Check, type JsonObject, object, oneOf, optional, own, required, string, tagged } from './checks';
import type { Path } from './issue';
import { messageContent } from './openai-content';
import { functionCall, toolCalls } from './openai-tools';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];

const thinkingBlocks: Check = arrayOf(
  tagged([
    [
      'thinking',
      (o, path) => {
        required(o, 'thinking', path, string());
        required(o, 'signature', path, string());
      },
    ],
    ['redacted_thinking', (o, path) => required(o, 'data', path, string())],
  ]),
  { max: MAX_CONTENT_PARTS },
);

const id: Check = string({ max: MAX_ID_LENGTH });

function messageFields(message: JsonObject, path: Path): void {
  required(message, 'role', path, oneOf(ROLES));
  const role = own(message, 'role');
  // An assistant that only calls tools sends no content; every other role must say something.
  if (role === 'assistant') optional(message, 'content', path, messageContent);
  else required(message, 'content', path, messageContent);
  if (role === 'function') required(message, 'name', path, id);
  else optional(message, 'name', path, id);
  if (role === 'tool') required(message, 'tool_call_id', path, id);
  // Read on any role: Azure strips Gemini's extra_content from whatever carries tool calls.
  optional(message, 'tool_calls', path, toolCalls);
  optional(message, 'function_call', path, functionCall);
  optional(message, 'refusal', path, string());
  optional(message, 'reasoning_content', path, string());
  optional(message, 'thinking_blocks', path, thinkingBlocks);
  optional(message, 'is_error', path, boolean);
  optional(
    message,
    'audio',
    path,
    object((o, at) => required(o, 'id', at, id)),
  );
}

export const chatMessage: Check = object(messageFields);
