import { cacheKeyOf, canonicalJson, keyOf, namespaceOf, normaliseQuery } from '../../../lib/semantic-cache/scope';

const chat = (over: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  temperature: 0.2,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'How do I rotate a key?' },
  ],
  ...over,
});

describe('cache scope and key', () => {
  test("a prompt template's hash is part of the scope; without one the scope is what it always was", () => {
    const { messages, ...fields } = chat();
    const request = { format: 'openai' as const, messages, fields };
    const plain = keyOf(request, 'team:t1', 'gpt-4o-mini')!;
    const one = keyOf(request, 'team:t1', 'gpt-4o-mini', 'a'.repeat(64))!;
    const other = keyOf(request, 'team:t1', 'gpt-4o-mini', 'b'.repeat(64))!;
    expect(plain.scopeId).toBe(cacheKeyOf('openai', chat(), 'team:t1', 'gpt-4o-mini')!.scopeId);
    expect(new Set([plain.scopeId, one.scopeId, other.scopeId]).size).toBe(3);
    expect(one.exactHash).toBe(other.exactHash);
  });

  test('the same question in another key order, with other whitespace, streamed or not: one scope, one key', () => {
    const a = cacheKeyOf('openai', chat(), 'team:t1', 'gpt-4o-mini')!;
    const b = cacheKeyOf(
      'openai',
      {
        messages: [
          { content: 'Be brief.', role: 'system' },
          { role: 'user', content: '  How do I\n rotate a key? ' },
        ],
        temperature: 0.2,
        model: 'x',
        stream: true,
        user: 'u1',
      },
      'team:t1',
      'gpt-4o-mini',
    )!;
    expect(b.scopeId).toBe(a.scopeId);
    expect(b.exactHash).toBe(a.exactHash);
    expect(a.query).toBe('How do I rotate a key?');
  });

  test.each([
    ['another team', (k: typeof cacheKeyOf) => k('openai', chat(), 'team:t2', 'gpt-4o-mini')],
    ['another model', (k: typeof cacheKeyOf) => k('openai', chat(), 'team:t1', 'gpt-4o')],
    [
      'another system prompt',
      (k: typeof cacheKeyOf) =>
        k(
          'openai',
          chat({
            messages: [
              { role: 'system', content: 'Be long.' },
              { role: 'user', content: 'How do I rotate a key?' },
            ],
          }),
          'team:t1',
          'gpt-4o-mini',
        ),
    ],
    ['another temperature', (k: typeof cacheKeyOf) => k('openai', chat({ temperature: 0.9 }), 'team:t1', 'gpt-4o-mini')],
    ['tools', (k: typeof cacheKeyOf) => k('openai', chat({ tools: [{ type: 'function', function: { name: 'f' } }] }), 'team:t1', 'gpt-4o-mini')],
    ['max_tokens', (k: typeof cacheKeyOf) => k('openai', chat({ max_tokens: 10 }), 'team:t1', 'gpt-4o-mini')],
    ['the client format', (k: typeof cacheKeyOf) => k('anthropic', chat(), 'team:t1', 'gpt-4o-mini')],
  ])('%s is another scope', (_name, other) => {
    const base = cacheKeyOf('openai', chat(), 'team:t1', 'gpt-4o-mini')!;
    expect(other(cacheKeyOf)!.scopeId).not.toBe(base.scopeId);
  });

  test('not cacheable: a last message that is not user text, an image, n > 1, empty text', () => {
    expect(
      cacheKeyOf(
        'openai',
        chat({
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: 'prefill' },
          ],
        }),
        'team:t',
        'm',
      ),
    ).toBeNull();
    expect(cacheKeyOf('openai', chat({ messages: [{ role: 'tool', tool_call_id: 'x', content: '{}' }] }), 'team:t', 'm')).toBeNull();
    expect(cacheKeyOf('openai', chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), 'team:t', 'm')).toBeNull();
    expect(cacheKeyOf('openai', chat({ n: 2 }), 'team:t', 'm')).toBeNull();
    expect(cacheKeyOf('openai', chat({ messages: [{ role: 'user', content: '   ' }] }), 'team:t', 'm')).toBeNull();
    expect(cacheKeyOf('openai', { messages: 'x' }, 'team:t', 'm')).toBeNull();
  });

  test('namespaces: team by default, never empty', () => {
    const ids = { teamId: 't', keyId: 'k', consumerId: 'c' };
    expect(namespaceOf('team', ids)).toBe('team:t');
    expect(namespaceOf('key', ids)).toBe('key:k');
    expect(namespaceOf('consumer', ids)).toBe('consumer:c');
    expect(namespaceOf('global', ids)).toBe('global');
    // A key without a team is its own tenant; nothing identified, no namespace.
    expect(namespaceOf('team', { ...ids, teamId: null })).toBe('key:k');
    expect(namespaceOf('team', { teamId: null, keyId: null, consumerId: null })).toBeNull();
  });

  test('canonical JSON sorts keys at every depth; normalising is whitespace only', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
    expect(normaliseQuery('\tA  b\n')).toBe('A b');
  });
});
