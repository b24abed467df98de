// The Azure OpenAI dialect: raw wire checks (URLs, api-key, api-version, filter extras, stream
// framing, refusals) and the official `openai` SDK's AzureOpenAI client against the mock.

import OpenAI, { AzureOpenAI } from 'openai';
import { type MockProvider, mockDirective, startMockAzure, startMockProviders } from './index';
import { rawRequest, sseData } from './test-helpers';

const KEY = 'azure-test-key-0123456789';
const VERSION = '2024-10-21';
let mock: MockProvider;

const chatUrl = (deployment = 'gpt-4o-prod', version: string | null = VERSION) =>
  `${mock.url}/openai/deployments/${deployment}/chat/completions${version === null ? '' : `?api-version=${version}`}`;
const ask = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], ...extra });
const auth = { 'api-key': KEY };

beforeAll(async () => {
  mock = await startMockAzure({ apiKey: KEY, models: ['gpt-4o-prod', 'embed-small'] });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

describe('Azure wire format', () => {
  it('answers a deployment URL with OpenAI JSON plus prompt_filter_results and per-choice content_filter_results', async () => {
    const res = await rawRequest(chatUrl(), { headers: auth, body: ask(`hi ${mockDirective({ content: 'Hello there' })}`) });
    expect(res.status).toBe(200);
    expect(res.headers['apim-request-id']).toBeTruthy();
    expect(res.headers['x-ms-region']).toBeTruthy();
    const body = JSON.parse(res.body);
    // Azure serialises with sorted keys and no service_tier.
    expect(Object.keys(body)).toEqual(['choices', 'created', 'id', 'model', 'object', 'prompt_filter_results', 'system_fingerprint', 'usage']);
    expect(body.model).toBe('gpt-4o-prod');
    expect(body.object).toBe('chat.completion');
    expect(body.prompt_filter_results).toEqual([
      {
        prompt_index: 0,
        content_filter_results: {
          hate: { filtered: false, severity: 'safe' },
          jailbreak: { filtered: false, detected: false },
          self_harm: { filtered: false, severity: 'safe' },
          sexual: { filtered: false, severity: 'safe' },
          violence: { filtered: false, severity: 'safe' },
        },
      },
    ]);
    const choice = body.choices[0];
    expect(Object.keys(choice)).toEqual(['content_filter_results', 'finish_reason', 'index', 'logprobs', 'message']);
    expect(choice.message).toEqual({ content: 'Hello there', refusal: null, role: 'assistant' });
    expect(choice.content_filter_results.hate).toEqual({ filtered: false, severity: 'safe' });
    expect(choice.content_filter_results.protected_material_text).toEqual({ filtered: false, detected: false });
    expect(body.usage.completion_tokens).toBe(2);
    // The deployment is taken from the URL; the recorded request keeps what the client sent.
    expect(mock.requests[0].path).toBe('/openai/deployments/gpt-4o-prod/chat/completions');
  });

  it('streams the prompt-filter chunk first, then chunks with content_filter_results, usage and [DONE]', async () => {
    const res = await rawRequest(chatUrl(), {
      headers: auth,
      body: ask(`hi ${mockDirective({ content: 'One two' })}`, { stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const data = sseData(res.body);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(data[0]).toBe(
      '{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}',
    );
    const [role, ...rest] = chunks.slice(1);
    expect(role.choices[0]).toEqual({
      content_filter_results: {},
      delta: { content: '', refusal: null, role: 'assistant' },
      finish_reason: null,
      index: 0,
      logprobs: null,
    });
    expect(Object.keys(role)).toEqual(['choices', 'created', 'id', 'model', 'object', 'system_fingerprint', 'usage']);
    const content = rest.filter((c) => c.choices[0]?.delta?.content);
    expect(content.map((c) => c.choices[0].delta.content).join('')).toBe('One two');
    for (const c of content) expect(c.choices[0].content_filter_results.violence).toEqual({ filtered: false, severity: 'safe' });
    const finish = rest.find((c) => c.choices[0]?.finish_reason);
    expect(finish.choices[0]).toMatchObject({ finish_reason: 'stop', content_filter_results: {}, delta: {} });
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(2);
  });

  it('checks api-key with Azure body, api-version (missing 404, unknown 400) and the deployment', async () => {
    const denied = await rawRequest(chatUrl(), { headers: { 'api-key': 'wrong' }, body: ask('x') });
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toEqual({
      error: {
        code: '401',
        message:
          'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
      },
    });
    expect((await rawRequest(chatUrl(), { body: ask('x') })).status).toBe(401);
    const bearer = await rawRequest(chatUrl(), { headers: { authorization: `Bearer ${KEY}` }, body: ask('x') });
    expect(bearer.status).toBe(401);

    const missing = await rawRequest(chatUrl('gpt-4o-prod', null), { headers: auth, body: ask('x') });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: { code: '404', message: 'Resource not found' } });
    const unknown = await rawRequest(chatUrl('gpt-4o-prod', '2019-01-01'), { headers: auth, body: ask('x') });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({ error: { code: 'BadRequest', message: 'API version not supported' } });
    expect((await rawRequest(chatUrl('gpt-4o-prod', '2024-08-01-preview'), { headers: auth, body: ask('x') })).status).toBe(200);

    const noDeployment = await rawRequest(chatUrl('nope'), { headers: auth, body: ask('x') });
    expect(noDeployment.status).toBe(404);
    expect(JSON.parse(noDeployment.body).error.code).toBe('DeploymentNotFound');
    const otherPath = await rawRequest(`${mock.url}/openai/models?api-version=${VERSION}`, { headers: auth });
    expect(otherPath.status).toBe(404);
    expect(JSON.parse(otherPath.body)).toEqual({ error: { code: '404', message: 'Resource not found' } });
  });

  it('refuses a filtered prompt with 400 content_filter and innererror ResponsibleAIPolicyViolation', async () => {
    const res = await rawRequest(chatUrl(), { headers: auth, body: ask(`bad ${mockDirective({ status: 400, finishReason: 'content_filter' })}`) });
    expect(res.status).toBe(400);
    const { error } = JSON.parse(res.body);
    expect(error).toMatchObject({ type: null, param: 'prompt', code: 'content_filter', status: 400 });
    expect(error.message).toMatch(/^The response was filtered due to the prompt triggering Azure OpenAI's content management policy/);
    expect(error.innererror.code).toBe('ResponsibleAIPolicyViolation');
    expect(error.innererror.content_filter_result.sexual).toEqual({ filtered: true, severity: 'medium' });
    // Plain status 400 stays the context-window error (OpenAI's body, passed through by Azure).
    const ctx = await rawRequest(chatUrl(), { headers: auth, body: ask(`long ${mockDirective({ status: 400 })}`) });
    expect(JSON.parse(ctx.body).error.code).toBe('context_length_exceeded');
  });

  it('marks a filtered completion (finish_reason content_filter) and maps 429 and 500 to Azure bodies', async () => {
    const filtered = JSON.parse(
      (await rawRequest(chatUrl(), { headers: auth, body: ask(`x ${mockDirective({ tokens: 3, finishReason: 'content_filter' })}`) })).body,
    );
    expect(filtered.choices[0].finish_reason).toBe('content_filter');
    expect(filtered.choices[0].content_filter_results.hate).toEqual({ filtered: true, severity: 'high' });

    const limited = await rawRequest(chatUrl(), { headers: auth, body: ask(`x ${mockDirective({ status: 429, retryAfterSeconds: 3 })}`) });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.headers['retry-after-ms']).toBe('3000');
    expect(JSON.parse(limited.body).error).toMatchObject({ code: '429' });
    expect(JSON.parse(limited.body).error.message).toContain(`Azure OpenAI API version ${VERSION}`);
    const server = await rawRequest(chatUrl(), { headers: auth, body: ask(`x ${mockDirective({ status: 500 })}`) });
    expect(JSON.parse(server.body).error.code).toBe('InternalServerError');
  });

  it('keeps the OpenAI dialect behaviours: cut streams, hangs end on close of the client', async () => {
    const cut = await rawRequest(chatUrl(), { headers: auth, body: ask(`x ${mockDirective({ tokens: 5, cutAfterTokens: 2 })}`, { stream: true }) });
    expect(cut.broken).toBe(true);
    expect(cut.body).toContain('"prompt_filter_results"');
    await expect(rawRequest(chatUrl(), { headers: auth, body: ask(`x ${mockDirective({ hang: true })}`), timeoutMs: 150 })).rejects.toThrow('client timeout');
  });

  it('serves embeddings on the deployment URL in OpenAI shape', async () => {
    const res = await rawRequest(`${mock.url}/openai/deployments/embed-small/embeddings?api-version=${VERSION}`, {
      headers: auth,
      body: { input: ['a b', 'c'] },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(2);
    expect(body.data[0].embedding).toHaveLength(1536);
    expect(body.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it('is served by startMockProviders at baseUrls.azure beside the other dialects', async () => {
    const all = await startMockProviders({ apiKey: KEY });
    try {
      expect(all.baseUrls.azure).toBe(all.url);
      const az = await rawRequest(`${all.baseUrls.azure}/openai/deployments/d/chat/completions?api-version=${VERSION}`, { headers: auth, body: ask('x') });
      expect(JSON.parse(az.body).prompt_filter_results).toBeDefined();
      const oa = await rawRequest(`${all.baseUrls.openai}/chat/completions`, {
        headers: { authorization: `Bearer ${KEY}` },
        body: { model: 'gpt-4o', ...ask('x') },
      });
      expect(oa.status).toBe(200);
      expect(JSON.parse(oa.body).prompt_filter_results).toBeUndefined();
    } finally {
      await all.close();
    }
  });
});

describe('AzureOpenAI client (openai SDK) against the mock', () => {
  const client = () => new AzureOpenAI({ endpoint: mock.url, apiKey: KEY, apiVersion: VERSION, maxRetries: 0 });

  it('creates completions, streams with usage, accumulates parallel tool calls and embeds', async () => {
    const az = client();
    const done = await az.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: `hi ${mockDirective({ tokens: 4 })}` }] });
    expect(done.choices[0].finish_reason).toBe('stop');
    expect(done.usage?.completion_tokens).toBe(4);

    const stream = await az.chat.completions.create({
      model: 'gpt-4o-prod',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: `go ${mockDirective({ tokens: 6 })}` }],
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBe(6);

    const toolCalls = [
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { name: 'get_weather', arguments: '{"city":"Tokyo"}' },
    ];
    const final = await az.chat.completions
      .stream({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: `w ${mockDirective({ toolCalls })}` }] })
      .finalChatCompletion();
    expect(final.choices[0].message.tool_calls?.map((c) => (c.type === 'function' ? JSON.parse(c.function.arguments) : null))).toEqual([
      { city: 'Paris' },
      { city: 'Tokyo' },
    ]);

    const emb = await az.embeddings.create({ model: 'embed-small', input: 'hello world' });
    expect(emb.data[0].embedding).toHaveLength(1536);
    expect(mock.requests.map((r) => r.path)).toEqual([
      '/openai/deployments/gpt-4o-prod/chat/completions',
      '/openai/deployments/gpt-4o-prod/chat/completions',
      '/openai/deployments/gpt-4o-prod/chat/completions',
      '/openai/deployments/embed-small/embeddings',
    ]);
  });

  it('raises the SDK error classes with Azure messages', async () => {
    const bad = new AzureOpenAI({ endpoint: mock.url, apiKey: 'nope', apiVersion: VERSION, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const err = await client()
      .chat.completions.create({
        model: 'gpt-4o-prod',
        messages: [{ role: 'user', content: `x ${mockDirective({ status: 400, finishReason: 'content_filter' })}` }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('content_filter');
    await expect(client().chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });
});
