/**
 * OpenAI's POST /v1/responses/input_tokens: the prompt as a Responses request
 * (responses-input.ts), answered {"object": "response.input_tokens", "input_tokens": N}. Only
 * OpenAI's own API has it (lib/providers: countsTokens); other servers on this wire format are
 * estimated by the gateway.
 */
import { countIn, type TokenCountAdapter } from '../types';
import { responsesInput } from './responses-input';

export const openaiTokenCount: TokenCountAdapter = {
  request(target, request, apiKey) {
    const body = responsesInput(target.model, request);
    if (body === null) return null;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    return { url: `${target.baseUrl}/responses/input_tokens`, headers, body: JSON.stringify(body) };
  },
  inputTokens: (json) => countIn(json, 'input_tokens'),
};
