// POST /v1/embeddings: deterministic vectors in OpenAI's response shape (float or base64).
// Scripts do not apply here: a queued chat script must never be eaten by a cache lookup.

import * as wire from './openai';
import type { ChatHost } from './openai-chat';
import type { RequestContext } from './server';
import { sendJson } from './server';
import { countTokens } from './tokenizer';
import { embedText, embedTokenIds, toBase64 } from './vectors';

type Input = { kind: 'text'; text: string } | { kind: 'ids'; ids: number[] };

/** Normalises the four input forms OpenAI accepts; undefined when the input is invalid. */
function parseInput(input: unknown): Input[] | undefined {
  const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0);
  if (typeof input === 'string') return input === '' ? undefined : [{ kind: 'text', text: input }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (isIds(input)) return [{ kind: 'ids', ids: input }];
  if (input.every((x) => typeof x === 'string' && x !== '')) return input.map((text: string) => ({ kind: 'text', text }));
  if (input.every(isIds)) return input.map((ids: number[]) => ({ kind: 'ids', ids }));
  return undefined;
}

export function handleEmbeddings(ctx: RequestContext, d: Pick<ChatHost, 'models' | 'headers'>): void {
  const requestId = wire.newRequestId();
  const fail = (status: number, body: unknown) => sendJson(ctx.res, status, body, d.headers(ctx, requestId, 0, false));

  if (ctx.jsonError || typeof ctx.body !== 'object' || ctx.body === null) return fail(400, wire.errors.invalidJson());
  const body = ctx.body as Record<string, unknown>;
  if (typeof body.model !== 'string' || body.model === '') return fail(400, wire.errors.missingModel());
  const model = body.model;
  if (body.input === undefined) return fail(400, wire.errors.missingParam('input'));
  const inputs = parseInput(body.input);
  if (!inputs) return fail(400, wire.errors.invalidInput());
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return fail(
      400,
      wire.errorBody(
        `Invalid value: '${String(format)}'. Supported values are: 'float' and 'base64'.`,
        'invalid_request_error',
        'encoding_format',
        'invalid_value',
      ),
    );
  }
  let dims = wire.embeddingDimensions(model);
  if (body.dimensions !== undefined) {
    if (!wire.supportsDimensions(model)) return fail(400, wire.errors.dimensionsUnsupported());
    if (!Number.isInteger(body.dimensions) || (body.dimensions as number) < 1) {
      return fail(400, wire.errors.invalidType('dimensions', 'an integer greater than 0', `${String(body.dimensions)}`));
    }
    dims = body.dimensions as number;
  }
  if (d.models && !d.models.includes(model)) return fail(404, wire.errors.modelNotFound(model));

  let promptTokens = 0;
  const vectors = inputs.map((inp) => {
    promptTokens += inp.kind === 'text' ? countTokens(inp.text) : inp.ids.length;
    const v = inp.kind === 'text' ? embedText(inp.text, dims) : embedTokenIds(inp.ids, dims);
    return format === 'base64' ? toBase64(v) : v;
  });
  sendJson(ctx.res, 200, wire.embeddingsResponse(model, vectors, promptTokens), {
    ...d.headers(ctx, requestId, promptTokens, false),
    'openai-processing-ms': String(Math.round(performance.now() - ctx.startedAt)),
  });
}
