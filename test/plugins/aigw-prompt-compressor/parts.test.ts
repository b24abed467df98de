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

/**
 * The Responses body (`/v1/responses`) under the chat rules: the latest turn only (after the
 * model's last message, function call or reasoning item), user text and function outputs by
 * role, instructions and system/developer messages never, the question kept word for word.
 */
describe('which text may change (OpenAI Responses)', () => {
  test('a string input is the one user message: its question is kept and writing goes back to `input`', () => {
    const body: Record<string, unknown> = { model: 'm', instructions: 'Be terse.', input: 'Long context.\n\nWhat is it?' };
    const selection = selectText('responses', body, BOTH);
    expect(texts(selection)).toEqual([['auto:Long context.', 'keep:\n\nWhat is it?']]);
    expect(selection.question).toBe('What is it?');
    selection.slots[0]!.write('Short.\n\nWhat is it?');
    expect(body).toEqual({ model: 'm', instructions: 'Be terse.', input: 'Short.\n\nWhat is it?' });
  });

  test('only the items after the model’s last one; system, developer and assistant items never change', () => {
    const body = {
      input: [
        { role: 'developer', content: 'rules' },
        { role: 'user', content: 'old question' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'old answer' }] },
        { role: 'system', content: 'late system text' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'context part' },
            { type: 'input_image', image_url: 'data:…' },
            { type: 'input_text', text: 'New context.\n\nWhich one?' },
          ],
        },
      ],
    };
    const selection = selectText('responses', body, BOTH);
    expect(texts(selection)).toEqual([['auto:context part'], ['auto:New context.', 'keep:\n\nWhich one?']]);
    expect(selection.question).toBe('Which one?');
  });

  test('function outputs after the function call are the latest turn: a string or input_text parts, by the tool role', () => {
    const body = {
      input: [
        { role: 'user', content: 'List the files.' },
        { type: 'reasoning', summary: [] },
        { type: 'function_call', call_id: 'c1', name: 'ls', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'cat', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '[{"name":"a"}]' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'file body' }] },
      ],
    };
    const selection = selectText('responses', body, BOTH);
    expect(texts(selection)).toEqual([['auto:[{"name":"a"}]'], ['auto:file body']]);
    // No user text in the latest turn: the last user message of the conversation is the question, untouched.
    expect(selection.question).toBe('List the files.');
    expect(selectText('responses', body, new Set<CompressibleRole>(['user'])).slots).toEqual([]);
  });

  test('a client’s markers work in Responses text too', () => {
    const body = { input: [{ role: 'user', content: 'a <aigw:compress>long part</aigw:compress>\n\nq?' }] };
    expect(texts(selectText('responses', body, new Set<CompressibleRole>(['tool'])))).toEqual([['auto:a ', 'force:long part', 'keep:\n\nq?']]);
  });

  test('hostile shapes are left alone, never thrown on', () => {
    for (const body of [
      {},
      { input: 5 },
      { input: { role: 'user', content: 'x' } },
      { input: [null, 1, 'x', { role: 'user', content: 5 }, { role: 'user', content: [null, { type: 'input_text', text: 7 }] }] },
      {
        input: [
          { type: 'function_call_output', output: { text: 'x' } },
          { type: 'unknown', role: 'user', content: 'x' },
        ],
      },
    ]) {
      expect(selectText('responses', body as Record<string, unknown>, BOTH).slots).toEqual([]);
    }
  });
});

/**
 * The Google GenAI body (`:generateContent`) under the chat rules: the contents after the last
 * `model` content, user text parts and function responses by role, systemInstruction and thought
 * parts never, a tool error never, and a function response that stays an object when written.
 */
describe('which text may change (Google GenAI)', () => {
  test('only the contents after the last model content; systemInstruction and thought parts never change', () => {
    const body = {
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'old question' }] },
        { role: 'model', parts: [{ text: 'old answer' }] },
        { parts: [{ text: 'a thought', thought: true }, { text: 'New context.\n\nWhich one?' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
      ],
    };
    const selection = selectText('google', body, BOTH);
    expect(texts(selection)).toEqual([['auto:New context.', 'keep:\n\nWhich one?']]);
    expect(selection.question).toBe('Which one?');
  });

  test('function responses are tool results, one per top-level field; a response holding `error` never changes', () => {
    const rows = [{ name: 'a' }, { name: 'b' }];
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'Find the bug.' }] },
        { role: 'model', parts: [{ functionCall: { name: 'ls', args: {} } }, { functionCall: { name: 'cat', args: {} } }] },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'ls', response: { result: rows, count: 2, note: '' } } },
            { functionResponse: { name: 'cat', response: { output: 'file body' } } },
            { functionResponse: { name: 'grep', response: { error: 'no such file', output: 'partial' } } },
          ],
        },
        { role: 'function', parts: [{ functionResponse: { name: 'tail', response: { output: 'log line' } } }] },
      ],
    };
    const selection = selectText('google', body, BOTH);
    expect(texts(selection)).toEqual([[`auto:${JSON.stringify(rows)}`], ['auto:file body'], ['auto:log line']]);
    // No user text in the latest turn: the last user text of the conversation is the question, untouched.
    expect(selection.question).toBe('Find the bug.');
  });

  test('a rewritten field is the data it parses to, or text; an unchanged one keeps its value', () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ id: i, name: `n${i}` }));
    const response: Record<string, unknown> = { rows, table: [1, 2], same: { a: 1 } };
    const body = { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response } }] }] };
    const [rowsSlot, tableSlot, sameSlot] = selectText('google', body, BOTH).slots;
    rowsSlot!.write('[{"id":0,"name":"n0"}]');
    tableSlot!.write('id|name\n0|n0');
    sameSlot!.write(JSON.stringify({ a: 1 }));
    expect(response).toEqual({ rows: [{ id: 0, name: 'n0' }], table: 'id|name\n0|n0', same: { a: 1 } });
  });

  test('roles: user only leaves function responses alone', () => {
    const body = {
      contents: [{ parts: [{ text: 'question?' }, { functionResponse: { name: 'f', response: { output: 'data' } } }] }],
    };
    expect(texts(selectText('google', body, new Set<CompressibleRole>(['user'])))).toEqual([['keep:question?']]);
  });

  test('hostile shapes are left alone, never thrown on', () => {
    for (const body of [
      {},
      { contents: 'x' },
      { contents: [null, 1, { parts: 'x' }, { parts: [null, { text: 7 }, { functionResponse: 'x' }, { functionResponse: { response: [1] } }] }] },
      { contents: [{ parts: [{ functionResponse: { name: 'f', response: { a: null, b: 3, c: true } } }] }] },
    ]) {
      expect(selectText('google', body as Record<string, unknown>, BOTH).slots).toEqual([]);
    }
  });
});
