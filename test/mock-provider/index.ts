// Public entry: a faithful mock of OpenAI's HTTP API for tests, benchmarks and `make dev`.
// See README.md in this folder for the behaviour rules (tokenizer, scripts, timing).

import type { MockProvider, MockProviderOptions, MockScript } from './types';
import { MockHttpServer } from './server';
import { ScriptQueue, validateScript } from './script';
import { RateLimitHeaders } from './ratelimit';
import { OpenAIDialect } from './openai-routes';
import { controlRoutes } from './control';

export type { MockScript, MockFinishReason, RecordedRequest, MockProviderOptions, MockProvider } from './types';
export { mockDirective } from './directive';
export { countTokens, tokenize } from './tokenizer';
export { countPromptTokens } from './openai';

export async function startMockOpenAI(opts: MockProviderOptions = {}): Promise<MockProvider> {
  const queue = new ScriptQueue();
  const rate = new RateLimitHeaders();
  const defaults: MockScript = validateScript({ ...(opts.defaults ?? {}) });
  const dialect = new OpenAIDialect({ queue, defaults, models: opts.models, apiKey: opts.apiKey, rate });

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
    routes: [...controlRoutes(state), ...dialect.routes()],
    guard: (ctx) => dialect.guard(ctx),
    notFound: (ctx) => dialect.notFound(ctx),
  });
  await server.listen();
  const srv = server;
  return {
    url: srv.url,
    baseUrl: `${srv.url}/v1`,
    requests: srv.requests,
    enqueue: (...scripts) => queue.push(...scripts),
    reset,
    close: () => srv.close(),
  };
}
