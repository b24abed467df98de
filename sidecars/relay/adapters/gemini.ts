/**
 * Adapter for Google's Gemini API (generativelanguage.googleapis.com, v1beta). Pure: it builds
 * the generateContent / streamGenerateContent?alt=sse request and translates what comes back.
 *
 * - Requests: gemini-request.ts (what is dropped comes back in `dropped` on the request).
 * - Schemas: gemini-schema.ts (JSON Schema → Gemini's OpenAPI subset).
 * - Responses and streams: gemini-response.ts. Errors: gemini-errors.ts.
 */
import { mapGeminiError } from './gemini-errors';
import { buildGeminiRequest } from './gemini-request';
import { geminiChatResponse, GeminiStreamTranslator } from './gemini-response';
import type { ChatAdapter } from './types';

export const geminiAdapter: ChatAdapter = {
  chatRequest: buildGeminiRequest,
  chatResponse: geminiChatResponse,
  chatStream: (ctx) => new GeminiStreamTranslator(ctx),
  mapError: mapGeminiError,
};

export { buildGeminiRequest, geminiChatResponse, GeminiStreamTranslator, mapGeminiError };
export type { GeminiUpstreamRequest, GoogleExtraContent } from './gemini-request';
export { SKIP_SIGNATURE } from './gemini-request';
export { toGeminiSchema } from './gemini-schema';
export { geminiTokenUsage, mapFinishReason } from './gemini-response';
