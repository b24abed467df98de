/**
 * Which text of a request may be compressed, and where the result goes back. The rules keep
 * answers right and provider caches warm:
 * - only the latest turn (the messages after the last assistant message) is touched: earlier
 *   turns stay byte-identical for OpenAI's automatic prefix cache and for the model's memory;
 * - a `cache_control` breakpoint freezes its message and everything before it (Anthropic caches
 *   that prefix, and OpenAI-format requests carry it to Claude targets);
 * - system and developer prompts, assistant turns, images, documents and anything not text are
 *   never touched;
 * - user text and tool results, by the route's roles; a client's markers keep or force ranges.
 * The body is hostile and not yet validated (aigw-proxy refuses bad shapes later): anything
 * unexpected is left alone.
 */
import type { ClientFormatName } from '../../lib/errors';
import { hasMarkers, type Piece, splitMarkers } from './markers';

export type CompressibleRole = 'user' | 'tool';

/** One text slot in the body: its pieces, and how to write the rewritten text back. */
export interface TextSlot {
  role: CompressibleRole;
  pieces: Piece[];
  /** The text held a client's markers: it is rewritten (without them) even when nothing is compressed. */
  marked: boolean;
  write(text: string): void;
}

export interface Selection {
  slots: TextSlot[];
  /** The latest user text's final paragraph: what the context is compressed towards. */
  question: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasBreakpoint = (value: unknown): boolean => isObject(value) && value.cache_control !== undefined && value.cache_control !== null;

/** A question longer than this is context, not a question. */
const MAX_QUESTION_CHARS = 4000;

/** The slots of the latest turn that may change, and the question; none for unexpected shapes. */
export function selectText(format: ClientFormatName, body: Json, roles: ReadonlySet<CompressibleRole>): Selection {
  const messages = body.messages;
  if (!Array.isArray(messages)) return { slots: [], question: '' };
  const start = mutableFrom(messages);
  const slots: TextSlot[] = [];
  for (let i = start; i < messages.length; i++) {
    const message = messages[i];
    if (!isObject(message)) continue;
    if (format === 'openai') openAiSlots(message, slots);
    else anthropicSlots(message, slots);
  }
  const chosen = slots.filter((slot) => roles.has(slot.role) || slot.pieces.some((p) => p.mode === 'force'));
  return { slots: chosen, question: splitOffQuestion(chosen, messages) };
}

/** The first message that may change: after the last assistant turn and after the last breakpoint. */
function mutableFrom(messages: unknown[]): number {
  let start = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (!isObject(message)) continue;
    if (message.role === 'assistant') start = i + 1;
    if (hasBreakpoint(message) || (Array.isArray(message.content) && message.content.some(partHasBreakpoint))) start = i + 1;
  }
  return start;
}

/** A breakpoint on a part, or (Anthropic) on a block inside a tool result. */
function partHasBreakpoint(part: unknown): boolean {
  return hasBreakpoint(part) || (isObject(part) && Array.isArray(part.content) && part.content.some(hasBreakpoint));
}

function slotOf(role: CompressibleRole, text: string, write: (text: string) => void): TextSlot {
  const marked = hasMarkers(text);
  return { role, pieces: marked ? splitMarkers(text) : [{ text, mode: 'auto' }], marked, write };
}

/** String content, or each `{type: 'text', text}` part of an array. */
function textSlots(role: CompressibleRole, holder: Json, slots: TextSlot[]): void {
  const content = holder.content;
  if (typeof content === 'string') {
    if (content) slots.push(slotOf(role, content, (text) => (holder.content = text)));
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (isObject(part) && part.type === 'text' && typeof part.text === 'string' && part.text) {
      slots.push(slotOf(role, part.text, (text) => (part.text = text)));
    }
  }
}

function openAiSlots(message: Json, slots: TextSlot[]): void {
  if (message.role === 'user') textSlots('user', message, slots);
  else if (message.role === 'tool') textSlots('tool', message, slots);
}

/** Anthropic puts tool results inside user messages, as `tool_result` blocks. */
function anthropicSlots(message: Json, slots: TextSlot[]): void {
  if (message.role !== 'user') return;
  const content = message.content;
  if (typeof content === 'string') return textSlots('user', message, slots);
  if (!Array.isArray(content)) return;
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string' && block.text) slots.push(slotOf('user', block.text, (text) => (block.text = text)));
    else if (block.type === 'tool_result' && block.is_error !== true) textSlots('tool', block, slots);
  }
}

/**
 * The question is the last paragraph of the latest user text. When that text is being
 * compressed, its last paragraph becomes a kept piece: the question always reaches the model
 * word for word. Without a user text in the latest turn (tool results), the last user string
 * of the conversation is the question, and nothing of it changes.
 */
function splitOffQuestion(slots: TextSlot[], messages: unknown[]): string {
  const lastUser = [...slots].reverse().find((slot) => slot.role === 'user');
  if (lastUser) {
    const last = lastUser.pieces[lastUser.pieces.length - 1];
    if (!last || last.mode === 'keep') return last ? tail(last.text) : '';
    const cut = questionStart(last.text);
    if (cut < 0) return '';
    const question = last.text.slice(cut);
    const kept: Piece = { text: question, mode: 'keep' };
    lastUser.pieces.splice(lastUser.pieces.length - 1, 1, ...(cut > 0 ? [{ text: last.text.slice(0, cut), mode: last.mode }, kept] : [kept]));
    return question.trim();
  }
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (isObject(message) && message.role === 'user' && typeof message.content === 'string') return tail(message.content);
  }
  return '';
}

/**
 * Where the final paragraph starts: 0 when the whole text is one short paragraph (all question),
 * -1 when that paragraph is too long to be a question.
 */
function questionStart(text: string): number {
  const trimmedEnd = text.trimEnd().length;
  const breakAt = text.lastIndexOf('\n\n', trimmedEnd - 1);
  const start = Math.max(breakAt, 0);
  return trimmedEnd - start > MAX_QUESTION_CHARS ? -1 : start;
}

function tail(text: string): string {
  const cut = questionStart(text);
  const question = cut < 0 ? text : text.slice(cut);
  return question.length > MAX_QUESTION_CHARS ? '' : question.trim();
}
