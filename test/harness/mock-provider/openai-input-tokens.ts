// POST /v1/responses/input_tokens: the input-token count of a Responses request, as OpenAI
// answers it ({"object": "response.input_tokens", "input_tokens": N}). Counted with the mock's
// tokenizer by the rule its /v1/responses usage follows; a script's fault answers as chat does.

import { extractFromTexts } from './directive';
import * as wire from './openai';
import type { ChatHost } from './openai-chat';
import { countInputTokens } from './openai-responses';
import { chooseScript } from './script';
import type { RequestContext } from './server';
import { sendJson } from './server';
import { untilAborted } from './timing';

type Item = Record<string, unknown>;

const ROLES = new Set(['user', 'assistant', 'system', 'developer']);
const PART_TYPES = new Set(['input_text', 'input_image', 'input_file', 'output_text', 'refusal']);
const ITEM_TYPES = ['message', 'function_call', 'function_call_output'];

const invalid = (message: string, param: string, code: string) => wire.errorBody(message, 'invalid_request_error', param, code);

/** The first thing OpenAI would refuse in `input`, or null. */
function invalidInput(input: unknown): wire.OpenAIError | null {
  if (input === undefined || typeof input === 'string') return null;
  if (!Array.isArray(input)) return invalid("Invalid type for 'input': expected one of a string or array of input items.", 'input', 'invalid_type');
  for (const [i, value] of input.entries()) {
    const at = `input[${i}]`;
    if (typeof value !== 'object' || value === null) return invalid(`Invalid type for '${at}': expected an object.`, at, 'invalid_type');
    const item = value as Item;
    const type = item.type ?? 'message';
    if (type === 'message') {
      if (typeof item.role !== 'string' || !ROLES.has(item.role)) {
        return invalid(
          `Invalid value: '${String(item.role)}'. Supported values are: 'user', 'assistant', 'system', and 'developer'.`,
          `${at}.role`,
          'invalid_value',
        );
      }
      if (typeof item.content === 'string') continue;
      if (!Array.isArray(item.content)) return invalid(`Missing required parameter: '${at}.content'.`, `${at}.content`, 'missing_required_parameter');
      const bad = item.content.findIndex((part) => typeof part !== 'object' || part === null || !PART_TYPES.has((part as Item).type as string));
      if (bad >= 0) return invalid(`Invalid value for '${at}.content[${bad}].type'.`, `${at}.content[${bad}].type`, 'invalid_value');
    } else if (type === 'function_call') {
      const missing = ['call_id', 'name', 'arguments'].find((field) => typeof item[field] !== 'string');
      if (missing) return invalid(`Missing required parameter: '${at}.${missing}'.`, `${at}.${missing}`, 'missing_required_parameter');
    } else if (type === 'function_call_output') {
      const missing = ['call_id', 'output'].find((field) => typeof item[field] !== 'string');
      if (missing) return invalid(`Missing required parameter: '${at}.${missing}'.`, `${at}.${missing}`, 'missing_required_parameter');
    } else {
      return invalid(`Invalid value: '${String(type)}'. Supported values are: ${ITEM_TYPES.map((t) => `'${t}'`).join(', ')}.`, `${at}.type`, 'invalid_value');
    }
  }
  return null;
}

/** The texts an item puts in the prompt. */
function itemTexts(item: Item): string[] {
  const type = item.type ?? 'message';
  if (type === 'function_call') return [item.name as string, item.arguments as string];
  if (type === 'function_call_output') return [item.output as string];
  if (typeof item.content === 'string') return [item.content];
  return (item.content as Item[]).filter((part) => typeof part.text === 'string').map((part) => part.text as string);
}

export function handleInputTokens(ctx: RequestContext, d: ChatHost): Promise<void> | void {
  const requestId = wire.newRequestId();
  const fail = (status: number, body: unknown, extra: Record<string, string> = {}) =>
    sendJson(ctx.res, status, body, { ...d.headers(ctx, requestId, 0, status === 429), ...extra });
  if (ctx.jsonError) return fail(400, wire.errors.invalidJson());
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  if (body.model !== undefined && typeof body.model !== 'string')
    return fail(400, invalid("Invalid type for 'model': expected a string.", 'model', 'invalid_type'));
  const model = (body.model as string | undefined) ?? '';
  if (model && d.models && !d.models.includes(model)) return fail(404, wire.errors.modelNotFound(model));
  const badInput = invalidInput(body.input);
  if (badInput) return fail(400, badInput);

  const items: Item[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : ((body.input as Item[] | undefined) ?? []);
  const texts = items.map(itemTexts);
  // The directive lives in the last user message; it is stripped before counting.
  const lastUser = items.map((item) => (item.type ?? 'message') === 'message' && item.role === 'user').lastIndexOf(true);
  const scan = extractFromTexts(lastUser >= 0 ? texts[lastUser] : []);
  if (scan.error) return fail(400, invalid(scan.error, 'input', 'invalid_value'));
  if (lastUser >= 0) texts[lastUser] = scan.texts;
  const { script } = chooseScript(scan.script, d.queue, d.defaults);
  // The rule /v1/responses reports input_tokens by, so a count and the answer agree.
  const inputTokens = countInputTokens(body, lastUser >= 0 ? { index: lastUser, texts: scan.texts } : undefined);

  if (script.hang) return untilAborted(ctx.signal);
  if (script.status !== undefined && script.status >= 400) {
    const retryAfter = script.retryAfterSeconds ?? (script.status === 429 ? 1 : undefined);
    const errBody = script.errorBody ?? wire.errorForStatus(script.status, { model, requestId, promptTokens: inputTokens, retryAfterSeconds: retryAfter ?? 1 });
    return fail(script.status, errBody, retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {});
  }
  sendJson(ctx.res, 200, { object: 'response.input_tokens', input_tokens: inputTokens }, d.headers(ctx, requestId, 0, false));
}
