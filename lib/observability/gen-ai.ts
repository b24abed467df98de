/**
 * OpenTelemetry GenAI semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/):
 * the attribute names our spans carry, and the values for our endpoints and providers. The names
 * are copied, not imported: the conventions are incubating and the package asks for copies.
 */
import type { Endpoint } from '../plan';

export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  reasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  requestStream: 'gen_ai.request.stream',
} as const;

/** `gen_ai.operation.name` of an endpoint (the conventions' values where one fits). */
export function operationNameOf(endpoint: Endpoint): string {
  switch (endpoint) {
    case 'embeddings':
      return 'embeddings';
    case 'messages.count_tokens':
    case 'responses.input_tokens':
      return 'count_tokens';
    case 'generateContent':
      return 'generate_content';
    default:
      return 'chat';
  }
}

/** The conventions' well-known `gen_ai.provider.name` where ours differs; otherwise our name. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  gemini: 'gcp.gemini',
  azure: 'azure.ai.openai',
  xai: 'x_ai',
  mistral: 'mistral_ai',
};

export function providerNameOf(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}
