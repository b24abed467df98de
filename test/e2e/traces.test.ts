/**
 * Traces through the whole gateway: tracing on in every plugin server and the relay, exporting
 * OTLP/HTTP JSON to a collector in the test. One chat request with the client's traceparent must
 * come back as one trace: aigw-virtual-key's span under the client's, aigw-proxy's under it, the
 * relay's server span under aigw-proxy's, the upstream attempt under the relay's, with the GenAI
 * attributes of what the mock answered, and no prompt or completion text unless content tracing
 * is switched on.
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { type OtlpSink, type ReceivedSpan, startOtlpSink } from '../harness/otlp/otlp-sink';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

interface Traced {
  stack: DevStack;
  sink: OtlpSink;
  openai: OpenAI;
}

async function startTraced(extraEnv: Record<string, string> = {}): Promise<Traced> {
  const sink = await startOtlpSink();
  const stack = await startDevStack({
    env: {},
    tracingEnv: { AIGW_TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_BSP_SCHEDULE_DELAY: '50', ...extraEnv },
  });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('traces') });
  if (created.status !== 201) throw new Error(`key creation answered ${created.status}: ${JSON.stringify(created.body)}`);
  const openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: created.body.key as string, maxRetries: 0 });
  return { stack, sink, openai };
}

function newTraceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

/** The trace's spans once the relay's attempts (`attempts` of them) and both plugins' spans have arrived. */
async function traceOf(sink: OtlpSink, traceId: string, attempts: number): Promise<ReceivedSpan[]> {
  return waitFor(
    () => {
      const spans = sink.spans.filter((s) => s.traceId === traceId);
      const names = new Set(spans.map((s) => s.name));
      const attemptSpans = spans.filter((s) => s.kind === 3); // CLIENT
      const server = spans.find((s) => s.kind === 2 && s.attributes['gen_ai.usage.input_tokens'] !== undefined);
      return names.has('aigw-virtual-key') && names.has('aigw-proxy') && server && attemptSpans.length >= attempts ? spans : undefined;
    },
    15_000,
    `the trace ${traceId} with ${attempts} attempt span(s)`,
  );
}

function only(spans: ReceivedSpan[], predicate: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}: ${JSON.stringify(spans.map((s) => s.name))}`);
  return found[0]!;
}

const local = localOnly("the test collector and the stack environment are this machine's");

const ask = (content: string) => ({ model: 'smart', max_tokens: 100, messages: [{ role: 'user' as const, content }] });

local.describe('traces (content off, the default)', () => {
  let traced: Traced;

  beforeAll(async () => {
    traced = await startTraced();
  }, 120_000);

  afterAll(async () => {
    await traced?.stack.close();
    await traced?.sink.close();
  });

  beforeEach(() => traced.stack.mock.reset());

  it("continues the client's trace from the first plugin to the upstream attempt, with the GenAI attributes", async () => {
    const client = newTraceparent();
    const prompt = `trace-prompt-${randomBytes(6).toString('hex')}`;
    const { data } = await traced.openai.chat.completions.create(ask(prompt), { headers: { traceparent: client.header } }).withResponse();
    const spans = await traceOf(traced.sink, client.traceId, 1);

    // Every span of the request is in the client's trace: nothing started a trace of its own.
    expect(spans.every((s) => s.traceId === client.traceId)).toBe(true);
    const key = only(spans, (s) => s.name === 'aigw-virtual-key', 'key plugin span');
    const proxy = only(spans, (s) => s.name === 'aigw-proxy', 'proxy plugin span');
    const server = only(spans, (s) => s.kind === 2, 'relay server span');
    const attempt = only(spans, (s) => s.kind === 3, 'attempt span');
    expect(key.parentSpanId).toBe(client.spanId);
    expect(proxy.parentSpanId).toBe(key.spanId);
    expect(server.parentSpanId).toBe(proxy.spanId);
    expect(attempt.parentSpanId).toBe(server.spanId);
    // Decisions are children of their plugin's span.
    expect(spans.filter((s) => s.parentSpanId === key.spanId).map((s) => s.name)).toEqual(expect.arrayContaining(['auth', 'limits']));
    expect(spans.filter((s) => s.parentSpanId === proxy.spanId).map((s) => s.name)).toEqual(expect.arrayContaining(['routing']));
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['aigw-virtual-key', 'aigw-proxy', 'aigw-relay']));

    // What the mock answered (the client got it through the gateway) is what the spans say.
    const usage = data.usage!;
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-6',
      'gen_ai.response.model': 'claude-sonnet-4-6',
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'aigw.attempt.result': 'ok',
      'aigw.target.position': 0,
    });
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'smart',
      'gen_ai.response.model': 'claude-sonnet-4-6',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'gen_ai.usage.cache_read.input_tokens': usage.prompt_tokens_details?.cached_tokens ?? 0,
      'http.response.status_code': 200,
    });
    expect(server.attributes['aigw.cost_usd']).toBeCloseTo((usage as { cost?: number }).cost ?? Number.NaN, 9);
    expect(server.attributes['error.type']).toBeUndefined();

    // By default no text of the conversation is exported, anywhere.
    const completion = data.choices[0]!.message.content!;
    expect(completion.length).toBeGreaterThan(0);
    const exported = traced.sink.bodies.join('\n');
    expect(exported).not.toContain(prompt);
    expect(exported).not.toContain(completion);
  });

  it('shows a failover as two attempt spans, the failed one with its error.type', async () => {
    // A context-window overflow on Claude: failed over at once to GPT-4o.
    traced.stack.mock.enqueue({ status: 400 });
    const client = newTraceparent();
    await traced.openai.chat.completions.create(ask('hello'), { headers: { traceparent: client.header } });
    const spans = await traceOf(traced.sink, client.traceId, 2);
    const server = only(spans, (s) => s.kind === 2, 'relay server span');
    const attempts = spans
      .filter((s) => s.kind === 3)
      .sort((a, b) => Number(a.attributes['aigw.attempt.number']) - Number(b.attributes['aigw.attempt.number']));
    expect(attempts).toHaveLength(2);
    expect(attempts.every((s) => s.parentSpanId === server.spanId)).toBe(true);
    expect(attempts[0]!.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'aigw.target.position': 0,
      'error.type': 'caller',
      'aigw.attempt.result': 'context_window',
    });
    expect(attempts[0]!.status.code).toBe(2);
    expect(attempts[1]!.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'aigw.target.position': 1,
      'aigw.failover': true,
      'aigw.attempt.result': 'ok',
    });
    expect(server.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'aigw.attempts': 2 });
  });

  it('puts a refusal on the plugin that refused it, attributed', async () => {
    const client = newTraceparent();
    await expect(
      new OpenAI({ baseURL: `${traced.stack.url}/v1`, apiKey: 'sk-not-a-key', maxRetries: 0 }).chat.completions.create(ask('hi'), {
        headers: { traceparent: client.header },
      }),
    ).rejects.toMatchObject({ status: 401 });
    const key = await waitFor(() => traced.sink.spans.find((s) => s.traceId === client.traceId && s.name === 'aigw-virtual-key'), 15_000);
    expect(key.attributes).toMatchObject({ 'error.type': 'caller', 'http.response.status_code': 401, 'aigw.error.code': 'invalid_api_key' });
  });
});

local.describe('traces with AIGW_TRACE_CONTENT=on', () => {
  let traced: Traced;

  beforeAll(async () => {
    traced = await startTraced({ AIGW_TRACE_CONTENT: 'on' });
  }, 120_000);

  afterAll(async () => {
    await traced?.stack.close();
    await traced?.sink.close();
  });

  it('exports the prompt and the completion on the relay span', async () => {
    const client = newTraceparent();
    const prompt = `trace-prompt-${randomBytes(6).toString('hex')}`;
    const data = await traced.openai.chat.completions.create(ask(prompt), { headers: { traceparent: client.header } });
    const spans = await traceOf(traced.sink, client.traceId, 1);
    const server = only(spans, (s) => s.kind === 2, 'relay server span');
    expect(String(server.attributes['gen_ai.input.messages'])).toContain(prompt);
    expect(String(server.attributes['gen_ai.output.messages'])).toContain(data.choices[0]!.message.content!);
  });
});
