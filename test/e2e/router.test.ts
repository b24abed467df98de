/**
 * Model routing end to end: the official `openai`, `@anthropic-ai/sdk` and `@google/genai` clients send
 * `model: "auto"` through Kong with aigw-router on (deck/kong.yaml's router: a tool-result rule,
 * semantic routes embedded by the real inference sidecar, a difficulty score), and the provider
 * mock receives the model the router chose; the answer says which and why (`x-aigw-route`), the
 * ledger and the metrics record it.
 *
 * How it can fail: the router's name sent on to the provider (or refused as an unknown model), an
 * easy and a hard request sent to the same model, a rule or a semantic route ignored, a pinned
 * model rerouted (or paying the router's round trips), a key given a model its allow-list
 * excludes, a stopped sidecar failing the request instead of routing it to the default model, a
 * decision missing from a streamed answer, the ledger or the metrics.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { Client } from 'pg';
import { ROUTE_HEADER } from '../../lib/router/decision';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { freePortsForLater } from '../harness/stores/ports';
import { waitFor } from '../harness/wait-for';
import { loggedRequest, uniqueName, withLedgerRow } from './helpers';
import { pdkCallMeter } from './pdk-calls';

const local = localOnly('starts the inference sidecar and stops it');
const measure = pdkCallMeter();

let stack: DevStack;
let metricsUrl: string;
/** A key without a model policy (the router reads the body) and one whose allow-list excludes the strong model. */
let openKeyId: string;
let openKey: string;
let openai: OpenAI;
let anthropic: Anthropic;
let restricted: OpenAI;

const EASY = 'What is the capital of France?';
const HARD = [
  'Prove that the algorithm below is correct and derive its worst-case time complexity step by step.',
  'Then design a distributed, fault-tolerant version of it, compare the trade-offs of three consistency models,',
  'and give a formal argument for why your design cannot deadlock under network partitions.',
  '```python',
  'def merge(intervals):',
  '    intervals.sort(key=lambda i: i[0])',
  '    out = []',
  '    for start, end in intervals:',
  '        if out and start <= out[-1][1]:',
  '            out[-1][1] = max(out[-1][1], end)',
  '        else:',
  '            out.append([start, end])',
  '    return out',
  '```',
  'Constraints:',
  '- the proof must be rigorous and handle every edge case;',
  '- the analysis must cover amortised and worst-case bounds;',
  '- the distributed design must tolerate f failures among 3f+1 nodes;',
  '- explain the optimisation of each step and its complexity.',
].join('\n');
/** One of the `coding` semantic route's utterances (deck/kong.yaml). */
const CODING = 'why does this code throw a null pointer exception?';

const JSON_ROUTER = {
  name: 'auto-json',
  candidates: ['gpt-4o-mini', 'gpt-4o'],
  default_model: 'gpt-4o-mini',
  cascade: { weak_model: 'gpt-4o-mini', strong_model: 'gpt-4o', checks: [{ kind: 'json' }] },
};

/** `router=auto; model=…; route=…; reason=…` as a record. */
function routeOf(header: string | null): Record<string, string> {
  expect(header).toBeTruthy();
  return Object.fromEntries(header!.split('; ').map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
}

/** The model the provider mock received last. */
function lastProviderModel(): unknown {
  return (stack.mock.requests.at(-1)?.body as { model?: unknown } | undefined)?.model;
}

async function chat(client: OpenAI, content: string, model = 'auto'): Promise<{ route: Record<string, string> | null; content: string | null }> {
  const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse();
  const header = response.headers.get(ROUTE_HEADER);
  return { route: header === null ? null : routeOf(header), content: data.choices[0]?.message.content ?? null };
}

beforeAll(async () => {
  const [metricsPort] = await freePortsForLater(1);
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  stack = await startDevStack({
    env: {},
    inference: { env: { INFERENCE_WORKERS: '1' } },
    router: true,
    // What is tested here is what the router decides, not how fast: a loaded machine must not turn
    // an embedding into a fail-open (the deadline itself: the last test stops the sidecar).
    sourceTransform: (deck) => {
      for (const config of pluginConfigs(deck, 'aigw-router')) {
        config.embed_deadline_ms = 3000;
        // A second router: JSON work answered by the cheap model, escalated when its answer is not JSON.
        (config.routers as unknown[]).push(JSON_ROUTER);
      }
      return deck;
    },
    pluginMetricsPorts: `aigw-router=${metricsPort}`,
  });
  const open = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('router-open') });
  expect(open.status).toBe(201);
  openKeyId = open.body.id as string;
  openKey = open.body.key as string;
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: open.body.key as string, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: open.body.key as string, maxRetries: 0 });
  const cheap = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('router-cheap'), models: ['gpt-4o-mini', 'auto'] });
  expect(cheap.status).toBe(201);
  restricted = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: cheap.body.key as string, maxRetries: 0 });
  // The semantic references are embedded in the background: wait until a request finds them.
  await waitFor(async () => (await chat(openai, CODING)).route?.route === 'coding', 30_000, 'the semantic routes to be embedded');
}, 120_000);

afterAll(async () => {
  stack?.inference?.process.kill('SIGCONT');
  await stack?.close();
}, 30_000);

beforeEach(() => stack.mock.reset());

local.describe('aigw-router', () => {
  it('sends an easy and a hard request to different models, saying why, and the provider gets the model chosen', async () => {
    const easy = await chat(openai, EASY);
    expect(easy.content).toBeTruthy();
    expect(easy.route).toMatchObject({ router: 'auto', model: 'gpt-4o-mini', route: 'weak' });
    expect(easy.route!.reason).toMatch(/^difficulty:[0-9.]+<[0-9.]+$/);
    expect(lastProviderModel()).toBe('gpt-4o-mini');

    const hard = await chat(openai, HARD);
    expect(hard.route).toMatchObject({ router: 'auto', model: 'gpt-4o', route: 'strong' });
    expect(hard.route!.reason).toMatch(/^difficulty:[0-9.]+>=[0-9.]+$/);
    expect(lastProviderModel()).toBe('gpt-4o');
  });

  it('routes a tool-result step to the cheap model by rule (Anthropic client)', async () => {
    const { response } = await anthropic.messages
      .create({
        model: 'auto',
        max_tokens: 64,
        messages: [
          { role: 'user', content: HARD },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'run_tests', input: { suite: 'all' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '42 passed, 0 failed' }] },
        ],
        tools: [{ name: 'run_tests', description: 'Runs the tests', input_schema: { type: 'object', properties: { suite: { type: 'string' } } } }],
      })
      .withResponse();
    expect(routeOf(response.headers.get(ROUTE_HEADER))).toEqual({ router: 'auto', model: 'gpt-4o-mini', route: 'tool_result', reason: 'rule:tool_result' });
    expect(lastProviderModel()).toBe('gpt-4o-mini');
  });

  it('matches a semantic route with one of its examples', async () => {
    const { route } = await chat(openai, CODING);
    expect(route).toMatchObject({ router: 'auto', model: 'gpt-4o', route: 'coding' });
    expect(route!.reason).toMatch(/^semantic:0\.9\d|^semantic:1\.00$/);
    expect(lastProviderModel()).toBe('gpt-4o');
  });

  it('says why on a streamed answer too, in every client format', async () => {
    const { response: openaiStream } = await openai.chat.completions
      .create({ model: 'auto', stream: true, messages: [{ role: 'user', content: EASY }] })
      .withResponse();
    expect(routeOf(openaiStream.headers.get(ROUTE_HEADER))).toMatchObject({ router: 'auto', model: 'gpt-4o-mini' });
    for await (const _chunk of await openai.chat.completions.create({ model: 'auto', stream: true, messages: [{ role: 'user', content: EASY }] })) {
      // drained: the stream ends normally
    }
    const { response: anthropicStream } = await anthropic.messages
      .create({ model: 'auto', max_tokens: 32, stream: true, messages: [{ role: 'user', content: HARD }] })
      .withResponse();
    expect(routeOf(anthropicStream.headers.get(ROUTE_HEADER))).toMatchObject({ router: 'auto', model: 'gpt-4o', route: 'strong' });
  });

  it('routes the Responses API and Google GenAI formats too (the model in the path)', async () => {
    const { response } = await openai.responses.create({ model: 'auto', input: HARD }).withResponse();
    expect(routeOf(response.headers.get(ROUTE_HEADER))).toMatchObject({ router: 'auto', model: 'gpt-4o', route: 'strong' });
    expect(lastProviderModel()).toBe('gpt-4o');
    const genai = new GoogleGenAI({ apiKey: openKey, httpOptions: { baseUrl: stack.url } });
    const answer = await genai.models.generateContent({ model: 'auto', contents: EASY });
    expect(answer.text).toBeTruthy();
    expect(routeOf(answer.sdkHttpResponse?.headers?.[ROUTE_HEADER] ?? null)).toMatchObject({ router: 'auto', model: 'gpt-4o-mini', route: 'weak' });
    expect(lastProviderModel()).toBe('gpt-4o-mini');
  });

  it('runs a cascade the router decided: an invalid JSON answer from the cheap model escalates to the strong one', async () => {
    stack.mock.enqueue({ content: 'Sure! here it is: {"a":' }, { content: '{"a":1}' });
    const { data, response } = await openai.chat.completions
      .create({ model: 'auto-json', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'JSON please' }] })
      .withResponse();
    expect(routeOf(response.headers.get(ROUTE_HEADER))).toEqual({ router: 'auto-json', model: 'gpt-4o-mini', route: 'cascade', reason: 'cascade' });
    expect(response.headers.get('x-aigw-cascade')).toBe('escalated; check=json');
    expect(data.choices[0]?.message.content).toBe('{"a":1}');
    expect(stack.mock.requests.map((r) => (r.body as { model?: unknown }).model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });

  it('leaves a pinned model alone, for one PDK call', async () => {
    const pinned = await chat(restricted, HARD, 'gpt-4o-mini');
    expect(pinned.route).toBeNull();
    expect(lastProviderModel()).toBe('gpt-4o-mini');
    // The key plugin read the model (the key has an allow-list): the router only reads the identity.
    const calls = await measure(() => chat(restricted, EASY, 'gpt-4o-mini'));
    const router = calls.phases.filter((phase) => phase.plugin === 'aigw-router');
    expect(router.map(({ plugin, phase, methods }) => ({ plugin, phase, methods }))).toEqual([
      { plugin: 'aigw-router', phase: 'access', methods: ['kong.ctx.shared.get'] },
    ]);
  });

  it("never gives a key a model its allow-list excludes, and refuses a key that may use no candidate in its client's shape", async () => {
    for (const content of [HARD, CODING]) {
      const { route } = await chat(restricted, content);
      expect(route).toMatchObject({ router: 'auto', model: 'gpt-4o-mini', route: 'allowlist' });
      expect(lastProviderModel()).toBe('gpt-4o-mini');
    }
    const none = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('router-none'), models: ['auto'] });
    const refused = await new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: none.body.key as string, maxRetries: 0 }).chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: EASY }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((refused as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('model_not_allowed');
    expect(stack.mock.requests).toHaveLength(2);
  });

  it('lists the router with the models, for keys that may use it', async () => {
    const openaiIds = [];
    for await (const model of openai.models.list()) openaiIds.push(model.id);
    expect(openaiIds).toEqual(expect.arrayContaining(['auto', 'gpt-4o-mini', 'gpt-4o']));
    const anthropicIds = [];
    for await (const model of anthropic.models.list()) anthropicIds.push(model.id);
    expect(anthropicIds).toContain('auto');
    expect((await openai.models.retrieve('auto')).id).toBe('auto');
    const cheapOnly = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('router-unlisted'), models: ['gpt-4o-mini'] });
    const unlisted = [];
    for await (const model of new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: cheapOnly.body.key as string, maxRetries: 0 }).models.list())
      unlisted.push(model.id);
    expect(unlisted).toEqual(['gpt-4o-mini']);
  });

  it('records the decision in the ledger, the request log and the metrics', async () => {
    const { response } = await openai.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: EASY }] }).withResponse();
    const logged = await loggedRequest(stack, response.headers.get('x-kong-request-id')!, withLedgerRow);
    expect(logged).toMatchObject({ model: 'auto', provider_model: 'gpt-4o-mini', route: { router: 'auto', route: 'weak' } });
    const db = new Client({ connectionString: stack.stores.databaseUrl });
    await db.connect();
    try {
      await waitFor(
        async () => {
          const { rows } = await db.query("SELECT count(*)::int AS n FROM aigw_spend_ledger WHERE key_id = $1 AND router = 'auto' AND route = 'weak'", [
            openKeyId,
          ]);
          return rows[0].n > 0;
        },
        5000,
        'ledger rows with the route',
      );
      const { rows } = await db.query(
        'SELECT model, provider_model, router, route, route_reason FROM aigw_spend_ledger WHERE key_id = $1 AND route = $2 LIMIT 1',
        [openKeyId, 'coding'],
      );
      expect(rows[0]).toMatchObject({ model: 'auto', provider_model: 'gpt-4o', router: 'auto', route: 'coding' });
      expect(rows[0].route_reason).toMatch(/^semantic:/);
    } finally {
      await db.end();
    }
    const plugin = await (await fetch(metricsUrl)).text();
    expect(plugin).toMatch(/aigw_router_decisions_total\{router="auto",route="weak",reason_kind="difficulty",model="gpt-4o-mini"\} [1-9]/);
    expect(plugin).toMatch(/aigw_router_decisions_total\{router="auto",route="tool_result",reason_kind="rule",model="gpt-4o-mini"\} [1-9]/);
    expect(plugin).toMatch(/aigw_router_decision_seconds_count\{router="auto"\} [1-9]/);
    const relay = await (await fetch(`${stack.relay.url}/metrics`)).text();
    expect(relay).toMatch(/aigw_router_requests_total\{router="auto",route="coding",model="gpt-4o"\} [1-9]/);
  });

  it('fails open with the inference sidecar stopped: the default model, a fallback reason, counted', async () => {
    stack.inference!.process.kill('SIGSTOP');
    try {
      const { route, content } = await chat(openai, CODING);
      expect(content).toBeTruthy();
      expect(route).toEqual({ router: 'auto', model: 'gpt-4o-mini', route: 'default', reason: 'fallback:embedder_unavailable' });
      expect(lastProviderModel()).toBe('gpt-4o-mini');
    } finally {
      stack.inference!.process.kill('SIGCONT');
    }
    const plugin = await (await fetch(metricsUrl)).text();
    expect(plugin).toMatch(/aigw_router_fail_open_total\{router="auto",stage="embedder_unavailable"\} [1-9]/);
    expect(plugin).toMatch(/aigw_router_decisions_total\{router="auto",route="default",reason_kind="fallback",model="gpt-4o-mini"\} [1-9]/);
  });
});
