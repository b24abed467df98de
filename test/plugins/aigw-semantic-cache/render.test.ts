import type { CachedAnswer } from '../../../lib/semantic-cache/types';
import { renderHit } from '../../../plugins/aigw-semantic-cache/render';

const answer: CachedAnswer = {
  completion: {
    id: 'chatcmpl-old',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Rotate it with aigw keys rotate.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  },
  promptTokens: 30,
  completionTokens: 8,
  costNano: 12_000,
};
const request = { requestId: 'r1', now: 1_800_000_000_000, query: '' };
/** A chat body streamed or not; OpenAI's usage chunk only when asked for. */
const chatBody = (stream: boolean, includeUsage = true) => ({ stream, ...(stream ? { stream_options: { include_usage: includeUsage } } : {}) });
const render = (a: CachedAnswer, path: string, body: Record<string, unknown>, query = '') => renderHit(a, { ...request, path, body, query })!;
const events = (body: string) => body.split('\n\n').filter(Boolean);

describe('a hit in the client format', () => {
  test('OpenAI JSON: a new id, the original tokens, cost 0', () => {
    const hit = render(answer, '/v1/chat/completions', chatBody(false));
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({
      id: 'chatcmpl-r1',
      created: 1_800_000_000,
      choices: [{ message: { content: 'Rotate it with aigw keys rotate.' }, finish_reason: 'stop' }],
    });
    expect(body.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 8, total_tokens: 38, cost: 0 });
  });

  test('OpenAI SSE: content, finish, the usage chunk when asked, [DONE]', () => {
    const hit = render(answer, '/v1/chat/completions', chatBody(true));
    expect(hit.headers['content-type']).toContain('text/event-stream');
    const data = events(hit.body).map((e) => e.replace(/^data: /, ''));
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Rotate it with aigw keys rotate.');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 8, cost: 0 });
    const quiet = render(answer, '/v1/chat/completions', chatBody(true, false));
    expect(quiet.body).not.toContain('"usage"');
  });

  test('Anthropic JSON and SSE', () => {
    const json = JSON.parse(render(answer, '/v1/messages', chatBody(false)).body);
    expect(json).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Rotate it with aigw keys rotate.' }],
      stop_reason: 'end_turn',
    });
    expect(json.usage).toMatchObject({ input_tokens: 30, output_tokens: 8 });
    const sse = render(answer, '/v1/messages', chatBody(true)).body;
    const types = events(sse).map((e) => /^event: (\S+)/.exec(e)?.[1]);
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    // message_start shows the answer's own prompt tokens, as message_delta does (not 0).
    const data = events(sse).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)));
    expect(data[0].message.usage).toMatchObject({ input_tokens: 30 });
    expect(data.at(-2).usage).toMatchObject({ input_tokens: 30, output_tokens: 8 });
  });

  test('signed thinking streams as the fresh answer streamed it: the signature reaches the client', () => {
    const message = {
      role: 'assistant',
      content: 'Rotate it.',
      refusal: null,
      reasoning_content: 'Keys rotate.',
      thinking_blocks: [{ type: 'thinking', thinking: 'Keys rotate.', signature: 'EqQBsig' }],
    };
    const thinking: CachedAnswer = { ...answer, completion: { ...answer.completion, choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop' }] } };
    const data = events(render(thinking, '/v1/messages', chatBody(true)).body).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)));
    expect(data).toContainEqual({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBsig' } });
    expect(data.filter((e) => e.delta?.type === 'thinking_delta').map((e) => e.delta.thinking)).toEqual(['Keys rotate.']);
    const openai = events(render(thinking, '/v1/chat/completions', chatBody(true)).body);
    expect(openai.map((e) => e.replace(/^data: /, '')).find((d) => d.includes('thinking_blocks'))).toContain('"signature":"EqQBsig"');
  });

  test('Responses JSON: a response object with the request settings echoed, the original tokens, cost 0', () => {
    const hit = render(answer, '/v1/responses', { model: 'gpt-4o-mini', input: 'q', instructions: 'Be brief.', temperature: 0.2 });
    expect(hit.stream).toBe(false);
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({
      id: 'resp_r1',
      object: 'response',
      status: 'completed',
      instructions: 'Be brief.',
      temperature: 0.2,
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Rotate it with aigw keys rotate.' }] }],
    });
    expect(body.usage).toMatchObject({ input_tokens: 30, output_tokens: 8, total_tokens: 38, cost: 0 });
  });

  test('Responses SSE: the event sequence, its text, response.completed with usage', () => {
    const hit = render(answer, '/v1/responses', { model: 'gpt-4o-mini', input: 'q', stream: true });
    expect(hit.stream).toBe(true);
    expect(hit.headers['content-type']).toContain('text/event-stream');
    const data = events(hit.body).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)));
    expect(data[0].type).toBe('response.created');
    expect(
      data
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => e.delta)
        .join(''),
    ).toBe('Rotate it with aigw keys rotate.');
    expect(data.at(-1)).toMatchObject({
      type: 'response.completed',
      response: { id: 'resp_r1', status: 'completed', usage: { input_tokens: 30, output_tokens: 8, cost: 0 } },
    });
  });

  test("Google JSON: a GenerateContentResponse; streamed only from :streamGenerateContent's path", () => {
    const hit = render(answer, '/v1beta/models/gemini-3.5-flash:generateContent', { contents: [], stream: true });
    expect(hit.stream).toBe(false); // a body's `stream` means nothing to Google's format
    expect(JSON.parse(hit.body)).toMatchObject({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Rotate it with aigw keys rotate.' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 8, totalTokenCount: 38 },
      responseId: 'r1',
    });
  });

  test('Google SSE with alt=sse; without it the hit is not served (the relay refuses that request)', () => {
    const path = '/v1beta/models/gemini-3.5-flash:streamGenerateContent';
    const hit = render(answer, path, { contents: [] }, 'alt=sse');
    expect(hit.stream).toBe(true);
    const data = events(hit.body).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(data.map((d) => d.candidates?.[0]?.content?.parts?.[0]?.text ?? '').join('')).toBe('Rotate it with aigw keys rotate.');
    expect(data.at(-1)).toMatchObject({ usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 8 } });
    expect(renderHit(answer, { ...request, path, body: { contents: [] }, query: '' })).toBeNull();
  });
});
