/**
 * The Anthropic Messages API: canonical OpenAI chat ⇄ Anthropic, pure translation. Each direction
 * lives in its own module (request, response, stream, errors; wire shapes in wire.ts); this file
 * assembles them into the spec the relay's registry reads.
 */
import type { AdapterSpec, ChatAdapter } from '../types';
import { anthropicTokenCount } from './count-tokens';
import { anthropicEmbeddings } from './embeddings';
import { mapAnthropicError } from './errors';
import { anthropicNative } from './native';
import { buildAnthropicRequest } from './request';
import { translateResponse } from './response';
import { AnthropicStreamTranslator } from './stream';

export const anthropicAdapter: ChatAdapter = {
  chatRequest: buildAnthropicRequest,
  chatResponse: translateResponse,
  chatStream: (ctx) => new AnthropicStreamTranslator(ctx),
  mapError: mapAnthropicError,
};

export const anthropicSpec: AdapterSpec = {
  chat: anthropicAdapter,
  embeddings: anthropicEmbeddings,
  countTokens: anthropicTokenCount,
  passthrough: false,
  native: anthropicNative,
};

export { JSON_TOOL_NAME } from './wire';
export { buildAnthropicRequest };
