import { parseJsonBody, validateChatCompletion, validateEmbeddings } from '../../../plugins/aigw-proxy/validate';

const message = { role: 'user', content: 'hi' };

describe('chat completion validation', () => {
  it('accepts a minimal request and reports stream', () => {
    expect(validateChatCompletion({ model: 'm', messages: [message] })).toEqual({ ok: true, request: { model: 'm', stream: false } });
    expect(validateChatCompletion({ model: 'm', messages: [message], stream: true, stream_options: { include_usage: true } })).toMatchObject({
      ok: true,
      request: { stream: true },
    });
  });

  it('accepts assistant tool calls with null content and tool results', () => {
    const messages = [
      message,
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '42' },
      { role: 'user', content: [{ type: 'text', text: 'and?' }] },
    ];
    expect(validateChatCompletion({ model: 'm', messages }).ok).toBe(true);
  });

  it.each([
    [{ messages: [message] }, 'model'],
    [{ model: 42, messages: [message] }, 'model'],
    [{ model: '', messages: [message] }, 'model'],
    [{ model: 'm' }, 'messages'],
    [{ model: 'm', messages: 'hi' }, 'messages'],
    [{ model: 'm', messages: [] }, 'messages'],
    [{ model: 'm', messages: ['hi'] }, 'messages[0]'],
    [{ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
    // OpenAI names the missing field itself.
    [{ model: 'm', messages: [{ role: 'user', content: [{ text: 'no type' }] }] }, 'messages[0].content[0].type'],
    [{ model: 'm', messages: [message, { role: 'tool', content: 'x' }] }, 'messages[1].tool_call_id'],
    [{ model: 'm', messages: [message], stream: 'yes' }, 'stream'],
    [{ model: 'm', messages: [message], stream_options: { include_usage: true } }, 'stream_options'],
    [{ model: 'm', messages: [message], max_tokens: 0 }, 'max_tokens'],
    [{ model: 'm', messages: [message], n: 1.5 }, 'n'],
  ])('rejects %j naming %s', (body, param) => {
    const result = validateChatCompletion(body as Record<string, unknown>);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.param).toBe(param);
  });
});

describe('embeddings validation', () => {
  it.each([['text'], [['a', 'b']], [[1, 2, 3]], [[[1, 2], [3]]]])('accepts input %j', (input) => {
    expect(validateEmbeddings({ model: 'e', input }).ok).toBe(true);
  });

  it.each([[undefined], [''], [[]], [['a', '']], [[1.5]], [{ text: 'a' }]])('rejects input %j', (input) => {
    const result = validateEmbeddings({ model: 'e', input });
    expect(result).toMatchObject({ ok: false, param: 'input' });
  });

  it('rejects an unknown encoding_format', () => {
    expect(validateEmbeddings({ model: 'e', input: 'a', encoding_format: 'hex' })).toMatchObject({ ok: false, param: 'encoding_format' });
  });
});

describe('JSON body parsing', () => {
  it('rejects empty, malformed and non-object bodies', () => {
    expect(parseJsonBody(Buffer.alloc(0)).ok).toBe(false);
    expect(parseJsonBody(Buffer.from('{"model":')).ok).toBe(false);
    expect(parseJsonBody(Buffer.from('[1,2]')).ok).toBe(false);
    expect(parseJsonBody(Buffer.from('{"model":"m"}'))).toEqual({ ok: true, value: { model: 'm' } });
  });
});
