/**
 * OpenAI chat and Anthropic messages: `messages[]`, a turn per message. A `cache_control`
 * breakpoint (Anthropic's, which OpenAI-format requests carry to Claude targets) freezes its
 * message and everything before it.
 */
import { type ConversationShape, isObject, slotOf, textSlots } from './slots';

const hasBreakpoint = (value: unknown): boolean => isObject(value) && value.cache_control !== undefined && value.cache_control !== null;

/** A breakpoint on a part, or (Anthropic) on a block inside a tool result. */
function partHasBreakpoint(part: unknown): boolean {
  return hasBreakpoint(part) || (isObject(part) && Array.isArray(part.content) && part.content.some(hasBreakpoint));
}

const messagesShape = (slotsOf: ConversationShape['slotsOf']): ConversationShape => ({
  turns: (body) => (Array.isArray(body.messages) ? body.messages : undefined),
  isModelTurn: (message) => message.role === 'assistant',
  freezes: (message) => hasBreakpoint(message) || (Array.isArray(message.content) && message.content.some(partHasBreakpoint)),
  slotsOf,
  userText: (message) => (message.role === 'user' && typeof message.content === 'string' ? message.content : undefined),
});

export const OPENAI_CHAT_SHAPE = messagesShape((message, slots) => {
  if (message.role === 'user') textSlots('user', message, 'content', 'text', slots);
  else if (message.role === 'tool') textSlots('tool', message, 'content', 'text', slots);
});

/** Anthropic puts tool results inside user messages, as `tool_result` blocks; error results never change. */
export const ANTHROPIC_SHAPE = messagesShape((message, slots, withErrors) => {
  if (message.role !== 'user') return;
  const content = message.content;
  if (typeof content === 'string') return textSlots('user', message, 'content', 'text', slots);
  if (!Array.isArray(content)) return;
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string' && block.text) slots.push(slotOf('user', block.text, (text) => (block.text = text)));
    else if (block.type === 'tool_result' && (withErrors || block.is_error !== true)) textSlots('tool', block, 'content', 'text', slots);
  }
});
