/**
 * Anthropic's POST /v1/messages/count_tokens: the Messages request the gateway would send for the
 * same prompt, narrowed to the fields a count takes (Anthropic refuses any other, max_tokens
 * included), answered {"input_tokens": N}.
 */
import { countIn, isRefused, pickFields, type TokenCountAdapter } from '../types';
import { buildAnthropicRequest, messagesUrl } from './request';

/** MessageCountTokensParams fields the Messages request builder can produce. */
const COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'];

export const anthropicTokenCount: TokenCountAdapter = {
  request(target, request, apiKey) {
    const built = buildAnthropicRequest(target, request, apiKey);
    if (isRefused(built)) return built;
    const messagesRequest = JSON.parse(built.body) as Record<string, unknown>;
    return {
      url: `${messagesUrl(target.baseUrl)}/count_tokens`,
      headers: { ...built.headers, accept: 'application/json' },
      body: JSON.stringify(pickFields(messagesRequest, COUNT_FIELDS)),
    };
  },
  inputTokens: (json) => countIn(json, 'input_tokens'),
};
