/** Gemini's batchEmbedContents, translated both ways; Gemini reports no token counts, so the gateway counts them. */

import type { GatewayError } from '../../../../lib/errors';
import { countTextTokens } from '../../../../lib/tokens';
import { type EmbeddingsAdapter, unsupported } from '../types';
import { geminiApiRoot } from './request';

function inputsOf(body: Record<string, unknown>): string[] | GatewayError {
  const input = body.input;
  const list = Array.isArray(input) ? input : [input];
  if (list.some((item) => typeof item !== 'string')) return unsupported('Gemini embeddings take text only, not token arrays.', 'input');
  return list as string[];
}

/** OpenAI's base64 encoding: little-endian float32, as the official SDKs decode it. */
function base64Floats(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buffer.writeFloatLE(v, i * 4));
  return buffer.toString('base64');
}

export const geminiEmbeddings: EmbeddingsAdapter = {
  request(target, body, apiKey) {
    const inputs = inputsOf(body);
    if (!Array.isArray(inputs)) return inputs;
    const model = target.model.startsWith('models/') ? target.model : `models/${target.model}`;
    const dimensions = Number.isInteger(body.dimensions) ? { outputDimensionality: body.dimensions } : {};
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers['x-goog-api-key'] = apiKey;
    return {
      url: `${geminiApiRoot(target.baseUrl)}/${model}:batchEmbedContents`,
      headers,
      body: JSON.stringify({ requests: inputs.map((text) => ({ model, content: { parts: [{ text }] }, ...dimensions })) }),
    };
  },
  response(json, body) {
    const embeddings = (json as { embeddings?: Array<{ values?: number[] }> }).embeddings ?? [];
    const base64 = body.encoding_format === 'base64';
    const inputs = inputsOf(body);
    // Gemini reports no token counts for embeddings: the gateway counts them (estimated).
    const promptTokens = Array.isArray(inputs) ? inputs.reduce((sum, text) => sum + countTextTokens(text), 0) : 0;
    return {
      body: {
        object: 'list',
        data: embeddings.map((e, index) => ({ object: 'embedding', index, embedding: base64 ? base64Floats(e.values ?? []) : (e.values ?? []) })),
        model: body.model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      },
      usage: { promptTokens, completionTokens: 0, totalTokens: promptTokens, cachedTokens: 0, reasoningTokens: 0, estimated: true },
    };
  },
};
