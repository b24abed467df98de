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
const request = { requestId: 'r1', now: 1_800_000_000_000, wantsUsage: true };
const events = (body: string) => body.split('\n\n').filter(Boolean);

describe('a hit in the client format', () => {
  test('OpenAI JSON: a new id, the original tokens, cost 0', () => {
    const hit = renderHit(answer, { ...request, path: '/v1/chat/completions', stream: false });
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({
      id: 'chatcmpl-r1',
      created: 1_800_000_000,
      choices: [{ message: { content: 'Rotate it with aigw keys rotate.' }, finish_reason: 'stop' }],
    });
    expect(body.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 8, total_tokens: 38, cost: 0 });
  });

  test('OpenAI SSE: content, finish, the usage chunk when asked, [DONE]', () => {
    const hit = renderHit(answer, { ...request, path: '/v1/chat/completions', stream: true });
    expect(hit.headers['content-type']).toContain('text/event-stream');
    const data = events(hit.body).map((e) => e.replace(/^data: /, ''));
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Rotate it with aigw keys rotate.');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 8, cost: 0 });
    const quiet = renderHit(answer, { ...request, wantsUsage: false, path: '/v1/chat/completions', stream: true });
    expect(quiet.body).not.toContain('"usage"');
  });

  test('Anthropic JSON and SSE', () => {
    const json = JSON.parse(renderHit(answer, { ...request, path: '/v1/messages', stream: false }).body);
    expect(json).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Rotate it with aigw keys rotate.' }],
      stop_reason: 'end_turn',
    });
    expect(json.usage).toMatchObject({ input_tokens: 30, output_tokens: 8 });
    const sse = renderHit(answer, { ...request, path: '/v1/messages', stream: true }).body;
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
    const data = events(renderHit(thinking, { ...request, path: '/v1/messages', stream: true }).body).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)));
    expect(data).toContainEqual({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBsig' } });
    expect(data.filter((e) => e.delta?.type === 'thinking_delta').map((e) => e.delta.thinking)).toEqual(['Keys rotate.']);
    const openai = events(renderHit(thinking, { ...request, path: '/v1/chat/completions', stream: true }).body);
    expect(openai.map((e) => e.replace(/^data: /, '')).find((d) => d.includes('thinking_blocks'))).toContain('"signature":"EqQBsig"');
  });
});
