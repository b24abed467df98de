/**
 * OpenAI Responses: `input` is one user message (a string) or items. The model's items (assistant
 * messages, function calls, reasoning) end a turn; user messages (`content` a string or
 * `input_text` parts) and `function_call_output` items (`output` a string or `input_text` parts)
 * after the last of them may change. `instructions`, system and developer messages never do.
 * Responses has no cache breakpoints in the body (OpenAI caches prefixes by itself, which the
 * latest-turn rule keeps warm); a `previous_response_id` conversation is not in the body at all.
 */
import { type ConversationShape, type Json, textSlots } from './slots';

const MODEL_ITEM_TYPES: ReadonlySet<unknown> = new Set(['function_call', 'reasoning']);

/** A message item: `type: 'message'`, or no type (EasyInputMessage). */
const isMessage = (item: Json): boolean => item.type === undefined || item.type === 'message';

/** The string form as the one user message it is: reading and writing its content is `body.input`. */
function stringInputTurn(body: Json): Json {
  return {
    role: 'user',
    get content() {
      return body.input;
    },
    set content(text: unknown) {
      body.input = text;
    },
  };
}

export const RESPONSES_SHAPE: ConversationShape = {
  turns: (body) => (typeof body.input === 'string' ? [stringInputTurn(body)] : Array.isArray(body.input) ? body.input : undefined),
  isModelTurn: (item) => MODEL_ITEM_TYPES.has(item.type) || (isMessage(item) && item.role === 'assistant'),
  freezes: () => false,
  slotsOf: (item, slots) => {
    if (isMessage(item) && item.role === 'user') textSlots('user', item, 'content', 'input_text', slots);
    else if (item.type === 'function_call_output') textSlots('tool', item, 'output', 'input_text', slots);
  },
  userText: (item) => (isMessage(item) && item.role === 'user' && typeof item.content === 'string' ? item.content : undefined),
};
