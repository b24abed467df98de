/**
 * A rendered template put into the request body it was selected by: the selection's fields are
 * removed (`prompt`, or Kong's reference and `properties`), the rendered messages go before the
 * request's own (as OpenAI does with a Responses `prompt`; Kong's `messages` reference has no
 * messages of its own, so the template's are all there is), and the template's model and
 * params fill what the request leaves unset: the client's explicit values win.
 */
import { type ConversationFormat, decorateRequest } from './decorate';
import type { TemplateDefinition, TemplateMessage } from './model';
import type { RenderedTemplate } from './prepare';
import type { TemplateSelection } from './selection';

/**
 * The messages a render becomes: a chat template's messages, a text template as one user message.
 * A message that renders empty is left out, so a template can make a message conditional
 * (Anthropic refuses empty text, and an empty system message only costs tokens).
 */
export function renderedMessages(rendered: RenderedTemplate): TemplateMessage[] {
  const messages = rendered.kind === 'chat' ? rendered.messages : [{ role: 'user' as const, content: rendered.text }];
  return messages.filter((message) => message.content.length > 0);
}

export function applyRenderedTemplate(
  body: Readonly<Record<string, unknown>>,
  format: ConversationFormat,
  selection: TemplateSelection,
  rendered: RenderedTemplate,
  definition: Pick<TemplateDefinition, 'model' | 'params'>,
): Record<string, unknown> {
  const stripped: Record<string, unknown> = { ...body };
  delete stripped[selection.field];
  if (selection.syntax === 'kong') delete stripped.properties;
  for (const [key, value] of Object.entries(definition.params ?? {})) if (stripped[key] === undefined) stripped[key] = value;
  if (stripped.model === undefined && definition.model !== undefined) stripped.model = definition.model;
  return decorateRequest(stripped, format, { prepend: renderedMessages(rendered) });
}
