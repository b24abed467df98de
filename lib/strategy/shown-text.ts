/**
 * Text one inner call shows another (a question to a judge, candidates to a judge or an
 * aggregator), cut to a bound in the reservation's own units (textBound), so the reservation made
 * before any answer exists covers the prompt built from the answers.
 */
import type { ChatMessage, ChatRequest } from '../openai-types';
import { textBound } from '../tokens/string-bound';

/** The longest prefix of `text` whose textBound is at most `maxTokens` (linear: each cut at least halves the excess). */
export function cutToBound(text: string, maxTokens: number): string {
  let cut = text.length > maxTokens ? text.slice(0, maxTokens) : text;
  for (let bound = textBound(cut); bound > maxTokens; bound = textBound(cut)) {
    cut = cut.slice(0, Math.max(0, Math.floor((cut.length * maxTokens) / bound) - 1));
  }
  // A cut between a surrogate pair would leave half a character.
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** A message's text parts joined (images and other parts left out). */
export function messageText(message: ChatMessage | undefined): string {
  const content = message?.content as unknown;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      part && typeof part === 'object' && (part as { type?: unknown }).type === 'text' ? String((part as { text?: unknown }).text ?? '') : '',
    )
    .filter((text) => text !== '')
    .join('\n');
}

/** The last user message's text: the question a judge is shown. */
export function lastUserText(request: ChatRequest): string {
  const messages = request.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messageText(messages[i]);
  return '';
}
