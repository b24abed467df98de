/**
 * Google GenAI: `contents[]`, a turn per Content. A `model` Content ends a turn; in the user
 * Contents after the last one (role `user`, absent, or older clients' `function`), text parts and
 * function responses may change. `systemInstruction`, thought parts and the model's turns never
 * do; `cachedContent` is a prefix stored at Google, not in the body.
 *
 * A function response is a JSON object: each of its top-level fields is one tool result slot (a
 * string as it is, any other value as its JSON text). What comes back is written as the value it
 * parses to (the structured method's JSON, minified or tabled, stays data) or else as text (a
 * prose method's output), so the response stays an object. One holding `error` is a tool error,
 * never changed.
 */
import { type ConversationShape, isObject, type Json, slotOf, type TextSlot } from './slots';

function functionResponseSlots(response: Json, slots: TextSlot[], withErrors: boolean): void {
  if (!withErrors && Object.hasOwn(response, 'error')) return;
  for (const [field, value] of Object.entries(response)) {
    if (typeof value === 'string') {
      if (value) slots.push(slotOf('tool', value, (text) => (response[field] = text)));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const json = JSON.stringify(value);
    slots.push(
      slotOf('tool', json, (text) => {
        if (text !== json) response[field] = dataOrText(text);
      }),
    );
  }
}

function dataOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const isUserContent = (content: Json): boolean => content.role !== 'model';

export const GOOGLE_SHAPE: ConversationShape = {
  turns: (body) => (Array.isArray(body.contents) ? body.contents : undefined),
  isModelTurn: (content) => content.role === 'model',
  freezes: () => false,
  slotsOf: (content, slots, withErrors = false) => {
    if (!isUserContent(content) || !Array.isArray(content.parts)) return;
    for (const part of content.parts) {
      if (!isObject(part) || part.thought === true) continue;
      if (typeof part.text === 'string' && part.text) slots.push(slotOf('user', part.text, (text) => (part.text = text)));
      else if (isObject(part.functionResponse) && isObject(part.functionResponse.response))
        functionResponseSlots(part.functionResponse.response, slots, withErrors);
    }
  },
  userText: (content) => {
    if (!isUserContent(content) || !Array.isArray(content.parts)) return undefined;
    const texts = content.parts.filter((part): part is Json & { text: string } => isObject(part) && part.thought !== true && typeof part.text === 'string');
    return texts.length > 0 ? texts[texts.length - 1]!.text : undefined;
  },
};
