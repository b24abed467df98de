/**
 * The OpenAI wire format: OpenAI and every API that speaks it (Groq, DeepSeek, xAI, Mistral,
 * Ollama, vLLM, Hugging Face, any OpenAI-compatible server; per-provider flags in lib/providers.ts).
 * OpenAI clients pass through byte for byte; other clients go through the chat adapter.
 */
import type { AdapterSpec } from '../types';
import { openaiAdapter } from './chat';
import { openaiTokenCount } from './count-tokens';

export const openaiSpec: AdapterSpec = {
  chat: openaiAdapter,
  // OpenAI's own embeddings API: the request passes through.
  embeddings: null,
  countTokens: openaiTokenCount,
  passthrough: true,
};

export { errorKind, mapUpstreamError } from './errors';
export { buildRequest, type ChunkAction, type ClientIntent, clientIntent, processStreamData } from './passthrough';
export { buildResponsesRequest, continuing, responsesOutputText, responsesUsage } from './responses';
export { toTokenUsage, usageFromResponse } from './usage';
export { openaiAdapter };
