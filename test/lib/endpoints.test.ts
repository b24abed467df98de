/** Paths to endpoints: one table for aigw-proxy, the relay, and the plugins that read prompts. */
import { chatFormatOf, endpointOf, isTokenCount } from '../../lib/endpoints';

describe('endpoints', () => {
  it('gives Anthropic’s token count an endpoint of its own, one that is never billed', () => {
    expect(endpointOf('/v1/messages/count_tokens')).toBe('messages.count_tokens');
    expect(isTokenCount('messages.count_tokens')).toBe(true);
    for (const billed of ['messages', 'chat.completions', 'embeddings'] as const) expect(isTokenCount(billed)).toBe(false);
    expect(endpointOf('/v1/messages/other')).toBeUndefined();
  });

  it('keeps token counts away from the semantic cache and the prompt compressor', () => {
    expect(chatFormatOf('/v1/messages/count_tokens')).toBeUndefined();
    expect(chatFormatOf('/v1/messages/count_tokens/')).toBeUndefined();
    expect(chatFormatOf('/v1/messages')).toBe('anthropic');
    expect(chatFormatOf('/v1/chat/completions')).toBe('openai');
  });
});
