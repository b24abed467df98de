/**
 * The OpenAI wire format: OpenAI and every API that speaks it (Groq, DeepSeek, xAI, Mistral,
 * Ollama, vLLM, Hugging Face, any OpenAI-compatible server; per-provider flags in lib/providers.ts).
 * OpenAI clients pass through byte for byte; other clients go through the chat adapter.
 */
import type { AdapterSpec } from '../types';
import { openaiAdapter } from './chat';

export const openaiSpec: AdapterSpec = {
  chat: openaiAdapter,
  // OpenAI's own embeddings API: the request passes through.
  embeddings: null,
  passthrough: true,
  openAIChat: true,
};

export { openaiAdapter };
export { buildRequest, clientIntent, processStreamData, type ChunkAction, type ClientIntent } from './passthrough';
export { errorKind, mapUpstreamError } from './errors';
export { toTokenUsage, usageFromResponse } from './usage';
