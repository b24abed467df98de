/**
 * Client bodies parsed with their nesting checked first, so a body nested 10,000 deep is a 400
 * rather than a stack overflow later on. One linear scan, then JSON.parse.
 */
import { MAX_JSON_DEPTH } from './bounds';
import { textNestingExceeds } from './depth';

export type ParsedBody = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

export const TOO_DEEP_MESSAGE = `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`;

export function parseJsonBody(body: Buffer | string): ParsedBody {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.length === 0) return { ok: false, message: 'The request body is empty; expected a JSON object.' };
  if (textNestingExceeds(text, MAX_JSON_DEPTH)) return { ok: false, message: TOO_DEEP_MESSAGE };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `We could not parse the JSON body of your request: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'The request body must be a JSON object.' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * JSON text a client sent inside a field (a tool result, tool-call arguments), parsed only when
 * it is valid and within the depth bound; undefined otherwise, so callers keep it as text.
 */
export function parseNestedJson(text: string): unknown {
  if (textNestingExceeds(text, MAX_JSON_DEPTH)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
