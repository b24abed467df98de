// Public entry: faithful mocks of OpenAI's, Anthropic's and Gemini's HTTP APIs for tests,
// benchmarks and `make dev`. See README.md in this folder for the behaviour rules.

import { AnthropicDialect } from './anthropic-routes';
import { AzureDialect } from './azure-routes';
import { controlRoutes } from './control';
import type { Dialect, DialectOptions } from './dialect';
import { GeminiDialect } from './gemini-routes';
import { OpenAIDialect } from './openai-routes';
import { RateLimitHeaders } from './ratelimit';
import { ScriptQueue, validateScript } from './script';
import { MockHttpServer } from './server';
import type { MockProvider, MockProviderOptions, MockProviders, MockScript } from './types';

export { countPromptTokens as countAnthropicInputTokens } from './anthropic';
export { mockDirective } from './directive';
export { countPromptTokens as countGeminiPromptTokens } from './gemini';
export { countPromptTokens } from './openai';
export { countTokens, tokenize } from './tokenizer';
export type {
  MockFinishReason,
  MockProvider,
  MockProviderOptions,
  MockProviders,
  MockScript,
  RecordedRequest,
} from './types';

type Kind = 'openai' | 'anthropic' | 'gemini' | 'azure';

/** OpenAI's dialect owns every path the others do not (it answers the catch-all 404). */
function openAIDialect(o: DialectOptions, rate: RateLimitHeaders): Dialect {
  const d = new OpenAIDialect({ ...o, rate });
  return { owns: () => true, guard: (ctx) => d.guard(ctx), notFound: (ctx) => d.notFound(ctx), routes: () => d.routes() };
}

/** One server, the given dialects on their own routes, one shared queue, recording and close(). */
async function start(kinds: Kind[], opts: MockProviderOptions): Promise<MockProvider> {
  const queue = new ScriptQueue();
  const rate = new RateLimitHeaders();
  const common: DialectOptions = {
    queue,
    defaults: validateScript({ ...(opts.defaults ?? {}) }) as MockScript,
    models: opts.models,
    apiKey: opts.apiKey,
  };
  // Most specific first, OpenAI (the catch-all) last.
  const order: Kind[] = ['anthropic', 'gemini', 'azure', 'openai'];
  const make = (k: Kind): Dialect =>
    k === 'anthropic'
      ? new AnthropicDialect(common)
      : k === 'gemini'
        ? new GeminiDialect(common)
        : k === 'azure'
          ? new AzureDialect(common, rate)
          : openAIDialect(common, rate);
  const dialects = order.filter((k) => kinds.includes(k)).map(make);
  const owner = (path: string) => dialects.find((d) => d.owns(path)) ?? dialects[dialects.length - 1];

  // `requests` is filled by the server; control routes read the same array.
  let server: MockHttpServer | undefined;
  const reset = () => {
    if (server) server.requests.length = 0;
    queue.clear();
    rate.reset();
  };
  const state = {
    queue,
    reset,
    get requests() {
      return server?.requests ?? [];
    },
  };
  server = new MockHttpServer({
    host: opts.host,
    port: opts.port,
    routes: [...controlRoutes(state), ...dialects.flatMap((d) => d.routes())],
    guard: (ctx) => owner(ctx.path).guard(ctx),
    notFound: (ctx) => owner(ctx.path).notFound(ctx),
  });
  await server.listen();
  const srv = server;
  return {
    url: srv.url,
    baseUrl: kinds.length === 1 && kinds[0] !== 'openai' ? srv.url : `${srv.url}/v1`,
    requests: srv.requests,
    enqueue: (...scripts) => queue.push(...scripts),
    reset,
    close: () => srv.close(),
  };
}

/** OpenAI's API: baseUrl = url + '/v1' (the OpenAI SDK's baseURL). */
export const startMockOpenAI = (opts: MockProviderOptions = {}) => start(['openai'], opts);

/** Anthropic's Messages API: baseUrl = url (the Anthropic SDK's baseURL; it appends /v1/messages). */
export const startMockAnthropic = (opts: MockProviderOptions = {}) => start(['anthropic'], opts);

/** Gemini's API under /v1beta: baseUrl = url (clients append /v1beta/models/{model}:{method}). */
export const startMockGemini = (opts: MockProviderOptions = {}) => start(['gemini'], opts);

/**
 * Azure OpenAI: baseUrl = url (the resource endpoint: AzureOpenAI's `endpoint`; requests go to
 * {url}/openai/deployments/{deployment}/...?api-version=V). `models` lists the deployments.
 */
export const startMockAzure = (opts: MockProviderOptions = {}) => start(['azure'], opts);

/** All four dialects on one port, sharing the queue, the recording and the options. */
export async function startMockProviders(opts: MockProviderOptions = {}): Promise<MockProviders> {
  const mock = await start(['openai', 'anthropic', 'gemini', 'azure'], opts);
  return { ...mock, baseUrls: { openai: `${mock.url}/v1`, anthropic: mock.url, gemini: mock.url, azure: mock.url } };
}
