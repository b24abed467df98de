/**
 * What a guard reads in a request, and where a redacted text goes back: the user text and tool
 * results of every turn (through aigw-prompt-compressor's format shapes, tool errors included),
 * and the system prompt when the route asks. Assistant turns are the model's own words, never
 * scanned. Also the messages Kong's ai-prompt-guard checks (role and text) and the ones the
 * external guard is sent. The body is hostile and not yet validated: anything unexpected is skipped.
 */

import type { PromptGuardInput } from '../../lib/guardrails';
import type { PolicyFormat } from '../../lib/translation-policy';
import { SHAPES } from '../aigw-prompt-compressor/parts';
import { isObject, type Json, type TextSlot } from '../aigw-prompt-compressor/slots';

export type ScannedPart = 'user' | 'tool' | 'system';

export interface ScannedText {
  part: ScannedPart;
  text: string;
  write(text: string): void;
}

export interface ScanScope {
  system: boolean;
  toolResults: boolean;
}

export function scannedTexts(format: PolicyFormat, body: Json, scope: ScanScope): ScannedText[] {
  const out: ScannedText[] = [];
  if (scope.system) systemTexts(format, body, out);
  const shape = SHAPES[format];
  const slots: TextSlot[] = [];
  for (const turn of shape.turns(body) ?? []) if (isObject(turn)) shape.slotsOf(turn, slots, true);
  for (const slot of slots) if (slot.role === 'user' || scope.toolResults) out.push({ part: slot.role, text: slot.text, write: slot.write });
  return out;
}

/** A string field, or each `{type: partType, text}` part of an array field. */
function fieldTexts(holder: Json, field: string, partTypes: ReadonlySet<unknown>, out: ScannedText[]): void {
  const content = holder[field];
  if (typeof content === 'string') {
    if (content) out.push({ part: 'system', text: content, write: (text) => (holder[field] = text) });
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (isObject(part) && partTypes.has(part.type) && typeof part.text === 'string' && part.text) {
      out.push({ part: 'system', text: part.text, write: (text) => (part.text = text) });
    }
  }
}

const TEXT = new Set(['text']);
const INPUT_TEXT = new Set(['input_text', 'text']);
const SYSTEM_ROLES: ReadonlySet<unknown> = new Set(['system', 'developer']);

function systemTexts(format: PolicyFormat, body: Json, out: ScannedText[]): void {
  if (format === 'anthropic') return fieldTexts(body, 'system', TEXT, out);
  if (format === 'google') {
    const instruction = body.systemInstruction ?? body.system_instruction;
    if (isObject(instruction) && Array.isArray(instruction.parts)) {
      for (const part of instruction.parts) if (isObject(part) && typeof part.text === 'string' && part.text) fieldTexts(part, 'text', TEXT, out);
    }
    return;
  }
  if (format === 'responses') {
    fieldTexts(body, 'instructions', INPUT_TEXT, out);
    if (!Array.isArray(body.input)) return;
    for (const item of body.input) if (isObject(item) && SYSTEM_ROLES.has(item.role)) fieldTexts(item, 'content', INPUT_TEXT, out);
    return;
  }
  if (!Array.isArray(body.messages)) return;
  for (const message of body.messages) if (isObject(message) && SYSTEM_ROLES.has(message.role)) fieldTexts(message, 'content', TEXT, out);
}

/** A message's text: a string, or its text parts joined by spaces (Kong refuses non-string content; see prompt-guard.ts). */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is Json & { text: string } => isObject(part) && typeof part.text === 'string' && (part.type === 'text' || part.type === 'input_text'))
    .map((part) => part.text)
    .join(' ');
}

/** The conversation as role and text, in order: what Kong's ai-prompt-guard and an external guard read. */
export function conversationOf(format: PolicyFormat, body: Json): PromptGuardInput & { messages: Array<{ role: string; text: string }> } {
  const messages: Array<{ role: string; text: string }> = [];
  if (format === 'google') {
    for (const content of Array.isArray(body.contents) ? body.contents : []) {
      if (!isObject(content) || !Array.isArray(content.parts)) continue;
      const text = messageText(content.parts.map((part) => (isObject(part) && typeof part.text === 'string' ? { type: 'text', text: part.text } : null)));
      messages.push({ role: content.role === 'model' ? 'assistant' : 'user', text });
    }
    return { messages };
  }
  if (format === 'responses') {
    if (typeof body.instructions === 'string') messages.push({ role: 'system', text: body.instructions });
    if (typeof body.input === 'string') messages.push({ role: 'user', text: body.input });
    else if (Array.isArray(body.input)) {
      for (const item of body.input) {
        if (isObject(item) && (item.type === undefined || item.type === 'message') && typeof item.role === 'string')
          messages.push({ role: item.role, text: messageText(item.content) });
      }
    }
    return { messages };
  }
  if (format === 'anthropic' && body.system !== undefined) messages.push({ role: 'system', text: messageText(body.system) });
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (isObject(message) && typeof message.role === 'string') messages.push({ role: message.role, text: messageText(message.content) });
  }
  return { messages };
}
