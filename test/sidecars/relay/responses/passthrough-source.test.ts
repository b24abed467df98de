/**
 * An OpenAI Responses stream passed through to a /v1/responses client: events byte for byte,
 * held until the first delta, usage (with the gateway's cost) and the final response read from
 * response.completed, a continuation's previous_response_id named in every response object,
 * failures reported. Fed whole and cut at every byte boundary.
 */
import { SseParser } from '../../../../lib/sse';
import { responsesPassthroughSource } from '../../../../sidecars/relay/responses/passthrough-source';
import type { SourceOutput, StreamSource } from '../../../../sidecars/relay/stream-engine';
import type { TokenUsage } from '../../../../sidecars/relay/usage';

const shell = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'resp_abc',
  object: 'response',
  created_at: 1_760_000_000,
  status,
  model: 'gpt-4o-mini-2024-07-18',
  output: [],
  previous_response_id: null,
  usage: null,
  ...extra,
});

const ev = (type: string, sequence: number, payload: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...payload })}\n\n`;

const message = {
  id: 'msg_1',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hi there' }],
};
const usage = {
  input_tokens: 11,
  input_tokens_details: { cached_tokens: 2 },
  output_tokens: 3,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 14,
};

const TRANSCRIPT = [
  ev('response.created', 0, { response: shell('in_progress') }),
  ev('response.in_progress', 1, { response: shell('in_progress') }),
  ev('response.output_item.added', 2, { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
  ev('response.content_part.added', 3, {
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
  }),
  ev('response.output_text.delta', 4, { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', logprobs: [] }),
  ev('response.output_text.delta', 5, { item_id: 'msg_1', output_index: 0, content_index: 0, delta: ' there', logprobs: [] }),
  ev('response.output_text.done', 6, { item_id: 'msg_1', output_index: 0, content_index: 0, text: 'Hi there', logprobs: [] }),
  ev('response.output_item.done', 7, { output_index: 0, item: message }),
  ev('response.completed', 8, { response: shell('completed', { output: [message], usage }) }),
].join('');

interface Collected {
  text: string;
  usage: TokenUsage | null;
  contentAt: number | null;
  done: boolean;
  error?: string;
}

/** Feeds the transcript in pieces and renders what the engine would write (usage items at $0.25). */
function feed(source: StreamSource, pieces: string[]): Collected {
  const out: Collected = { text: '', usage: null, contentAt: null, done: false };
  const take = (step: SourceOutput, at: number): void => {
    for (const item of step.items) {
      if (item.type === 'text') out.text += item.text;
      else if (item.type === 'usage') {
        out.usage = item.usage;
        out.text += item.render(0.25);
      } else out.text += item.render({ promptTokens: 0, completionTokens: 0, totalTokens: 0, cachedTokens: 0, reasoningTokens: 0 }, null);
    }
    if (step.content && out.contentAt === null) out.contentAt = at;
    out.done ||= step.done;
    if (step.error) out.error = step.error.message;
  };
  let at = 0;
  for (const piece of pieces) take(source.push(new TextEncoder().encode(piece)), (at += piece.length));
  take(source.end(), at);
  return out;
}

function events(text: string): Array<Record<string, unknown>> {
  return new SseParser().push(text).map((e) => JSON.parse(e.data!) as Record<string, unknown>);
}

describe('responsesPassthroughSource', () => {
  it('passes every event through byte for byte, adds the cost to the final usage and reads usage and the answer', () => {
    const source = responsesPassthroughSource();
    const out = feed(source, [TRANSCRIPT]);
    const completedAt = TRANSCRIPT.indexOf('event: response.completed');
    expect(out.text.slice(0, completedAt)).toBe(TRANSCRIPT.slice(0, completedAt));
    expect(events(out.text).at(-1)).toEqual({
      type: 'response.completed',
      sequence_number: 8,
      response: shell('completed', { output: [message], usage: { ...usage, cost: 0.25 } }),
    });
    expect(out.usage).toEqual({ promptTokens: 11, completionTokens: 3, totalTokens: 14, cachedTokens: 2, reasoningTokens: 0 });
    expect(out.done).toBe(true);
    expect(source.answer?.()).toMatchObject({ output: [message] });
    expect(source.generatedText()).toBe('Hi there');
  });

  it('gives the same result cut at every byte boundary, and holds until the first delta', () => {
    const whole = feed(responsesPassthroughSource(), [TRANSCRIPT]);
    const firstDelta = TRANSCRIPT.indexOf('event: response.output_text.delta');
    const deltaEnd = TRANSCRIPT.indexOf('\n\n', firstDelta) + 2;
    for (let cut = 1; cut < TRANSCRIPT.length; cut++) {
      const out = feed(responsesPassthroughSource(), [TRANSCRIPT.slice(0, cut), TRANSCRIPT.slice(cut)]);
      expect(out.text).toBe(whole.text);
      expect(out.usage).toEqual(whole.usage);
      // Content is signalled by the piece that completes the first delta event, never before it.
      expect(out.contentAt).toBe(cut >= deltaEnd ? cut : TRANSCRIPT.length);
    }
  });

  it("names the gateway's previous_response_id in every response object of a continuation", () => {
    const out = feed(responsesPassthroughSource('resp_gateway_1'), [TRANSCRIPT]);
    const withResponses = events(out.text).filter((e) => e.response);
    expect(withResponses.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.completed']);
    for (const e of withResponses) expect((e.response as { previous_response_id: string }).previous_response_id).toBe('resp_gateway_1');
  });

  it('reports response.failed and error events as failures', () => {
    const failed = ev('response.failed', 2, { response: shell('failed', { error: { code: 'server_error', message: 'The model failed.' } }) });
    expect(feed(responsesPassthroughSource(), [TRANSCRIPT.slice(0, TRANSCRIPT.indexOf('event: response.output_item')), failed]).error).toBe(
      'The model failed.',
    );
    const error = ev('error', 2, { code: 'rate_limit_exceeded', message: 'Slow down.', param: null });
    expect(feed(responsesPassthroughSource(), [error]).error).toBe('Slow down.');
  });
});
