/** /v1/messages/count_tokens: a Messages prompt without max_tokens, refused in Anthropic's words. */
import { validateClientRequest } from '../../../lib/validate';

const prompt = { model: 'claude-sonnet-4-6', system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] };

describe('token count requests', () => {
  it('need no max_tokens, which a Messages request needs', () => {
    expect(validateClientRequest('messages.count_tokens', prompt)).toEqual({ ok: true, request: { model: 'claude-sonnet-4-6', stream: false } });
    expect(validateClientRequest('messages', prompt)).toMatchObject({ ok: false, param: 'max_tokens' });
  });

  it('are never streamed', () => {
    expect(validateClientRequest('messages.count_tokens', { ...prompt, stream: true })).toMatchObject({ ok: true, request: { stream: false } });
  });

  it.each([
    ['no model', { messages: prompt.messages }, 'model'],
    ['no messages', { model: 'm' }, 'messages'],
    ['an empty conversation', { model: 'm', messages: [] }, 'messages'],
    ['a bad role', { model: 'm', messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role'],
    ['a tool without a schema', { ...prompt, tools: [{ name: 'f' }] }, 'tools.0.input_schema'],
    ['a bad thinking budget', { ...prompt, thinking: { type: 'enabled', budget_tokens: 10 } }, 'thinking.budget_tokens'],
  ])('refuse %s, naming the field as Anthropic does', (_, body, param) => {
    const result = validateClientRequest('messages.count_tokens', body);
    expect(result).toMatchObject({ ok: false, param });
    if (!result.ok) expect(result.message).toContain(param);
  });
});
