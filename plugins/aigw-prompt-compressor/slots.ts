/**
 * The pieces every body format shares: a text slot (text that may change, and where it goes
 * back) and the shape a format's conversation has, which parts.ts reads the same way for all.
 */
import { hasMarkers, type Piece, splitMarkers } from './markers';

export type CompressibleRole = 'user' | 'tool';

/** One text slot in the body: its pieces, and how to write the rewritten text back. */
export interface TextSlot {
  role: CompressibleRole;
  /** The text as the body holds it (markers included): what aigw-guardrails scans. */
  text: string;
  pieces: Piece[];
  /** The text held a client's markers: it is rewritten (without them) even when nothing is compressed. */
  marked: boolean;
  write(text: string): void;
}

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** How one format holds a conversation: its turns, which are the model's, and their slots. */
export interface ConversationShape {
  /** The turns in order (messages, input items, contents), or undefined for an unexpected body. */
  turns(body: Json): unknown[] | undefined;
  /** A model turn ends the previous turn: only what follows the last one may change. */
  isModelTurn(turn: Json): boolean;
  /** A provider cache breakpoint: the turn holding it and every turn before it stay byte-identical. */
  freezes(turn: Json): boolean;
  /** The turn's user text and tool results, in order; tool errors too with `withErrors` (a guard reads them, compression never changes them). */
  slotsOf(turn: Json, slots: TextSlot[], withErrors?: boolean): void;
  /** A user turn's plain text, when it has one: the question when the latest turn holds no user text. */
  userText(turn: Json): string | undefined;
}

export function slotOf(role: CompressibleRole, text: string, write: (text: string) => void): TextSlot {
  const marked = hasMarkers(text);
  return { role, text, pieces: marked ? splitMarkers(text) : [{ text, mode: 'auto' }], marked, write };
}

/** A string `holder[field]`, or each `{type: partType, text}` part when it is an array. */
export function textSlots(role: CompressibleRole, holder: Json, field: string, partType: string, slots: TextSlot[]): void {
  const content = holder[field];
  if (typeof content === 'string') {
    if (content) slots.push(slotOf(role, content, (text) => (holder[field] = text)));
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (isObject(part) && part.type === partType && typeof part.text === 'string' && part.text) {
      slots.push(slotOf(role, part.text, (text) => (part.text = text)));
    }
  }
}
