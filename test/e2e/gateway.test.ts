/**
 * The whole local gateway, driven by the official `openai` client: the Kong test ingress with the
 * real kong-js-pluginserver running aigw-proxy, the relay process, and the mock provider.
 */
import OpenAI from 'openai';
import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

let stack: DevStack;
let client: OpenAI;
let userKey: string;

beforeAll(async () => {
  // No provider keys: every model is answered by the mock.
  stack = await startDevStack({ env: {} });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('gateway-e2e') });
  expect(created.status).toBe(201);
  userKey = created.body.key as string;
  client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: userKey, maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => stack.mock!.reset());

const user = (text: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content: text }];

describe('OpenAI chat completions through Kong, aigw-proxy and the relay', () => {
  it('answers a non-streamed request, with Kong headers, the provider key and a usage record', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: user(`Hello ${mockDirective({ tokens: 9 })}`) })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBe(9);

    const requestId = response.headers.get('x-kong-request-id');
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-kong-upstream-latency')).toMatch(/^\d+$/);
    expect(response.headers.get('x-kong-proxy-latency')).toMatch(/^\d+$/);

    const upstream = stack.mock!.requests[0];
    expect((upstream.body as { model: string }).model).toBe('gpt-4o-mini');
    expect(String(upstream.headers.authorization)).not.toContain(userKey);
    expect(String(upstream.headers.authorization)).toMatch(/^Bearer sk-mock-/);

    const record = await waitFor(() => stack.usageRecords().find((r) => r.requestId === requestId));
    expect(record).toMatchObject({ outcome: 'ok', status: 200, model: 'gpt-4o-mini', stream: false });
    expect(record.usage).toMatchObject({ promptTokens: data.usage?.prompt_tokens, completionTokens: 9 });
  });

  it('streams chunks as the provider emits them, with usage in the final chunk', async () => {
    const tokens = 30;
    const [ttftMs, tokensPerSecond] = [100, 10];
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: user(`Tell me a story ${mockDirective({ tokens, ttftMs, tokensPerSecond })}`),
    });
    const contentArrivals: number[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        contentArrivals.push(Date.now());
        text += delta;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(contentArrivals).toHaveLength(tokens);
    expect(text.length).toBeGreaterThan(0);
    // The first token reached the client before the provider could have sent the last one (2.9 s
    // of pacing after it): nothing on the way waited for the whole answer. Both clocks are this
    // machine's; the margin is the pacing, not a guess at how fast the gateway is.
    const lastSentNoSoonerThan = stack.mock!.requests[0]!.receivedAt + ttftMs + ((tokens - 1) * 1000) / tokensPerSecond;
    expect(contentArrivals[0]).toBeLessThan(lastSentNoSoonerThan);
    expect(usage?.completion_tokens).toBe(tokens);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + tokens);
  });

  it('records usage of a stream whose client did not ask for it, without sending it', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: user(`Hi ${mockDirective({ tokens: 6 })}`) });
    let sawUsage = false;
    for await (const chunk of stream) if (chunk.usage) sawUsage = true;
    expect(sawUsage).toBe(false);
    const records = await waitFor(() => {
      const found = stack.usageRecords().filter((r) => r.stream && r.usage?.completionTokens === 6);
      return found.length > 0 ? found : undefined;
    });
    expect(records[0].outcome).toBe('ok');
  });

  it('returns 400 naming the field for malformed input', async () => {
    const bad = client.chat.completions.create({ model: 'gpt-4o-mini', messages: 'hello' as unknown as OpenAI.ChatCompletionMessageParam[] });
    await expect(bad).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(bad).rejects.toMatchObject({ status: 400, param: 'messages' });
    const noModel = client.chat.completions.create({ messages: user('hi') } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(noModel).rejects.toMatchObject({ status: 400, param: 'model' });
    expect(stack.mock!.requests).toHaveLength(0);
  });

  it('returns 400 for a body that is not JSON', async () => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
      body: '{"model": "gpt-4o-mini",',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });

  it('returns 404 model_not_found for an unknown model', async () => {
    const call = client.chat.completions.create({ model: 'gpt-9-ultra', messages: user('hi') });
    await expect(call).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(call).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });

  it('returns 413 for a body above max_request_body_bytes without sending it upstream', async () => {
    const huge = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(4_300_000) }] });
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
      body: huge,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    expect(stack.mock!.requests).toHaveLength(0);
  });

  it('ignores plan headers a client tries to smuggle in', async () => {
    const forged = new OpenAI({
      baseURL: `${stack.url}/v1`,
      apiKey: userKey,
      maxRetries: 0,
      defaultHeaders: { 'x-aigw-plan': 'e30', 'x-aigw-plan-signature': '00'.repeat(32) },
    });
    const completion = await forged.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi') });
    expect(completion.choices).toHaveLength(1);
  });
});

describe('models and embeddings', () => {
  it('lists the configured models in OpenAI format', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'text-embedding-3-small']));
    const one = await client.models.retrieve('gpt-4o-mini');
    expect(one).toMatchObject({ id: 'gpt-4o-mini', object: 'model' });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('relays embeddings (the SDK asks for base64 and decodes it)', async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['the cat sat', 'the cat sat'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0].embedding.length).toBeGreaterThan(0);
    expect(result.data[0].embedding).toEqual(result.data[1].embedding);
  });
});

localOnly("reads the test double's log").describe('the test ingress', () => {
  it('names the bundled Lua plugin from the deck file that it does not run', () => {
    const notices = stack.ingress.logs.map((entry) => entry.message);
    expect(notices).toContain("plugin 'prometheus' is a Kong bundled (Lua) plugin: not run by the test ingress");
  });
});

localOnly("calls the relay directly; in the compose stack it listens on Kong's loopback").describe('the relay behind Kong', () => {
  it('answers 401 to a caller that skips Kong and has no signed plan', async () => {
    const direct = new OpenAI({ baseURL: `${stack.relay.url}/v1`, apiKey: 'sk-anything', maxRetries: 0 });
    const call = direct.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi') });
    await expect(call).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(call).rejects.toMatchObject({ status: 401, code: 'invalid_route_plan' });
  });
});

describe('every error in the shape of the endpoint the client called', () => {
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Response> =>
    fetch(stack.url + path, { method, headers: { authorization: `Bearer ${userKey}`, ...headers }, body });
  const openAIShaped = async (res: Response): Promise<Record<string, unknown>> => {
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toEqual({
      message: expect.any(String),
      type: expect.any(String),
      code: expect.anything(),
      param: body.error.param === null ? null : expect.any(String),
    });
    return body.error;
  };
  const anthropicShaped = async (res: Response): Promise<Record<string, unknown>> => {
    const body = (await res.json()) as { type: string; error: Record<string, unknown> };
    expect(body).toEqual({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
    return body.error;
  };

  it('an unknown path gets 404 unknown_url, not Kong\'s "no Route matched"', async () => {
    const res = await call('GET', '/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(await openAIShaped(res)).toMatchObject({ code: 'unknown_url', message: 'Invalid URL (GET /v1/no-such-thing).' });
    const anthropic = await call('POST', '/v1/messages/no-such-thing', { 'content-type': 'application/json' }, '{}');
    expect(anthropic.status).toBe(404);
    expect(await anthropicShaped(anthropic)).toMatchObject({ type: 'not_found_error' });
  });

  it("a wrong method gets 405 with Allow, in the endpoint's shape", async () => {
    const chat = await call('GET', '/v1/chat/completions');
    expect(chat.status).toBe(405);
    expect(chat.headers.get('allow')).toBe('POST');
    expect(await openAIShaped(chat)).toMatchObject({ code: 'method_not_allowed', type: 'invalid_request_error' });
    const messages = await call('DELETE', '/v1/messages');
    expect(messages.status).toBe(405);
    await anthropicShaped(messages);
    const models = await call('POST', '/v1/models');
    expect(models.status).toBe(405);
    expect(models.headers.get('allow')).toBe('GET');
    expect(stack.mock!.requests).toHaveLength(0);
  });

  it('follows the endpoint, not the anthropic-version header', async () => {
    const noKey = { authorization: '' };
    const chat = await call('POST', '/v1/chat/completions', { ...noKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, '{}');
    expect(chat.status).toBe(401);
    await openAIShaped(chat);
    const messages = await call('POST', '/v1/messages', { ...noKey, 'content-type': 'application/json' }, '{}');
    expect(messages.status).toBe(401);
    expect(await anthropicShaped(messages)).toMatchObject({ type: 'authentication_error' });
  });

  it('a malformed escape in a model path is a 404, not a 5xx', async () => {
    const res = await call('GET', '/v1/models/%ZZ');
    expect(res.status).toBe(404);
    expect(await openAIShaped(res)).toMatchObject({ code: 'model_not_found' });
  });

  it('a model named like an Object property is just an unknown model, also for a key with aliases', async () => {
    const aliased = await stack.admin('POST', '/admin/keys', { key_alias: `aliases-${Date.now()}`, model_aliases: { fast: 'gpt-4o-mini' } });
    expect(aliased.status).toBe(201);
    for (const model of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await call(
        'POST',
        '/v1/chat/completions',
        { authorization: `Bearer ${aliased.body.key as string}`, 'content-type': 'application/json' },
        JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      );
      expect({ model, status: res.status }).toEqual({ model, status: 404 });
      expect(await openAIShaped(res)).toMatchObject({ code: 'model_not_found' });
    }
    const viaAlias = await call(
      'POST',
      '/v1/chat/completions',
      { authorization: `Bearer ${aliased.body.key as string}`, 'content-type': 'application/json' },
      JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: `hi ${mockDirective({ tokens: 2 })}` }] }),
    );
    expect(viaAlias.status).toBe(200);
  });
});
