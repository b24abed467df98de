/**
 * Reasoning strategies end to end, through the official SDKs: `bon-`, `sc-` and `moa-` requests
 * return one answer, streamed and not, built from the right number of inner calls (counted at
 * the mock provider), each billed as its own ledger row linked to the client's request, the sum
 * never above what aigw-proxy reserved; a failed candidate is skipped; a failed aggregator falls
 * back to a candidate; a strategy the route or the key does not allow is refused in the client's
 * shape.
 *
 * How it can fail: one inner call per request (the strategy ignored), the answer of the wrong
 * candidate, usage of the last call instead of the sum, rows without their parent, a cost above
 * the reservation, a failed candidate failing the whole request.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Client } from 'pg';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import { type RoutePlan, sha256Hex, signPlan } from '../../lib/plan';
import { catalogPrice } from '../../lib/pricing';
import type { CascadeCheck } from '../../lib/router/decision';
import type { StrategyPlan } from '../../lib/strategy/plan';
import { strategyWorstCase } from '../../plugins/aigw-proxy/multi-call';
import type { MockScript } from '../harness/mock-provider';
import { MOCK_CREDENTIAL } from '../harness/stack/deck-for-dev';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { MINI_TARGET, usdStringToNano } from './billing-helpers';
import { readChatStream, requestId, target } from './helpers';

let stack: DevStack;
let openai: OpenAI;
let anthropic: Anthropic;
let keyId: string;

const GPT4O_TARGET = { ...MINI_TARGET, model: 'gpt-4o', pricing: catalogPrice('gpt-4o') };

function withStrategies(deck: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(deck);
  const parsed = JSON.parse(text) as { services: Array<{ plugins?: Array<{ name: string; config: Record<string, unknown> }> }> };
  for (const service of parsed.services)
    for (const plugin of service.plugins ?? [])
      if (plugin.name === 'aigw-proxy')
        plugin.config.strategies = {
          allowed: ['bon', 'sc', 'moa', 're2'],
          max_n: 4,
          default_n: 3,
          judge_model: 'gpt-4o-mini',
          aggregator_model: 'gpt-4o',
          proposer_models: [],
          concurrency: 3,
        };
  return parsed as unknown as Record<string, unknown>;
}

beforeAll(async () => {
  stack = await startDevStack({ env: {}, sourceTransform: withStrategies });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: 'strategies', max_budget: 5 });
  expect(created.status).toBe(201);
  keyId = created.body.id as string;
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: created.body.key as string, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: created.body.key as string, maxRetries: 0 });
}, 90_000);

afterAll(async () => {
  await stack?.close();
}, 30_000);

beforeEach(() => stack.mock.reset());

interface Row {
  request_id: string;
  parent_request_id: string | null;
  strategy: string | null;
  strategy_role: string | null;
  model: string;
  cost_nano: number | null;
  status: number;
  completion_tokens: number;
  prompt_tokens: number;
}

async function rowsOf(parent: string, count: number): Promise<Row[]> {
  const client = new Client({ connectionString: stack.stores.databaseUrl });
  await client.connect();
  try {
    const until = Date.now() + 5000;
    for (;;) {
      const { rows } = await client.query('SELECT * FROM aigw_spend_ledger WHERE parent_request_id = $1 OR request_id = $1 ORDER BY request_id', [parent]);
      if (rows.length >= count || Date.now() > until) {
        return rows.map((r: Record<string, unknown>) => ({ ...(r as unknown as Row), cost_nano: r.cost_nano === null ? null : Number(r.cost_nano) }));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.end();
  }
}

const totalCost = (rows: Row[]): number => rows.reduce((sum, r) => sum + (r.cost_nano ?? 0), 0);
const chatCalls = (): number => stack.mock.requests.filter((r) => r.method === 'POST' && r.path.includes('chat/completions')).length;
const body = { max_tokens: 50, messages: [{ role: 'user' as const, content: 'What is 2 + 3?' }] };

function reservation(plan: Omit<StrategyPlan, 'concurrency'>): number {
  const worst = strategyWorstCase({ ...plan, concurrency: 3 }, { body: { model: 'x', ...body }, endpoint: 'chat.completions' });
  if (typeof worst !== 'number') throw new Error(`no bound: ${worst}`);
  return worst;
}

test('bon-3 (OpenAI, not streamed): 3 candidates and a judge, the judge’s pick, 4 linked ledger rows within the reservation', async () => {
  const answers = ['Five.', 'It is 5, because 2 + 3 = 5.', 'Answer: 5'];
  stack.mock.enqueue(...answers.map((content): MockScript => ({ content })), { content: '2' });
  const { data, response } = await openai.chat.completions.create({ model: 'bon-3-gpt-4o-mini', ...body }).withResponse();
  expect(response.headers.get('x-aigw-strategy')).toBe('name=bon; n=3; chosen=2');
  expect(answers).toContain(data.choices[0].message.content);
  expect(chatCalls()).toBe(4);
  const requestId = response.headers.get('x-kong-request-id')!;
  const rows = await rowsOf(requestId, 4);
  expect(rows.map((r) => r.strategy_role).sort()).toEqual(['candidate', 'candidate', 'candidate', 'judge']);
  expect(rows.every((r) => r.parent_request_id === requestId && r.strategy === 'bon' && r.request_id.startsWith(`${requestId}:`))).toBe(true);
  // The answer's usage is every call's, and its cost the rows' sum.
  expect(data.usage!.completion_tokens).toBe(rows.reduce((s, r) => s + r.completion_tokens, 0));
  expect(usdStringToNano(response.headers.get('x-gateway-cost')!)).toBe(totalCost(rows));
  const base = { model: 'gpt-4o-mini', targets: [MINI_TARGET] };
  expect(totalCost(rows)).toBeLessThanOrEqual(reservation({ name: 'bon', n: 3, base, judge: base }));
}, 30_000);

test('sc-3 (Anthropic, streamed): the majority answer, streamed in Anthropic’s events, usage the sum of 3 samples', async () => {
  stack.mock.enqueue({ content: 'Answer: 6' }, { content: 'I get 5.\nAnswer: 5' }, { content: 'So the answer is 5' });
  const stream = anthropic.messages.stream({ model: 'sc-3-gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'What is 2 + 3?' }] });
  const message = await stream.finalMessage();
  const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  expect(text).toMatch(/5/);
  expect(text).not.toMatch(/6/);
  expect(chatCalls()).toBe(3);
  const requestId = (await stream.withResponse()).response.headers.get('x-kong-request-id')!;
  const rows = await rowsOf(requestId, 3);
  expect(rows).toHaveLength(3);
  expect(message.usage.output_tokens).toBe(rows.reduce((s, r) => s + r.completion_tokens, 0));
}, 30_000);

test('moa (OpenAI, streamed): 3 proposals, the aggregator’s answer streamed; every call billed', async () => {
  stack.mock.enqueue({ content: 'p1' }, { content: 'p2' }, { content: 'p3' }, { content: 'The synthesis: 5.' });
  const { data: stream, response } = await openai.chat.completions
    .create({ model: 'moa-gpt-4o-mini', stream: true, stream_options: { include_usage: true }, ...body })
    .withResponse();
  const { text, usage } = await readChatStream(stream);
  expect(text).toBe('The synthesis: 5.');
  expect(response.headers.get('x-aigw-strategy')).toBe('name=moa; n=3; chosen=aggregator');
  expect(chatCalls()).toBe(4);
  const rows = await rowsOf(response.headers.get('x-kong-request-id')!, 4);
  expect(rows.map((r) => `${r.strategy_role}:${r.model}`).sort()).toEqual([
    'aggregator:gpt-4o',
    'proposer:gpt-4o-mini',
    'proposer:gpt-4o-mini',
    'proposer:gpt-4o-mini',
  ]);
  expect(usage!.completion_tokens).toBe(rows.reduce((s, r) => s + r.completion_tokens, 0));
  const mini = { model: 'gpt-4o-mini', targets: [MINI_TARGET] };
  const plan = { name: 'moa' as const, n: 3, base: mini, proposers: [mini, mini, mini], aggregator: { model: 'gpt-4o', targets: [GPT4O_TARGET] } };
  expect(totalCost(rows)).toBeLessThanOrEqual(reservation(plan));
}, 30_000);

test('bon-3 (OpenAI, streamed): the judge’s pick replayed as chunks, usage the sum of 4 calls', async () => {
  const answers = ['Five.', 'It is 5, because 2 + 3 = 5.', 'Answer: 5'];
  stack.mock.enqueue(...answers.map((content): MockScript => ({ content })), { content: '2' });
  const { data: stream, response } = await openai.chat.completions
    .create({ model: 'bon-3-gpt-4o-mini', stream: true, stream_options: { include_usage: true }, ...body })
    .withResponse();
  const { text, usage } = await readChatStream(stream);
  expect(text).toBe(answers[1]);
  expect(response.headers.get('x-aigw-strategy')).toBe('name=bon; n=3; chosen=2');
  expect(chatCalls()).toBe(4);
  // No inner call streams: the candidates are read whole before one is chosen.
  expect(stack.mock.requests.every((r) => (r.body as { stream?: unknown } | undefined)?.stream !== true)).toBe(true);
  const rows = await rowsOf(response.headers.get('x-kong-request-id')!, 4);
  expect(usage!.completion_tokens).toBe(rows.reduce((s, r) => s + r.completion_tokens, 0));
}, 30_000);

test('sc-3 (OpenAI, not streamed): the majority of 3 samples, each billed', async () => {
  stack.mock.enqueue({ content: 'Answer: 6' }, { content: 'I get 5.\nAnswer: 5' }, { content: 'So the answer is 5' });
  const { data, response } = await openai.chat.completions.create({ model: 'sc-3-gpt-4o-mini', ...body }).withResponse();
  expect(data.choices[0].message.content).toMatch(/5/);
  expect(data.choices[0].message.content).not.toMatch(/6/);
  expect(chatCalls()).toBe(3);
  const rows = await rowsOf(response.headers.get('x-kong-request-id')!, 3);
  expect(rows.map((r) => r.strategy_role)).toEqual(['candidate', 'candidate', 'candidate']);
  expect(data.usage!.completion_tokens).toBe(rows.reduce((s, r) => s + r.completion_tokens, 0));
}, 30_000);

test('re2 by the aigw_strategy field: one call that reads the question twice; the field never reaches the provider', async () => {
  stack.mock.enqueue({ content: '5' });
  const request = { model: 'gpt-4o-mini', ...body, aigw_strategy: { name: 're2' } } as OpenAI.ChatCompletionCreateParamsNonStreaming;
  const { data, response } = await openai.chat.completions.create(request).withResponse();
  expect(data.choices[0].message.content).toBe('5');
  expect(response.headers.get('x-aigw-strategy')).toMatch(/^name=re2; n=1/);
  expect(chatCalls()).toBe(1);
  const sent = stack.mock.requests.find((r) => r.path.includes('chat/completions'))!.body as Record<string, unknown>;
  expect(sent).not.toHaveProperty('aigw_strategy');
  const prompt = JSON.stringify(sent.messages);
  expect(prompt.split('What is 2 + 3?')).toHaveLength(3);
  expect(prompt).toContain('Read the question again');
}, 30_000);

test('a failed candidate is skipped; a failed aggregator falls back to a proposal', async () => {
  stack.mock.enqueue({ status: 400 }, { content: 'only one' }, { content: 'and two' }, { content: '1' });
  const bon = await openai.chat.completions.create({ model: 'bon-3-gpt-4o-mini', ...body }).withResponse();
  expect(bon.response.status).toBe(200);
  const bonRows = await rowsOf(bon.response.headers.get('x-kong-request-id')!, 4);
  expect(bonRows.filter((r) => r.status === 400)).toHaveLength(1);
  expect(['only one', 'and two']).toContain(bon.data.choices[0].message.content);

  stack.mock.reset();
  // Enough failures for the aggregator's retries: it never answers.
  stack.mock.enqueue({ content: 'proposal A' }, { content: 'proposal B, longer' }, { content: 'C' }, ...Array.from({ length: 6 }, () => ({ status: 500 })));
  const moa = await openai.chat.completions.create({ model: 'moa-gpt-4o-mini', ...body }).withResponse();
  expect(moa.data.choices[0].message.content).toBe('proposal B, longer');
  expect(moa.response.headers.get('x-aigw-strategy')).toMatch(/^name=moa; n=3; chosen=\d$/);
}, 30_000);

test('every candidate failing: the provider’s error, as today', async () => {
  stack.mock.enqueue(...Array.from({ length: 3 }, () => ({ status: 400 })));
  const error = await openai.chat.completions.create({ model: 'sc-3-gpt-4o-mini', ...body }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
});

test('a strategy the route does not serve is a 400; one the key may not use a 403; a model outside the key’s list a 403', async () => {
  const route = await openai.chat.completions.create({ model: 'plan-gpt-4o-mini', ...body }).catch((e: unknown) => e);
  expect(route).toBeInstanceOf(OpenAI.BadRequestError);
  expect((route as InstanceType<typeof OpenAI.APIError>).code).toBe('strategy_not_allowed');
  const tooMany = await openai.chat.completions.create({ model: 'bon-99-gpt-4o-mini', ...body }).catch((e: unknown) => e);
  expect(tooMany).toBeInstanceOf(OpenAI.BadRequestError);

  const limited = await stack.admin('POST', '/admin/keys', { key_alias: 'sc-only', metadata: { strategies: ['sc'] }, models: ['gpt-4o-mini'] });
  const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: limited.body.key as string, maxRetries: 0 });
  const key = await client.chat.completions.create({ model: 'bon-gpt-4o-mini', ...body }).catch((e: unknown) => e);
  expect(key).toBeInstanceOf(OpenAI.PermissionDeniedError);
  expect((key as InstanceType<typeof OpenAI.APIError>).code).toBe('strategy_not_allowed');
  const anthropicClient = new Anthropic({ baseURL: stack.url, apiKey: limited.body.key as string, maxRetries: 0 });
  const model = await anthropicClient.messages
    .create({ model: 'sc-gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    .catch((e: unknown) => e);
  expect(model).toBeInstanceOf(Anthropic.PermissionDeniedError);
  expect(chatCalls()).toBe(0);
  expect(keyId).toBeTruthy();
});

describe('cascade (a router decision signed into the plan, sent to the relay as aigw-proxy would)', () => {
  function cascadeHeaders(body: string, checks: CascadeCheck[]): { headers: Record<string, string>; id: string } {
    const id = requestId();
    const weak = { ...target(stack.mock.baseUrls.openai, MOCK_CREDENTIAL), model: 'gpt-4o-mini' };
    const strong = { ...weak, model: 'gpt-4o' };
    const plan: RoutePlan = {
      v: 1,
      requestId: id,
      endpoint: 'chat.completions',
      model: 'gpt-4o-mini',
      targets: [weak],
      bodySha256: sha256Hex(body),
      expiresAt: Date.now() + 30_000,
      route: { router: 'auto', model: 'gpt-4o-mini', route: 'weak', reason: 'test', cascade: { escalate_to: 'gpt-4o', checks } },
      cascade: { strong: { model: 'gpt-4o', targets: [strong] }, checks },
    };
    const signed = signPlan(plan, stack.planSecret);
    return {
      id,
      headers: { 'content-type': 'application/json', [PLAN_HEADER]: signed.plan, [PLAN_SIGNATURE_HEADER]: signed.signature, [REQUEST_ID_HEADER]: id },
    };
  }

  async function ask(scripts: MockScript[], checks: CascadeCheck[]) {
    stack.mock.reset();
    stack.mock.enqueue(...scripts);
    const body = JSON.stringify({
      model: 'auto',
      max_tokens: 50,
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: 'JSON please' }],
    });
    const { headers } = cascadeHeaders(body, checks);
    const res = await fetch(`${stack.relay.url}/v1/chat/completions`, { method: 'POST', body, headers });
    const json = (await res.json()) as OpenAI.ChatCompletion;
    const models = stack.mock.requests.filter((r) => r.path.includes('chat/completions')).map((r) => (r.body as { model: string }).model);
    return { res, json, models };
  }

  test('escalates on an invalid JSON answer to the strong model', async () => {
    const { res, json, models } = await ask([{ content: 'Sure! here it is: {"a":' }, { content: '{"a":1}' }], [{ kind: 'json' }, { kind: 'no_refusal' }]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-aigw-cascade')).toBe('escalated; check=json');
    expect(json.choices[0].message.content).toBe('{"a":1}');
    expect(models).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });

  test('accepts a valid JSON answer from the cheap model: one call', async () => {
    const { res, json, models } = await ask([{ content: '{"a":1}' }], [{ kind: 'json' }, { kind: 'no_refusal' }]);
    expect(res.headers.get('x-aigw-cascade')).toBe('accepted; check=json,no_refusal');
    expect(json.choices[0].message.content).toBe('{"a":1}');
    expect(models).toEqual(['gpt-4o-mini']);
  });

  test('a refusal escalates', async () => {
    const { res } = await ask([{ content: "I'm sorry, I can't do that." }, { content: 'ok' }], [{ kind: 'no_refusal' }]);
    expect(res.headers.get('x-aigw-cascade')).toBe('escalated; check=no_refusal');
  });
});
