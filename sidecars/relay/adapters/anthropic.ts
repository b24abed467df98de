/**
 * The Anthropic Messages API adapter: canonical OpenAI chat ⇄ Anthropic, pure translation.
 * Each direction lives in its own module (request, response, stream, errors); this file only
 * assembles them into the ChatAdapter the relay uses.
 */
import type { ChatAdapter } from './types';
import { buildAnthropicRequest } from './anthropic-request';
import { translateResponse } from './anthropic-response';
import { AnthropicStreamTranslator } from './anthropic-stream';
import { mapAnthropicError } from './anthropic-errors';

export const anthropicAdapter: ChatAdapter = {
  chatRequest: buildAnthropicRequest,
  chatResponse: translateResponse,
  chatStream: (ctx) => new AnthropicStreamTranslator(ctx),
  mapError: mapAnthropicError,
};

export { ANTHROPIC_VERSION, DEFAULT_MAX_TOKENS, THINKING_BUDGETS, messagesUrl } from './anthropic-request';
export { tokenUsage as anthropicTokenUsage } from './anthropic-response';
export { openAIUsage } from '../usage';
export { JSON_TOOL_NAME } from './anthropic-wire';
