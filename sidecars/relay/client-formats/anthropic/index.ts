/**
 * The Anthropic client format (POST /v1/messages): Anthropic request → canonical chat request,
 * canonical completion or chunks → Anthropic message or SSE events (error bodies: lib/errors).
 * Pure translation; the relay does the I/O. Each job lives in its own module, gathered here.
 */

export { anthropicClientFormat } from './format';
export { anthropicRequestForTarget, anthropicRequestToChat } from './request';
export { type AnthropicAnswerContext, anthropicUsage, chatCompletionToAnthropic, stopReason } from './response';
export { type AnthropicStreamContext, AnthropicStreamEncoder } from './stream-encoder';
