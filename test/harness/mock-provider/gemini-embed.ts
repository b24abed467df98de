// :embedContent and :batchEmbedContents: deterministic unit vectors (see vectors.ts) in Gemini's
// shapes. Scripts do not apply, as with OpenAI embeddings.

import * as wire from './gemini';
import type { GeminiDialect } from './gemini-routes';
import type { RequestContext } from './server';
import { embedText } from './vectors';

type EmbedRequest = { content?: { parts?: unknown }; outputDimensionality?: unknown };

/** The vector of one request, or the error message when the request is invalid. */
function embedOne(req: EmbedRequest, model: string, where: string): { values: number[] } | string {
  if (!req?.content || !Array.isArray(req.content.parts) || req.content.parts.length === 0) {
    return `* ${where}.content: content is not specified\n`;
  }
  const dims = req.outputDimensionality ?? wire.embeddingDimensions(model);
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1) {
    return `* ${where}.output_dimensionality: must be a positive integer\n`;
  }
  return { values: embedText(wire.partTexts(req.content.parts).join('\n'), dims) };
}

export function handleEmbed(ctx: RequestContext, d: GeminiDialect, model: string): void {
  if (ctx.jsonError) return d.send(ctx, 400, wire.errors.invalidJson('Syntax error in the request body.'));
  if (d.rejectModel(ctx, model, 'embedContent')) return;
  const out = embedOne(ctx.body as EmbedRequest, model, 'EmbedContentRequest');
  if (typeof out === 'string') return d.send(ctx, 400, wire.errors.invalidArgument(out));
  d.send(ctx, 200, { embedding: out });
}

export function handleBatchEmbed(ctx: RequestContext, d: GeminiDialect, model: string): void {
  if (ctx.jsonError) return d.send(ctx, 400, wire.errors.invalidJson('Syntax error in the request body.'));
  if (d.rejectModel(ctx, model, 'batchEmbedContents')) return;
  const requests = (ctx.body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    return d.send(ctx, 400, wire.errors.invalidArgument('* BatchEmbedContentsRequest.requests: requests is not specified\n'));
  }
  const embeddings: Array<{ values: number[] }> = [];
  for (let i = 0; i < requests.length; i++) {
    const req = requests[i] as EmbedRequest & { model?: unknown };
    // Every request must name the model of the URL.
    if (req?.model !== undefined && req.model !== `models/${model}`) {
      return d.send(
        ctx,
        400,
        wire.errors.invalidArgument(`Model names should be the same in the request and in the batch. Found models/${model} and ${String(req.model)}.`),
      );
    }
    const out = embedOne(req, model, `BatchEmbedContentsRequest.requests[${i}]`);
    if (typeof out === 'string') return d.send(ctx, 400, wire.errors.invalidArgument(out));
    embeddings.push(out);
  }
  d.send(ctx, 200, { embeddings });
}
