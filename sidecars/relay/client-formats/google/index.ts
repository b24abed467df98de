/**
 * The Google GenAI client format (POST /v1beta/models/{model}:generateContent and
 * :streamGenerateContent?alt=sse): GenerateContentRequest → canonical chat request, canonical
 * completion or chunks → GenerateContentResponse or its SSE events (error bodies: lib/errors).
 * Pure translation; the relay does the I/O. Each job lives in its own module, gathered here.
 */

export { googleClientFormat } from './format';
export { type GoogleCall, generateContentToChat } from './request';
export { chatCompletionToGoogle, type GenerateContentResponse, geminiUsageMetadata } from './response';
export { geminiSchemaToJsonSchema } from './schema';
export { GoogleStreamEncoder } from './stream-encoder';
