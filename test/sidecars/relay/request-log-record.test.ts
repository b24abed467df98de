/**
 * What the relay gives the request log: every attempt in order (the answering one included, though
 * it records its request before it returns), the time spent on providers, the error code the
 * client got, the client's format and its trace id; and the row made of it, attributed by
 * lib/observability/error-type.ts; the guardrail actions (the request's from the plan, the answer's
 * marked `response:`) and the template, in the record, the request-log row and the ledger row.
 */
import type { Logger } from '../../../lib/log';
import type { PlanTarget, RoutePlan } from '../../../lib/plan';
import type { LedgerRow } from '../../../lib/store/ledger';
import type { LedgerWriter } from '../../../lib/store/ledger-writer';
import { RelayBilling } from '../../../sidecars/relay/billing';
import { requestLogRowOf } from '../../../sidecars/relay/request-log-sink';
import type { UsageRecord } from '../../../sidecars/relay/usage';
import { requestId } from '../../e2e/helpers';
import { waitFor } from '../../harness/wait-for';
import type { MemoryUsageSink } from './memory-usage-sink';
import { json, sse, startTestRelay, type TestRelay, Upstream } from './relay-harness';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

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

describe('guardrail actions and the template', () => {
  const LEAKED = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
  const template = { name: 'support', version: 3, hash: 'a'.repeat(64) };
  const leaking = { ...completion, choices: [{ ...completion.choices[0]!, message: { role: 'assistant', content: `use ${LEAKED}`, refusal: null } }] };

  test('the request’s actions from the plan, then the answer’s marked `response:`, reach the record, the request-log row and the ledger row', async () => {
    upstream.script(json(200, leaking));
    const id = requestId();
    const guardrails = { actions: ['pii:redact', 'secrets:monitor'], response: { action: 'redact' as const, pii: null, secrets: { highEntropy: false } } };
    const res = await testRelay.send(BODY, target('a'), { id, plan: { guardrails, template } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).not.toContain(LEAKED);
    const record = await recordOf(id);
    expect(record).toMatchObject({ guardrailActions: 'pii:redact,secrets:monitor,response:secrets:redact', templateName: 'support', templateVersion: 3 });
    expect(requestLogRowOf(record)).toMatchObject({ guardrailActions: record.guardrailActions, templateName: 'support', templateVersion: 3 });

    const written: LedgerRow[] = [];
    const ledger = { write: (row: LedgerRow) => written.push(row) } as unknown as LedgerWriter;
    const plan = { requestId: id, template, billing: { keyId: 'k', teamId: null, userId: null } } as unknown as RoutePlan;
    new RelayBilling(null, null, ledger, quiet).recordLedger(record, plan);
    expect(written).toEqual([expect.objectContaining({ guardrailActions: record.guardrailActions, templateName: 'support', templateVersion: 3 })]);
  });

  test('a streamed answer stopped by a block: `response:secrets:block`; nothing acted: null', async () => {
    const chunk = (content: string) =>
      JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    upstream.script(sse([chunk('Here: '), chunk(LEAKED), chunk(' done'), '[DONE]']));
    const id = requestId();
    const guardrails = { response: { action: 'block' as const, pii: null, secrets: { highEntropy: false } } };
    const res = await testRelay.send(JSON.stringify({ ...JSON.parse(BODY), stream: true }), target('a'), { id, plan: { guardrails } });
    expect(await res.text()).not.toContain(LEAKED);
    const record = await waitFor(() => usage.records.find((r) => r.requestId === id), 5000, 'the stream’s record');
    expect(record).toMatchObject({ outcome: 'guardrail_blocked', guardrailActions: 'response:secrets:block', templateName: null });

    upstream.script(json(200, completion));
    const plain = requestId();
    await (await testRelay.send(BODY, target('a'), { id: plain })).arrayBuffer();
    expect(requestLogRowOf(await recordOf(plain))).toMatchObject({ guardrailActions: null, templateName: null, templateVersion: null });
  });
});

test('the wall clock stepping back mid-request leaves the duration whole: provider time never exceeds it', async () => {
  const realNow = Date.now.bind(Date);
  // The provider takes 60 ms, and meanwhile the wall clock is set back 40 ms (NTP, a VM resumed).
  upstream.script((res, seen) => {
    setTimeout(() => {
      const stepped = realNow() - 40;
      jest.spyOn(Date, 'now').mockImplementation(() => stepped);
      json(200, completion)(res, seen);
    }, 60);
  });
  const id = requestId();
  try {
    const res = await testRelay.send(BODY, target('a'), { id });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  } finally {
    jest.restoreAllMocks();
  }
  const record = await recordOf(id);
  expect(record.providerMs!).toBeGreaterThanOrEqual(50);
  expect(record.durationMs).toBeGreaterThanOrEqual(record.providerMs!);
});
