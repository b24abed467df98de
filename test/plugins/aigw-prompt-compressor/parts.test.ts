import { type CompressibleRole, selectText } from '../../../plugins/aigw-prompt-compressor/parts';

const BOTH: ReadonlySet<CompressibleRole> = new Set(['user', 'tool']);
const LONG = 'Background paragraph one.\n\nBackground paragraph two.';
const texts = (selection: ReturnType<typeof selectText>): string[][] => selection.slots.map((s) => s.pieces.map((p) => `${p.mode}:${p.text}`));

describe('which text may change (OpenAI chat)', () => {
  test('only the latest turn: earlier user turns, system and assistant stay', () => {
    const body = {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'old question' },
        { role: 'assistant', content: 'old answer' },
        { role: 'user', content: `${LONG}\n\nWhat is two?` },
      ],
    };
    const selection = selectText('openai', body, BOTH);
    expect(texts(selection)).toEqual([['auto:Background paragraph one.\n\nBackground paragraph two.', 'keep:\n\nWhat is two?']]);
    expect(selection.question).toBe('What is two?');
  });

  test('tool results after the assistant tool call are the latest turn; images never become text slots', () => {
    const body = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Find the bug' },
            { type: 'image_url', image_url: { url: 'data:…' } },
          ],
        },
        { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'ls', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't1', content: '[{"name":"a"},{"name":"b"}]' },
      ],
    };
    const selection = selectText('openai', body, BOTH);
    expect(texts(selection)).toEqual([['auto:[{"name":"a"},{"name":"b"}]']]);
    // No user text in the latest turn: the last user string of the conversation is not a string here.
    expect(selection.question).toBe('');
  });

  test('a cache_control breakpoint freezes its message and everything before it', () => {
    const body = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'cached doc', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'fresh text' },
      ],
    };
    expect(texts(selectText('openai', body, BOTH))).toEqual([['keep:fresh text']]);
  });

  test('roles: tool only leaves user text, unless a client forces a range', () => {
    const body = { messages: [{ role: 'user', content: 'a <aigw:compress>long part</aigw:compress>\n\nq?' }] };
    const selection = selectText('openai', body, new Set<CompressibleRole>(['tool']));
    expect(texts(selection)).toEqual([['auto:a ', 'force:long part', 'keep:\n\nq?']]);
    expect(selectText('openai', { messages: [{ role: 'user', content: 'plain' }] }, new Set<CompressibleRole>(['tool'])).slots).toEqual([]);
  });

  test('hostile shapes are left alone, never thrown on', () => {
    for (const body of [
      {},
      { messages: 'x' },
      { messages: [null, 1, 'x', { role: 'user', content: 5 }, { role: 'user', content: [null, { type: 'text', text: 7 }] }] },
    ]) {
      expect(selectText('openai', body as Record<string, unknown>, BOTH).slots).toEqual([]);
    }
  });
});

describe('which text may change (Anthropic messages)', () => {
  test('tool_result blocks are tool text; error results and the system prompt never change', () => {
    const body = {
      system: [{ type: 'text', text: 'system', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'task' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'u1', name: 'read', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'u1', content: 'file body' },
            { type: 'tool_result', tool_use_id: 'u2', is_error: true, content: 'stack' },
            {
              type: 'tool_result',
              tool_use_id: 'u3',
              content: [
                { type: 'text', text: 'listing' },
                { type: 'image', source: {} },
              ],
            },
          ],
        },
      ],
    };
    const selection = selectText('anthropic', body, BOTH);
    expect(texts(selection)).toEqual([['auto:file body'], ['auto:listing']]);
    expect(selection.question).toBe('task');
  });

  test('a breakpoint inside a tool result freezes that message', () => {
    const body = {
      messages: [
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'u', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }] },
      ],
    };
    expect(selectText('anthropic', body, BOTH).slots).toEqual([]);
  });

  test('writing a slot changes only that text in the body', () => {
    const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'long context\n\nquestion?' }] }] };
    const [slot] = selectText('anthropic', body, BOTH).slots;
    slot!.write('short\n\nquestion?');
    expect(body).toEqual({ messages: [{ role: 'user', content: [{ type: 'text', text: 'short\n\nquestion?' }] }] });
  });
});
