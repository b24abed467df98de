/**
 * The Responses client format (POST /v1/responses): Responses request → canonical chat request,
 * canonical completion or chunks → response object or SSE events (error bodies: lib/errors, in
 * OpenAI's shape). Pure translation; the relay does the I/O (keeping answers for
 * previous_response_id: ../../responses/). Each job lives in its own module, gathered here.
 */

export { outputAsInput } from './context';
export { responsesClientFormat, responsesFormatFor } from './format';
export { inputItems, itemsToMessages, responsesRequestToChat } from './request';
export { chatCompletionToResponse, type ResponseEcho, type ResponsesAnswerContext, responseEcho, responseObject, responseUsage } from './response';
export { ResponsesStreamEncoder } from './stream-encoder';
export type { OutputItem, ResponseObject, ResponseUsage } from './wire';
