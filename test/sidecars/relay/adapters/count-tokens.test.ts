/**
 * The token-count adapters, from the request a client sends to /v1/messages/count_tokens: its
 * canonical form (countedRequest), then each provider's count request in that provider's wire
 * format (Anthropic count_tokens, Gemini countTokens, OpenAI responses/input_tokens), and the
 * count read back from each answer.
 */
import type { ChatRequest } from '../../../../lib/openai-types';
import { adaptersFor, tokenCountAdapterFor } from '../../../../sidecars/relay/adapters';
import { responsesInput } from '../../../../sidecars/relay/adapters/openai/responses-input';
import { countIn, type TokenCountAdapter, type UpstreamHttpRequest } from '../../../../sidecars/relay/adapters/types';
import { countedRequest } from '../../../../sidecars/relay/token-count/counted-request';
import { planTarget } from './adapter-helpers';

/** What Claude Code sends before a long turn: system, tools, a tool round trip, thinking. */
const COUNT_BODY = {
  model: 'smart',
  system: [{ type: 'text', text: 'You are a careful assistant.', cache_control: { type: 'ephemeral' } }],
  tools: [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
  tool_choice: { type: 'auto' },
  thinking: { type: 'enabled', budget_tokens: 2048 },
  messages: [
    { role: 'user', content: 'Open README.md' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should read it.', signature: 'sig-1' },
        { type: 'text', text: 'Reading it.' },
        { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'README.md' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: '# Title' },
        { type: 'text', text: 'Summarise it.' },
      ],
    },
  ],
};

function canonical(body: Record<string, unknown> = COUNT_BODY): ChatRequest {
  const converted = countedRequest(body);
  if (!converted.ok) throw new Error(converted.refusal.message);
  return converted.request;
}

function built(adapter: TokenCountAdapter | null, provider: 'anthropic' | 'gemini' | 'openai', baseUrl: string, model: string): UpstreamHttpRequest {
  const out = adapter?.request(planTarget(provider, baseUrl, model), canonical(), 'the-key');
  if (!out || 'status' in out) throw new Error(`not built: ${JSON.stringify(out)}`);
  return out;
}

describe('the canonical form of a count request', () => {
  it('is the Messages translation of its prompt, with no output limit and nothing but the prompt', () => {
    const request = canonical({ ...COUNT_BODY, temperature: 9, stop_sequences: 'not a list', stream: true, max_tokens: 'x' });
    // Fields a count does not read are not translated, so they cannot refuse it either.
    expect(request).not.toHaveProperty('temperature');
    expect(request).not.toHaveProperty('stop');
    expect(request.stream).toBeUndefined();
    expect(request.max_completion_tokens).toBeNull();
    expect(request.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(request.tools?.[0].function.name).toBe('read_file');
  });

  it('refuses what /v1/messages refuses, in Anthropic words', () => {
    const out = countedRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'server_tool_use', id: 'x', name: 'web_search', input: {} }] }] });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.refusal).toMatchObject({ status: 400, message: expect.stringContaining('messages.0.content.0') });
  });
});

describe('Anthropic count_tokens', () => {
  const call = built(adaptersFor('anthropic').countTokens, 'anthropic', 'https://api.anthropic.com', 'claude-sonnet-4-6');
  const body = JSON.parse(call.body) as Record<string, unknown>;

  it('posts the Messages request without the fields count_tokens refuses', () => {
    expect(call.url).toBe('https://api.anthropic.com/v1/messages/count_tokens');
    expect(call.headers).toMatchObject({ 'x-api-key': 'the-key', 'anthropic-version': '2023-06-01', accept: 'application/json' });
    expect(Object.keys(body).sort()).toEqual(['messages', 'model', 'system', 'thinking', 'tool_choice', 'tools']);
    expect(body.model).toBe('claude-sonnet-4-6');
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(body.system).toEqual([{ type: 'text', text: 'You are a careful assistant.', cache_control: { type: 'ephemeral' } }]);
  });

  it('keeps signed thinking and the tool round trip as the Messages request has them', () => {
    const messages = body.messages as Array<{ role: string; content: Array<{ type: string }> }>;
    expect(messages.map((m) => m.content.map((b) => b.type))).toEqual([['text'], ['thinking', 'text', 'tool_use'], ['tool_result', 'text']]);
  });

  it('reads input_tokens', () => {
    expect(adaptersFor('anthropic').countTokens?.inputTokens({ input_tokens: 42 })).toBe(42);
  });
});

describe('Gemini countTokens', () => {
  const call = built(adaptersFor('gemini').countTokens, 'gemini', 'https://generativelanguage.googleapis.com', 'gemini-3.5-flash');
  const body = JSON.parse(call.body) as { generateContentRequest: Record<string, unknown> };

  it('posts the generateContent request whole, so the system instruction and tools are counted too', () => {
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-3.5-flash:countTokens');
    expect(call.headers).toMatchObject({ 'x-goog-api-key': 'the-key', accept: 'application/json' });
    expect(Object.keys(body)).toEqual(['generateContentRequest']);
    const request = body.generateContentRequest;
    expect(request.model).toBe('models/gemini-3.5-flash');
    expect(Object.keys(request).sort()).toEqual(['contents', 'model', 'systemInstruction', 'toolConfig', 'tools']);
    expect(request.systemInstruction).toEqual({ parts: [{ text: 'You are a careful assistant.' }] });
  });

  it('reads totalTokens', () => {
    expect(adaptersFor('gemini').countTokens?.inputTokens({ totalTokens: 7, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 7 }] })).toBe(7);
  });
});

describe('OpenAI responses/input_tokens', () => {
  const call = built(tokenCountAdapterFor('openai'), 'openai', 'https://api.openai.com/v1', 'gpt-4o');

  it('posts a Responses request: messages as input items, tools flat', () => {
    expect(call.url).toBe('https://api.openai.com/v1/responses/input_tokens');
    expect(call.headers).toMatchObject({ authorization: 'Bearer the-key', accept: 'application/json' });
    expect(JSON.parse(call.body)).toEqual({
      model: 'gpt-4o',
      input: [
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'You are a careful assistant.' }] },
        { type: 'message', role: 'user', content: 'Open README.md' },
        { type: 'message', role: 'assistant', content: 'Reading it.' },
        { type: 'function_call', call_id: 'toolu_1', name: 'read_file', arguments: '{"path":"README.md"}' },
        { type: 'function_call_output', call_id: 'toolu_1', output: '# Title' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Summarise it.' }] },
      ],
      tools: [
        {
          type: 'function',
          name: 'read_file',
          description: 'Read a file',
          parameters: { type: 'object', properties: { path: { type: 'string' } } },
          strict: false,
        },
      ],
      tool_choice: 'auto',
    });
  });

  it('translates images, PDFs and a named tool choice', () => {
    const input = responsesInput('gpt-4o', {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' } },
          ],
        },
      ],
      tools: [{ type: 'function', function: { name: 'f', strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
    });
    expect(input).toMatchObject({
      input: [
        {
          content: [
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' },
          ],
        },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
    });
  });

  it('gives up, for the gateway to estimate, on a part the Responses API has no counterpart for', () => {
    const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] };
    expect(responsesInput('gpt-4o', request)).toBeNull();
    expect(tokenCountAdapterFor('openai')?.request(planTarget('openai', 'https://api.openai.com/v1', 'gpt-4o'), request, 'k')).toBeNull();
  });

  it('reads input_tokens', () => {
    expect(tokenCountAdapterFor('openai')?.inputTokens({ object: 'response.input_tokens', input_tokens: 11 })).toBe(11);
  });
});

describe('which targets count exactly', () => {
  it('Anthropic, Gemini and OpenAI itself; Azure and other OpenAI-compatible servers are estimated', () => {
    expect(tokenCountAdapterFor('anthropic')).not.toBeNull();
    expect(tokenCountAdapterFor('gemini')).not.toBeNull();
    expect(tokenCountAdapterFor('openai')).not.toBeNull();
    for (const provider of ['azure', 'groq', 'vllm', 'openai-compatible'] as const) expect(tokenCountAdapterFor(provider)).toBeNull();
  });
});

describe('a count read from an answer', () => {
  it.each([
    [{ input_tokens: 0 }, 0],
    [{ input_tokens: -1 }, null],
    [{ input_tokens: 1.5 }, null],
    [{ input_tokens: '12' }, null],
    [{ input_tokens: 2 ** 60 }, null],
    [{}, null],
    [null, null],
    [[12], null],
    [Object.create({ input_tokens: 5 }), null],
  ])('%j → %j', (json, expected) => {
    expect(countIn(json, 'input_tokens')).toBe(expected);
  });
});
