/**
 * Which text of a request may be compressed, and where the result goes back: the same rules for
 * every conversation format (chat-shapes.ts, responses-shape.ts, google-shape.ts say where each
 * keeps its turns). The rules keep answers right and provider caches warm:
 * - only the latest turn (the turns after the model's last one) is touched: earlier turns stay
 *   byte-identical for OpenAI's automatic prefix cache and for the model's memory;
 * - a provider cache breakpoint (`cache_control`) freezes its turn and everything before it;
 * - system prompts and instructions, the model's turns, images, documents, tool errors and
 *   anything not text are never touched;
 * - user text and tool results, by the route's roles; a client's markers keep or force ranges.
 * The body is hostile and not yet validated (aigw-proxy refuses bad shapes later): anything
 * unexpected is left alone.
 */
import type { PolicyFormat } from '../../lib/translation-policy';
import { ANTHROPIC_SHAPE, OPENAI_CHAT_SHAPE } from './chat-shapes';
import { GOOGLE_SHAPE } from './google-shape';
import type { Piece } from './markers';
import { RESPONSES_SHAPE } from './responses-shape';
import { type CompressibleRole, type ConversationShape, isObject, type TextSlot } from './slots';

export type { CompressibleRole, TextSlot } from './slots';

export interface Selection {
  slots: TextSlot[];
  /** The latest user text's final paragraph: what the context is compressed towards. */
  question: string;
}

/** Where each format keeps its turns (aigw-guardrails reads every turn through them too). */
export const SHAPES: Readonly<Record<PolicyFormat, ConversationShape>> = {
  openai: OPENAI_CHAT_SHAPE,
  anthropic: ANTHROPIC_SHAPE,
  responses: RESPONSES_SHAPE,
  google: GOOGLE_SHAPE,
};

/** A question longer than this is context, not a question. */
const MAX_QUESTION_CHARS = 4000;

/** The slots of the latest turn that may change, and the question; none for unexpected shapes. */
export function selectText(format: PolicyFormat, body: Record<string, unknown>, roles: ReadonlySet<CompressibleRole>): Selection {
  const shape = SHAPES[format];
  const turns = shape.turns(body);
  if (!turns) return { slots: [], question: '' };
  const slots: TextSlot[] = [];
  for (let i = mutableFrom(shape, turns); i < turns.length; i++) {
    const turn = turns[i];
    if (isObject(turn)) shape.slotsOf(turn, slots);
  }
  const chosen = slots.filter((slot) => roles.has(slot.role) || slot.pieces.some((p) => p.mode === 'force'));
  return { slots: chosen, question: splitOffQuestion(chosen, shape, turns) };
}

/** The first turn that may change: after the model's last turn and after the last breakpoint. */
function mutableFrom(shape: ConversationShape, turns: unknown[]): number {
  let start = 0;
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i];
    if (isObject(turn) && (shape.isModelTurn(turn) || shape.freezes(turn))) start = i + 1;
  }
  return start;
}

/**
 * The question is the last paragraph of the latest user text. When that text is being
 * compressed, its last paragraph becomes a kept piece: the question always reaches the model
 * word for word. Without a user text in the latest turn (tool results), the last user text of
 * the conversation is the question, and nothing of it changes.
 */
function splitOffQuestion(slots: TextSlot[], shape: ConversationShape, turns: unknown[]): string {
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
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i];
    const text = isObject(turn) ? shape.userText(turn) : undefined;
    if (text !== undefined) return tail(text);
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
