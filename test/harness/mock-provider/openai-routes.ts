// The OpenAI dialect: its routes, its auth (Bearer key), its response headers and 404s.
// An Anthropic or Gemini dialect would be a sibling module producing its own Route list.

import * as wire from './openai';
import { handleChatCompletion } from './openai-chat';
import { handleEmbeddings } from './openai-embeddings';
import { handleInputTokens } from './openai-input-tokens';
import { handleResponses } from './openai-responses-route';
import type { RateLimitHeaders } from './ratelimit';
import type { ScriptQueue } from './script';
import type { RequestContext, Route } from './server';
import { sendJson } from './server';
import type { MockScript } from './types';

export interface OpenAIDialectOptions {
  queue: ScriptQueue;
  defaults: MockScript;
  models?: string[];
  apiKey?: string;
  rate: RateLimitHeaders;
}

export class OpenAIDialect {
  readonly queue: ScriptQueue;
  readonly defaults: MockScript;
  readonly models?: string[];
  readonly apiKey?: string;
  /** Stable for the server's life, like a deployment's fingerprint. */
  readonly fingerprint = wire.newFingerprint();
  private readonly rate: RateLimitHeaders;

  constructor(opts: OpenAIDialectOptions) {
    this.queue = opts.queue;
    this.defaults = opts.defaults;
    this.models = opts.models;
    this.apiKey = opts.apiKey;
    this.rate = opts.rate;
  }

  /** The headers OpenAI puts on every API answer. */
  headers(ctx: RequestContext, requestId: string, tokens: number, rateLimited: boolean): Record<string, string> {
    return {
      'x-request-id': requestId,
      'openai-version': wire.OPENAI_VERSION,
      'openai-organization': 'org-mock',
      'openai-processing-ms': String(Math.round(performance.now() - ctx.startedAt)),
      ...this.rate.take(tokens, rateLimited),
    };
  }

  /** Bearer auth on /v1, answered with OpenAI's exact 401 bodies. */
  guard(ctx: RequestContext): boolean {
    if (this.apiKey === undefined || !ctx.path.startsWith('/v1/')) return false;
    const auth = ctx.req.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    if (key === this.apiKey) return false;
    const body = key ? wire.errors.invalidApiKey(key) : wire.errors.missingApiKey();
    sendJson(ctx.res, 401, body, this.headers(ctx, wire.newRequestId(), 0, false));
    return true;
  }

  notFound(ctx: RequestContext): void {
    sendJson(ctx.res, 404, wire.errors.invalidUrl(ctx.method, ctx.path), this.headers(ctx, wire.newRequestId(), 0, false));
  }

  routes(): Route[] {
    const listed = () => this.models ?? wire.DEFAULT_MODELS;
    return [
      { method: 'POST', path: '/v1/chat/completions', handler: (ctx) => handleChatCompletion(ctx, this) },
      { method: 'POST', path: '/v1/embeddings', handler: (ctx) => handleEmbeddings(ctx, this) },
      { method: 'POST', path: '/v1/responses', handler: (ctx) => handleResponses(ctx, this) },
      { method: 'POST', path: '/v1/responses/input_tokens', handler: (ctx) => handleInputTokens(ctx, this) },
      {
        method: 'GET',
        path: '/v1/models',
        handler: (ctx) => sendJson(ctx.res, 200, wire.modelList(listed()), this.headers(ctx, wire.newRequestId(), 0, false)),
      },
      {
        method: 'GET',
        path: /^\/v1\/models\/(.+)$/,
        handler: (ctx, [id]) => {
          // Without a configured list every model is served, so every id exists.
          const known = this.models === undefined || this.models.includes(id);
          sendJson(
            ctx.res,
            known ? 200 : 404,
            known ? wire.modelObject(id) : wire.errors.modelRetrieveNotFound(id),
            this.headers(ctx, wire.newRequestId(), 0, false),
          );
        },
      },
    ];
  }
}
