/**
 * Google's Gemini API (generativelanguage.googleapis.com, v1beta). Pure: it builds the
 * generateContent / streamGenerateContent?alt=sse request and translates what comes back.
 *
 * - Requests: request.ts (what is dropped comes back in `dropped` on the request).
 * - Schemas: schema.ts (JSON Schema → Gemini's OpenAPI subset).
 * - Responses and streams: response.ts; what Gemini's filters said: safety.ts. Errors: errors.ts.
 *   Embeddings: embeddings.ts.
 * - Google GenAI clients: native.ts (their request as sent, the answer byte for byte).
 */
import type { AdapterSpec, ChatAdapter } from '../types';
import { geminiTokenCount } from './count-tokens';
import { geminiEmbeddings } from './embeddings';
import { mapGeminiError } from './errors';
import { geminiNative } from './native';
import { buildGeminiRequest } from './request';
import { GeminiStreamTranslator, geminiChatResponse } from './response';

export const geminiAdapter: ChatAdapter = {
  chatRequest: buildGeminiRequest,
  chatResponse: geminiChatResponse,
  chatStream: (ctx) => new GeminiStreamTranslator(ctx),
  mapError: mapGeminiError,
};

export const geminiSpec: AdapterSpec = {
  chat: geminiAdapter,
  embeddings: geminiEmbeddings,
  countTokens: geminiTokenCount,
  passthrough: false,
  native: geminiNative,
};

export { type GeminiUpstreamRequest, SKIP_SIGNATURE } from './request';
export { buildGeminiRequest };
