/**
 * What the relay gives the request log: every attempt in order (the answering one included, though
 * it records its request before it returns), the time spent on providers, the error code the
 * client got, the client's format and its trace id; and the row made of it, attributed by
 * lib/observability/error-type.ts.
 */
import type { PlanTarget } from '../../../lib/plan';
import { requestLogRowOf } from '../../../sidecars/relay/request-log-sink';
import type { UsageRecord } from '../../../sidecars/relay/usage';
import { requestId } from '../../e2e/helpers';
import type { MemoryUsageSink } from './memory-usage-sink';
import { json, startTestRelay, type TestRelay, Upstream } from './relay-harness';

let upstream: Upstream;
let testRelay: TestRelay;
let usage: MemoryUsageSink;

beforeAll(async () => {
  upstream = await Upstream.start();
  testRelay = await startTestRelay();
  usage = testRelay.usage;
});

afterAll(async () => {
  await testRelay.close();
  await upstream.close();
});

function target(model: string): PlanTarget {
  return {
    provider: 'openai',
    baseUrl: upstream.url,
    model,
    credential: 'UPSTREAM_API_KEY',
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 },
    pricing: { input: 1, output: 2 },
  };
}

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
const completion = {
  id: 'chatcmpl-up',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

async function recordOf(id: string): Promise<UsageRecord> {
  const found = usage.records.find((r) => r.requestId === id);
  if (!found) throw new Error(`no usage record for ${id}`);
  return found;
}

test('a retry then an answer: both attempts in order, the answering one ok; provider time within the duration; the trace id', async () => {
  upstream.script(json(500, { error: { message: 'boom' } }), json(200, completion));
  const id = requestId();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const res = await testRelay.send(BODY, target('a'), {
    id,
    retry: { baseDelayMs: 1, maxDelayMs: 1 },
    headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  const record = await recordOf(id);
  expect(record.attempts!.map((a) => [a.model, a.result, a.status, a.error_type])).toEqual([
    ['a', 'server', 502, 'provider'],
    ['a', 'ok', 200, null],
  ]);
  expect(record).toMatchObject({ clientFormat: 'openai', traceId, errorCode: null, cacheMiss: false });
  expect(record.providerMs).toBe(record.attempts!.reduce((s, a) => s + a.ms, 0));
  expect(record.providerMs!).toBeLessThanOrEqual(record.durationMs);
  const row = requestLogRowOf(record);
  expect(row).toMatchObject({ requestId: id, answeredBy: 'relay', status: 200, errorType: null, traceId });
  expect(row.overheadMs).toBe(record.durationMs - record.providerMs!);
});

test('every target failed: each attempt listed, the code the client got, attributed to the provider', async () => {
  upstream.script(json(503, { error: { message: 'down' } }));
  const id = requestId();
  const res = await testRelay.send(BODY, [target('a'), target('b')], { id, retry: { maxRetries: 0 }, headers: { traceparent: 'not-a-traceparent' } });
  const body = (await res.json()) as { error: { code: string | null } };
  expect(res.status).toBe(502);
  const record = await recordOf(id);
  expect(record.attempts!.map((a) => [a.model, a.status, a.error_type])).toEqual([
    ['a', 502, 'provider'],
    ['b', 502, 'provider'],
  ]);
  expect(record.traceId).toBeNull();
  expect(record.errorCode).toBe(body.error.code);
  expect(requestLogRowOf(record)).toMatchObject({
    status: 502,
    outcome: 'upstream_error',
    errorType: 'provider',
    errorCode: body.error.code,
    providerModel: 'b',
  });
});
