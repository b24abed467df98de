/**
 * Prompt templates end to end, with the official SDKs: a template with a partial and two versions
 * created through the control API; requests by version and by label (OpenAI's `prompt` object on
 * chat and on Anthropic messages, Kong's `{template://name}`) reach the mock fully rendered; a
 * label moved on one node is seen by a second node (two stacks sharing the stores) within a
 * second; bad variables are 400s naming them; unknown templates and labels 404s; a templates-only
 * route refuses a raw prompt; the ledger names template and version; the cache scope differs.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Client } from 'pg';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, type SharedStores, startDevStack, startSharedStores } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

const local = localOnly('starts two gateway nodes with aigw-prompt-template on');

let stores: SharedStores | undefined;
let a: DevStack;
let b: DevStack;
let key: string;
let keyId: string;
let openai: OpenAI;
let anthropic: Anthropic;

const TONE = uniqueName('tone');
const SUPPORT = uniqueName('support');
const system = (version: 1 | 2) => `Be brief. You help ACME customers${version === 2 ? ' kindly' : ''}.`;
const definition = (version: 1 | 2) => ({
  kind: 'chat',
  messages: [
    { role: 'system', content: `{{> ${TONE}}} You help {{company}} customers${version === 2 ? ' kindly' : ''}.` },
    { role: 'user', content: 'Order {{order_id}}' },
  ],
  variables: [
    { name: 'company', type: 'string', default: 'ACME' },
    { name: 'order_id', type: 'number' },
  ],
  model: 'gpt-4o-mini',
});

const PREFIX = { role: 'system', content: 'Route prefix.' };
const SUFFIX = { role: 'user', content: 'Route suffix.' };

/** Node b: the responses route takes templated requests only, the chat route is decorated. */
function nodeBRoutes(deck: Record<string, unknown>): Record<string, unknown> {
  const changes: Record<string, Record<string, unknown>> = {
    'openai-responses': { templates_only: true },
    'openai-chat-completions': { prepend: [PREFIX], append: [SUFFIX] },
  };
  // A new config object per route: the routes share one through the deck's YAML anchor.
  const routes = (deck.services as Array<{ routes?: Array<{ name: string; plugins?: Array<{ name: string; config: Record<string, unknown> }> }> }>).flatMap(
    (service) => service.routes ?? [],
  );
  for (const route of routes) {
    for (const plugin of route.plugins ?? []) {
      if (plugin.name === 'aigw-prompt-template' && changes[route.name]) plugin.config = { ...plugin.config, ...changes[route.name] };
    }
  }
  return deck;
}

beforeAll(async () => {
  stores = await startSharedStores();
  a = await startDevStack({ env: {}, stores, templates: true, cache: true });
  b = await startDevStack({ env: {}, stores, templates: true, sourceTransform: nodeBRoutes });
  const created = await a.admin('POST', '/admin/keys', { key_alias: uniqueName('templates') });
  expect(created.status).toBe(201);
  key = created.body.key as string;
  keyId = created.body.id as string;
  openai = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: key, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: a.url, apiKey: key, maxRetries: 0 });
  expect((await a.admin('POST', '/admin/prompts', { name: TONE, definition: { kind: 'text', text: 'Be brief.' } })).status).toBe(201);
  expect((await a.admin('POST', '/admin/prompts', { name: SUPPORT, definition: definition(1), labels: ['production'] })).status).toBe(201);
  expect((await a.admin('POST', `/admin/prompts/${SUPPORT}/versions`, { definition: definition(2), labels: ['staging'] })).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await b?.close().catch(() => undefined);
  await a?.close().catch(() => undefined);
  await stores?.stop().catch(() => undefined);
}, 60_000);

beforeEach(() => {
  a.mock.reset();
  b.mock.reset();
});

type Body = Record<string, unknown>;
const lastSent = (stack: DevStack): Body => {
  expect(stack.mock.requests.length).toBeGreaterThan(0);
  return stack.mock.requests[stack.mock.requests.length - 1]!.body as Body;
};

async function chatOn(stack: DevStack, body: Body): Promise<Response> {
  return fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

local.describe('prompt templates through the gateway', () => {
  test('OpenAI chat by version: the prompt object becomes the rendered messages, before the request’s own', async () => {
    const completion = await openai.chat.completions.create({
      prompt: { id: SUPPORT, version: '1', variables: { order_id: '42' } },
      messages: [{ role: 'user', content: 'Where is it? (by version)' }],
    } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(completion.choices[0]!.message.content).toBeTruthy();
    const sent = lastSent(a);
    expect(sent.messages).toEqual([
      { role: 'system', content: system(1) },
      { role: 'user', content: 'Order 42' },
      { role: 'user', content: 'Where is it? (by version)' },
    ]);
    // The template's default model, since the request named none; the selection is gone.
    expect(sent.prompt).toBeUndefined();
    expect(String(sent.model)).toMatch(/gpt-4o-mini/);
  });

  test('Anthropic messages by label: system parts into `system`, the turns into `messages`', async () => {
    await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 32,
      messages: [{ role: 'user', content: 'Where is it? (by label)' }],
      prompt: { id: SUPPORT, version: 'staging', variables: { order_id: 7, company: 'Initech' } },
    } as never as Anthropic.MessageCreateParamsNonStreaming);
    const sent = JSON.stringify(lastSent(a));
    expect(sent).toContain('Be brief. You help Initech customers kindly.');
    expect(sent).toContain('Order 7');
    expect(sent).toContain('Where is it? (by label)');
    expect(sent).not.toContain('"prompt"');
  });

  test("Kong's {template://name@label} with properties", async () => {
    const res = await chatOn(a, { model: 'gpt-4o-mini', messages: `{template://${SUPPORT}@production}`, properties: { order_id: '5' } });
    expect(res.status).toBe(200);
    expect(lastSent(a).messages).toEqual([
      { role: 'system', content: system(1) },
      { role: 'user', content: 'Order 5' },
    ]);
  });

  test('missing and undeclared variables: 400 naming them, in each client’s shape; nothing reaches the mock', async () => {
    const chat = openai.chat.completions.create({
      prompt: { id: SUPPORT, variables: { extra: 'x' } },
      messages: [{ role: 'user', content: 'hi' }],
    } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(chat).rejects.toMatchObject({ status: 400, code: 'invalid_variables', param: 'prompt.variables' });
    await expect(chat).rejects.toThrow(/missing order_id.*not declared by the template: extra/);
    const messages = anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
      prompt: { id: SUPPORT, variables: { order_id: 'many' } },
    } as never as Anthropic.MessageCreateParamsNonStreaming);
    await expect(messages).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });
    await expect(messages).rejects.toThrow(/order_id/);
    expect(a.mock.requests).toHaveLength(0);
  });

  test("the key's model rules apply to the template's default model", async () => {
    const restricted = await a.admin('POST', '/admin/keys', { key_alias: uniqueName('templates-4o'), models: ['gpt-4o'], model_aliases: { fast: 'gpt-4o' } });
    expect(restricted.status).toBe(201);
    const client = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: restricted.body.key as string, maxRetries: 0 });
    const prompt = { id: SUPPORT, version: '1', variables: { order_id: '8' } };
    await expect(
      client.chat.completions.create({
        prompt,
        messages: [{ role: 'user', content: 'default model' }],
      } as never as OpenAI.ChatCompletionCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
    expect(a.mock.requests).toHaveLength(0);
    // The request's own model (an alias of an allowed one) wins over the template's.
    await client.chat.completions.create({
      model: 'fast',
      prompt,
      messages: [{ role: 'user', content: 'own model' }],
    } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(String(lastSent(a).model)).toMatch(/gpt-4o/);
    expect(String(lastSent(a).model)).not.toMatch(/mini/);
  });

  test('unknown template or label: 404', async () => {
    const unknown = openai.chat.completions.create({
      prompt: { id: uniqueName('nope') },
      messages: [],
    } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(unknown).rejects.toMatchObject({ status: 404, code: 'template_not_found' });
    const label = openai.chat.completions.create({
      prompt: { id: SUPPORT, version: 'canary', variables: { order_id: '1' } },
      messages: [],
    } as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(label).rejects.toMatchObject({ status: 404, param: 'prompt.version' });
    await expect(label).rejects.toThrow(/no label 'canary'/);
    expect(a.mock.requests).toHaveLength(0);
  });

  test('a templates-only route refuses a raw prompt and takes a templated one', async () => {
    const client = new OpenAI({ baseURL: `${b.url}/v1`, apiKey: key, maxRetries: 0 });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'raw' })).rejects.toMatchObject({
      status: 400,
      code: 'template_required',
      param: 'prompt',
    });
    expect(b.mock.requests).toHaveLength(0);
    await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Where is it? (responses)',
      prompt: { id: SUPPORT, version: '1', variables: { order_id: '9' } },
    });
    expect(JSON.stringify(lastSent(b))).toContain('Order 9');
  });

  test("a route's decoration goes around a raw prompt and around a rendered template", async () => {
    expect((await chatOn(b, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'raw' }] })).status).toBe(200);
    expect(lastSent(b).messages).toEqual([PREFIX, { role: 'user', content: 'raw' }, SUFFIX]);
    expect((await chatOn(b, { messages: `{template://${SUPPORT}@1}`, properties: { order_id: '2' } })).status).toBe(200);
    expect(lastSent(b).messages).toEqual([PREFIX, { role: 'system', content: system(1) }, { role: 'user', content: 'Order 2' }, SUFFIX]);
  });

  test('a label moved through one node reaches the other within a second', async () => {
    const byLabel = { messages: `{template://${SUPPORT}@production}`, properties: { order_id: '11' } };
    const first = await chatOn(b, byLabel);
    expect(first.status).toBe(200);
    const rendersVersion = (version: 1 | 2): boolean => (lastSent(b).messages as Array<{ content: string }>).some((m) => m.content === system(version));
    const target = rendersVersion(1) ? 2 : 1;
    const moved = await a.admin('PUT', `/admin/prompts/${SUPPORT}/labels/production`, { version: target });
    expect(moved.status).toBe(200);
    const movedAt = Date.now();
    await waitFor(
      async () => {
        const res = await chatOn(b, byLabel);
        return res.status === 200 && rendersVersion(target);
      },
      1000,
      'node b rendering the moved label',
    );
    expect(Date.now() - movedAt).toBeLessThan(1000);
  });

  test('the ledger names the template and version of every templated request', async () => {
    const client = new Client({ connectionString: stores!.databaseUrl });
    await client.connect();
    try {
      await waitFor(
        async () => (await client.query('SELECT 1 FROM aigw_spend_ledger WHERE key_id = $1 AND template_name IS NOT NULL', [keyId])).rowCount! >= 3,
        10_000,
        'the ledger rows',
      );
      const { rows } = await client.query('SELECT template_name, template_version FROM aigw_spend_ledger WHERE key_id = $1 AND template_name IS NOT NULL', [
        keyId,
      ]);
      expect(rows.map((r) => r.template_name)).toEqual(rows.map(() => SUPPORT));
      expect(new Set(rows.map((r) => r.template_version))).toEqual(new Set([1, 2]));
    } finally {
      await client.end();
    }
  });

  test('PostgreSQL unreachable: a template not yet loaded is a 503 in the client’s shape, never a raw prompt', async () => {
    const name = uniqueName('fresh');
    expect((await a.admin('POST', '/admin/prompts', { name, definition: { kind: 'text', text: 'Hello' } })).status).toBe(201);
    // The key is known to node b (its caches), so only the template needs the database.
    expect((await chatOn(b, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'warm' }] })).status).toBe(200);
    b.mock.reset();
    await stores!.postgres.pause!();
    try {
      const client = new Anthropic({ baseURL: b.url, apiKey: key, maxRetries: 0 });
      const refused = client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 8,
        messages: `{template://${name}}`,
      } as never as Anthropic.MessageCreateParamsNonStreaming);
      await expect(refused).rejects.toMatchObject({ status: 503, error: { type: 'error', error: { type: 'overloaded_error' } } });
    } finally {
      await stores!.postgres.resume!();
    }
    expect(b.mock.requests).toHaveLength(0);
  });

  test("the template's hash is in the cache scope: the same rendered prompt sent raw is another scope", async () => {
    const question = `Cache me (${uniqueName('q')})`;
    const templated = { prompt: { id: SUPPORT, version: '2', variables: { order_id: '3' } }, messages: [{ role: 'user', content: question }] };
    expect((await chatOn(a, templated)).headers.get('x-cache-status')).toBe('Miss');
    await waitFor(async () => (await chatOn(a, templated)).headers.get('x-cache-status') === 'Hit', 5000, 'the templated answer cached');
    const raw = { model: 'gpt-4o-mini', messages: lastSent(a).messages };
    expect(JSON.stringify(raw.messages)).toContain(question);
    const rawAnswer = await chatOn(a, raw);
    expect(rawAnswer.status).toBe(200);
    expect(rawAnswer.headers.get('x-cache-status')).toBe('Miss');
  });
});
