/**
 * /v1/embeddings for providers whose embeddings API is not OpenAI's: Azure (same JSON, its own
 * deployment URL and header) and Gemini (batchEmbedContents, translated both ways). Pure
 * functions; OpenAI-compatible targets keep the byte-for-byte pass-through.
 */
import type { PlanTarget, ProviderType } from '../../../lib/plan';
import { countTextTokens } from '../../../lib/tokens';
import type { TokenUsage } from '../usage';
import { azureChatUrl } from './azure';
import { geminiApiRoot } from './gemini-request';
import type { AdapterRefusal, UpstreamHttpRequest } from './types';

export interface EmbeddingsAdapter {
  request(target: PlanTarget, body: Record<string, unknown>, apiKey: string | null): UpstreamHttpRequest | AdapterRefusal;
  /** The OpenAI embeddings list the client expects, and usage (estimated when the provider gives none). */
  response(json: unknown, body: Record<string, unknown>): { body: unknown; usage: TokenUsage | null };
}

function refuse(message: string, param: string | null = null): AdapterRefusal {
  return { status: 400, message, param, code: 'unsupported_for_provider' };
}

const azureEmbeddings: EmbeddingsAdapter = {
  request(target, body, apiKey) {
    const url = azureChatUrl(target.baseUrl, target.model).replace('/chat/completions', '/embeddings');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers['api-key'] = apiKey;
    return { url, headers, body: JSON.stringify({ ...body, model: target.model }) };
  },
  response(json) {
    const usage = (json as { usage?: { prompt_tokens?: number; total_tokens?: number } }).usage;
    const prompt = usage?.prompt_tokens ?? 0;
    return { body: json, usage: usage ? { promptTokens: prompt, completionTokens: 0, totalTokens: usage.total_tokens ?? prompt, cachedTokens: 0, reasoningTokens: 0 } : null };
  },
};

function inputsOf(body: Record<string, unknown>): string[] | AdapterRefusal {
  const input = body.input;
  const list = Array.isArray(input) ? input : [input];
  if (list.some((item) => typeof item !== 'string')) return refuse('Gemini embeddings take text only, not token arrays.', 'input');
  return list as string[];
}

/** OpenAI's base64 encoding: little-endian float32, as the official SDKs decode it. */
function base64Floats(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buffer.writeFloatLE(v, i * 4));
  return buffer.toString('base64');
}

const geminiEmbeddings: EmbeddingsAdapter = {
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

const anthropicEmbeddings: EmbeddingsAdapter = {
  request: () => refuse('Anthropic has no embeddings API; configure an embeddings model from another provider.', 'model'),
  response: () => ({ body: null, usage: null }),
};

/** null: the provider speaks OpenAI's embeddings API (pass-through). */
export function embeddingsAdapterFor(provider: ProviderType): EmbeddingsAdapter | null {
  if (provider === 'azure') return azureEmbeddings;
  if (provider === 'gemini') return geminiEmbeddings;
  if (provider === 'anthropic') return anthropicEmbeddings;
  return null;
}
