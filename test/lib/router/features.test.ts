/** requestFeatures reads the same conversation alike in the four formats, and never throws on hostile bodies. */
import { LAST_USER_TEXT_CHARS, requestFeatures } from '../../../lib/router/features';
import { CONTEXT } from './helpers';

describe('requestFeatures', () => {
  it('reads an OpenAI chat request: tools, images, JSON mode, depth, the last user text', () => {
    const features = requestFeatures(
      {
        model: 'auto',
        response_format: { type: 'json_object' },
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'first question' },
          { role: 'assistant', content: 'first answer' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is in this picture?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
      },
      'openai',
      { ...CONTEXT, stream: true },
    );
    expect(features).toMatchObject({
      hasTools: true,
      hasImages: true,
      jsonMode: true,
      depth: 3,
      lastRole: 'user',
      lastUserText: 'what is in this picture?',
      stream: true,
      hasCode: false,
    });
    expect(features.promptTokens).toBeGreaterThan(765);
  });

  it('calls a tool result the last role, in every format', () => {
    const openai = requestFeatures(
      {
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', tool_calls: [] },
          { role: 'tool', tool_call_id: 'a', content: '{"t": 1}' },
        ],
      },
      'openai',
      CONTEXT,
    );
    const anthropic = requestFeatures(
      {
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'w', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: '{"t": 1}' }] },
        ],
      },
      'anthropic',
      CONTEXT,
    );
    const responses = requestFeatures(
      {
        input: [
          { role: 'user', content: 'weather?' },
          { type: 'function_call', call_id: 'a', name: 'w', arguments: '{}' },
          { type: 'function_call_output', call_id: 'a', output: '{"t": 1}' },
        ],
      },
      'responses',
      CONTEXT,
    );
    const google = requestFeatures(
      {
        contents: [
          { role: 'user', parts: [{ text: 'weather?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'w', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'w', response: { t: 1 } } }] },
        ],
      },
      'google',
      CONTEXT,
    );
    for (const features of [openai, anthropic, responses, google]) expect(features).toMatchObject({ lastRole: 'tool', depth: 3, lastUserText: 'weather?' });
  });

  it('reads JSON mode, tools and images in each format', () => {
    expect(requestFeatures({ messages: [], output_config: { format: { type: 'json_schema', schema: {} } } }, 'anthropic', CONTEXT).jsonMode).toBe(true);
    expect(requestFeatures({ input: 'hi', text: { format: { type: 'json_schema' } } }, 'responses', CONTEXT)).toMatchObject({
      jsonMode: true,
      lastRole: 'user',
      depth: 1,
    });
    const google = requestFeatures(
      {
        contents: [{ role: 'user', parts: [{ text: 'describe' }, { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } }] }],
        tools: [{ functionDeclarations: [{ name: 'f' }] }],
        generationConfig: { responseMimeType: 'application/json' },
      },
      'google',
      CONTEXT,
    );
    expect(google).toMatchObject({ jsonMode: true, hasTools: true, hasImages: true, lastUserText: 'describe' });
    expect(requestFeatures({ messages: [{ role: 'user', content: [{ type: 'image', source: {} }] }] }, 'anthropic', CONTEXT).hasImages).toBe(true);
  });

  it('finds code in a fence or in source-like lines, not in prose', () => {
    const text = (content: string) => requestFeatures({ messages: [{ role: 'user', content }] }, 'openai', CONTEXT).hasCode;
    expect(text('look:\n```\nx\n```')).toBe(true);
    expect(text('def f(x):\n    return x\nimport os\nclass A:\n  pass')).toBe(true);
    expect(text('I like apples. They are tasty; really.\nAnd pears.')).toBe(false);
  });

  it('keeps the start and end of a long last user text, bounded', () => {
    const long = `START ${'word '.repeat(10_000)} END`;
    const features = requestFeatures({ messages: [{ role: 'user', content: long }] }, 'openai', CONTEXT);
    expect(features.lastUserText.length).toBeLessThanOrEqual(LAST_USER_TEXT_CHARS + 1);
    expect(features.lastUserText.startsWith('START')).toBe(true);
    expect(features.lastUserText.endsWith('END')).toBe(true);
  });

  it('gives neutral features for hostile bodies instead of throwing', () => {
    const hostile = [
      null,
      7,
      'text',
      [],
      { messages: 'x' },
      { messages: [null, 3, { role: 5, content: { a: 1 } }] },
      { input: [null, 'x'] },
      { contents: [{ parts: 'x' }] },
    ];
    for (const format of ['openai', 'anthropic', 'responses', 'google'] as const) {
      for (const body of hostile) {
        const features = requestFeatures(body, format, CONTEXT);
        expect(typeof features.promptTokens).toBe('number');
        expect(typeof features.lastUserText).toBe('string');
      }
    }
  });

  it('stays linear on a pathological body (many messages, a long line of semicolons)', () => {
    const messages = Array.from({ length: 20_000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${';'.repeat(50)}${' '.repeat(50)}x` }));
    const started = performance.now();
    const features = requestFeatures({ messages }, 'openai', CONTEXT);
    expect(features.depth).toBe(20_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
