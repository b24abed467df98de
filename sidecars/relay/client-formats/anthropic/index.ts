/**
 * The Anthropic client format (POST /v1/messages): Anthropic request → canonical chat request,
 * canonical completion or chunks → Anthropic message or SSE events (error bodies: lib/errors).
 * Pure translation; the relay does the I/O. Each job lives in its own module, gathered here.
 */
export { anthropicRequestToChat, stripAnthropicExtensions } from './request';
export { chatCompletionToAnthropic, anthropicUsage, stopReason, type AnthropicAnswerContext } from './response';
export { AnthropicStreamEncoder } from './stream-encoder';
export { anthropicClientFormat } from './format';
