/**
 * Messages put before and after a request's own, as Kong's `ai-prompt-decorator` does (prepend
 * and append, each in the order given), in the three conversation formats:
 *
 * - OpenAI chat: into `messages`.
 * - Anthropic messages: system and developer messages into the top-level `system` (as text
 *   blocks, before or after the blocks already there: `system` cannot sit among the turns), user
 *   and assistant messages into `messages`.
 * - Responses: into `input` as messages (`{role, content}`); a string `input` becomes one user
 *   message first. `instructions` is left alone.
 *
 * The same function puts a rendered chat template in front of a request's messages. Pure: the body
 * is not changed, a new one is returned. A field of the wrong shape is left as it is, for the
 * request validator to refuse in the client's own words.
 */
import type { PolicyFormat } from '../translation-policy';
import { isObject } from '../validate/checks';
import { MAX_DECORATION_CONTENT_CHARS, MAX_DECORATION_MESSAGES } from './bounds';
import { TemplateError } from './errors';
import { MESSAGE_ROLES, type MessageRole, type TemplateMessage } from './model';

/** The formats whose body is a list of chat messages. */
export type ConversationFormat = Exclude<PolicyFormat, 'google'>;

export interface Decoration {
  readonly prepend?: readonly TemplateMessage[];
  readonly append?: readonly TemplateMessage[];
}

type Body = Readonly<Record<string, unknown>>;

function isSystemRole(message: TemplateMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}

function asMessage(message: TemplateMessage): { role: string; content: string } {
  return { role: message.role, content: message.content };
}

function textBlock(message: TemplateMessage): { type: 'text'; text: string } {
  return { type: 'text', text: message.content };
}

/** Anthropic's `system` with blocks before and after, or undefined when its shape is not one we can extend. */
function anthropicSystem(system: unknown, before: TemplateMessage[], after: TemplateMessage[]): unknown[] | undefined {
  const existing = system === undefined ? [] : typeof system === 'string' ? [{ type: 'text', text: system }] : Array.isArray(system) ? system : undefined;
  return existing && [...before.map(textBlock), ...existing, ...after.map(textBlock)];
}

function decorateAnthropic(body: Body, prepend: readonly TemplateMessage[], append: readonly TemplateMessage[]): Record<string, unknown> {
  const decorated: Record<string, unknown> = { ...body };
  const systemBefore = prepend.filter(isSystemRole);
  const systemAfter = append.filter(isSystemRole);
  if (systemBefore.length + systemAfter.length > 0) {
    const system = anthropicSystem(body.system, systemBefore, systemAfter);
    if (system !== undefined) decorated.system = system;
  }
  const turnsBefore = prepend.filter((message) => !isSystemRole(message));
  const turnsAfter = append.filter((message) => !isSystemRole(message));
  if (turnsBefore.length + turnsAfter.length > 0) {
    const messages = body.messages ?? [];
    if (Array.isArray(messages)) decorated.messages = [...turnsBefore.map(asMessage), ...messages, ...turnsAfter.map(asMessage)];
  }
  return decorated;
}

function decorateList(
  body: Body,
  field: 'messages' | 'input',
  prepend: readonly TemplateMessage[],
  append: readonly TemplateMessage[],
): Record<string, unknown> {
  const decorated: Record<string, unknown> = { ...body };
  const current = body[field] ?? [];
  // Responses' string input is one user message.
  const list = field === 'input' && typeof current === 'string' ? [{ role: 'user', content: current }] : current;
  if (Array.isArray(list)) decorated[field] = [...prepend.map(asMessage), ...list, ...append.map(asMessage)];
  return decorated;
}

/** The body with the decoration's messages before and after its own, in the given format. */
export function decorateRequest(body: Body, format: ConversationFormat, decoration: Decoration): Record<string, unknown> {
  const prepend = decoration.prepend ?? [];
  const append = decoration.append ?? [];
  if (prepend.length + append.length === 0) return { ...body };
  if (format === 'anthropic') return decorateAnthropic(body, prepend, append);
  return decorateList(body, format === 'responses' ? 'input' : 'messages', prepend, append);
}

function decorationMessages(value: unknown, param: string): TemplateMessage[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_DECORATION_MESSAGES)
    throw new TemplateError('invalid_template', `'${param}' must be a list of at most ${MAX_DECORATION_MESSAGES} messages`, { param });
  return value.map((message, index) => {
    const at = `${param}.${index}`;
    if (!isObject(message) || !MESSAGE_ROLES.includes(message.role as MessageRole))
      throw new TemplateError('invalid_template', `'${at}.role' must be one of ${MESSAGE_ROLES.join(', ')}`, { param: `${at}.role` });
    const { content } = message;
    if (typeof content !== 'string' || content.length === 0 || content.length > MAX_DECORATION_CONTENT_CHARS)
      throw new TemplateError('invalid_template', `'${at}.content' must be text of 1 to ${MAX_DECORATION_CONTENT_CHARS} characters`, {
        param: `${at}.content`,
      });
    return { role: message.role as MessageRole, content };
  });
}

/** Checks a decoration from configuration (`{prepend, append}`); throws a TemplateError (`invalid_template`) naming the field. */
export function parseDecoration(value: unknown): Decoration {
  if (!isObject(value)) throw new TemplateError('invalid_template', 'A decoration must be an object: {prepend, append}', { param: '' });
  return { prepend: decorationMessages(value.prepend, 'prepend'), append: decorationMessages(value.append, 'append') };
}
