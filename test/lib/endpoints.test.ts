/** Paths to endpoints: one table for aigw-proxy, the relay, and the plugins that read prompts. */
import { conversationFormatOf, endpointOf, isTokenCount } from '../../lib/endpoints';

describe('endpoints', () => {
  it('gives Anthropic’s token count an endpoint of its own, one that is never billed', () => {
    expect(endpointOf('/v1/messages/count_tokens')).toBe('messages.count_tokens');
    expect(isTokenCount('messages.count_tokens')).toBe(true);
    for (const billed of ['messages', 'chat.completions', 'embeddings'] as const) expect(isTokenCount(billed)).toBe(false);
    expect(endpointOf('/v1/messages/other')).toBeUndefined();
  });

  it('gives the semantic cache and the prompt compressor the four conversation formats, and no token count or embedding', () => {
    expect(conversationFormatOf('/v1/chat/completions')).toBe('openai');
    expect(conversationFormatOf('/v1/messages/')).toBe('anthropic');
    expect(conversationFormatOf('/v1/responses')).toBe('responses');
    expect(conversationFormatOf('/v1beta/models/gemini-2.5-flash:generateContent')).toBe('google');
    expect(conversationFormatOf('/v1beta/models/meta/llama3:8b:streamGenerateContent')).toBe('google');
    for (const other of ['/v1/messages/count_tokens', '/v1/responses/input_tokens', '/v1/embeddings', '/v1beta/models/gemini-2.5-flash', '/v1/models']) {
      expect(conversationFormatOf(other)).toBeUndefined();
    }
  });
});
