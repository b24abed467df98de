/** OpenAI's own Responses answer read back into the canonical completion the cache stores, and rendered again as the client had it. */
import { chatCompletionToResponse, responseEcho } from '../../../../sidecars/relay/client-formats/responses';
import { responseToCompletion } from '../../../../sidecars/relay/responses/canonical-answer';

const response = (output: unknown[], status = 'completed') => ({
  id: 'resp_up',
  object: 'response',
  created_at: 7,
  status,
  model: 'gpt-4o-mini-2024-07-18',
  output,
});
const message = (text: string) => ({
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text, annotations: [] }],
});

describe('responseToCompletion', () => {
  test('text, reasoning summaries and function calls; finish by what it holds', () => {
    const text = responseToCompletion(response([{ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Think.' }] }, message('Hi.')]))!;
    expect(text.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'Hi.', reasoning_content: 'Think.' }, finish_reason: 'stop' });
    expect(text.model).toBe('gpt-4o-mini-2024-07-18');
    const call = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' };
    const calls = responseToCompletion(response([call]))!;
    expect(calls.choices[0]).toMatchObject({
      message: { content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      finish_reason: 'tool_calls',
    });
  });

  test('encrypted reasoning without a summary is left out', () => {
    const completion = responseToCompletion(response([{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'x' }, message('Hi.')]))!;
    expect(completion.choices[0]!.message).not.toHaveProperty('reasoning_content');
  });

  test('nothing to replay: incomplete or failed, a refusal, a built-in tool call, no output', () => {
    expect(responseToCompletion(response([message('Hi')], 'incomplete'))).toBeNull();
    expect(responseToCompletion(response([message('Hi')], 'failed'))).toBeNull();
    const refusal = { ...message(''), content: [{ type: 'refusal', refusal: 'No.' }] };
    expect(responseToCompletion(response([refusal]))).toBeNull();
    expect(responseToCompletion(response([{ type: 'web_search_call', id: 'ws_1', status: 'completed' }, message('Hi')]))).toBeNull();
    expect(responseToCompletion(null)).toBeNull();
    expect(responseToCompletion({ status: 'completed' })).toBeNull();
  });

  test('rendered again, the client reads the same output', () => {
    const completion = responseToCompletion(response([message('Rotate it.')]))!;
    const again = chatCompletionToResponse(completion, { requestId: 'r2', model: completion.model, createdAt: 9, echo: responseEcho({}) }, null, null, 10);
    expect(again.output).toMatchObject([{ type: 'message', content: [{ type: 'output_text', text: 'Rotate it.' }] }]);
    expect(again.status).toBe('completed');
  });
});
