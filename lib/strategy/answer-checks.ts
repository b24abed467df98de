/**
 * A cascade's checks on the cheap model's answer that need no model: JSON, the request's own
 * response schema, and refusals. Pure functions over the canonical completion.
 */
import type { ChatCompletion, ChatRequest } from '../openai-types';
import { validatesAgainst } from './json-schema-check';

/** The answer's text: its content, or its first tool call's arguments (JSON mode through a tool). */
export function answerText(completion: ChatCompletion): string {
  const message = completion.choices[0]?.message;
  if (typeof message?.content === 'string' && message.content !== '') return message.content;
  return message?.tool_calls?.[0]?.function.arguments ?? '';
}

/** The text parsed as JSON (a ```json fence around it allowed), or undefined. */
export function parsedJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(unfenced(text)) as unknown };
  } catch {
    return undefined;
  }
}

/** The text inside a Markdown code fence, when the whole text is one (no regular expression: linear). */
function unfenced(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('```') || !trimmed.endsWith('```') || trimmed.length < 6) return text;
  const firstLineEnd = trimmed.indexOf('\n');
  return firstLineEnd < 0 ? text : trimmed.slice(firstLineEnd + 1, -3);
}

/** The request's response schema (OpenAI's response_format json_schema), when it has one. */
export function responseSchemaOf(request: ChatRequest): unknown {
  const format = (request as unknown as { response_format?: { type?: string; json_schema?: { schema?: unknown } } }).response_format;
  return format?.type === 'json_schema' ? format.json_schema?.schema : undefined;
}

export function isJsonAnswer(completion: ChatCompletion): boolean {
  return parsedJson(answerText(completion)) !== undefined;
}

/** JSON valid against the request's schema; a request without a schema needs only JSON. */
export function matchesResponseSchema(completion: ChatCompletion, request: ChatRequest): boolean {
  const parsed = parsedJson(answerText(completion));
  if (!parsed) return false;
  const schema = responseSchemaOf(request);
  return schema === undefined || validatesAgainst(parsed.value, schema);
}

/** How a refusal begins, in the first characters of an answer. */
const REFUSAL_OPENINGS =
  /^\W*(i['’]m sorry|i am sorry|sorry, (but )?i|i apologi[sz]e|i can(no|['’])t|i can not|i['’]m (not able|unable)|i am (not able|unable)|as an ai\b|i won['’]t be able)/i;

/** A refusal: the refusal field, a content-filter stop, or a refusal's usual opening. */
export function isRefusal(completion: ChatCompletion): boolean {
  const choice = completion.choices[0];
  if (!choice) return true;
  if (choice.finish_reason === 'content_filter') return true;
  if (typeof choice.message.refusal === 'string' && choice.message.refusal !== '') return true;
  const text = typeof choice.message.content === 'string' ? choice.message.content.slice(0, 200) : '';
  return REFUSAL_OPENINGS.test(text);
}
