/**
 * The Anthropic-format ingress (POST /v1/messages): Anthropic request → canonical chat request,
 * canonical completion or chunks → Anthropic message or SSE events, and Anthropic-shaped errors.
 * Pure translation; the relay does the I/O. Each job lives in its own module, gathered here.
 */
export { anthropicRequestToChat, stripAnthropicExtensions, type IngressResult } from './anthropic-request';
export { chatCompletionToAnthropic, anthropicUsage, stopReason, type AnthropicIngressContext } from './anthropic-response';
export { AnthropicStreamEncoder } from './anthropic-stream-encoder';
export { anthropicError, anthropicErrorType, errorEvent, type AnthropicIngressError } from './anthropic-errors';
export { anthropicClientFormat } from './anthropic-format';
