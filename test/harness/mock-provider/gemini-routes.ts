// The Gemini dialect: /v1beta/models/{model}:{method}, API-key auth (x-goog-api-key header or
// ?key=) answered with Google's error bodies, and Google's response headers.

import type { Dialect, DialectOptions } from './dialect';
import * as wire from './gemini';
import { handleBatchEmbed, handleEmbed } from './gemini-embed';
import { handleCountTokens, handleGenerate } from './gemini-generate';
import type { RequestContext, Route } from './server';
import { sendJson } from './server';

const METHOD_PATH = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/;

export class GeminiDialect implements Dialect {
  readonly queue: DialectOptions['queue'];
  readonly defaults: DialectOptions['defaults'];
  readonly models?: string[];
  private readonly apiKey?: string;

  constructor(opts: DialectOptions) {
    this.queue = opts.queue;
    this.defaults = opts.defaults;
    this.models = opts.models;
    this.apiKey = opts.apiKey;
  }

  owns(path: string): boolean {
    return path.startsWith('/v1beta/');
  }

  headers(ctx: RequestContext): Record<string, string> {
    return {
      'content-type': 'application/json; charset=UTF-8',
      vary: 'Origin, X-Origin, Referer',
      'server-timing': `gfet4t7; dur=${Math.round(performance.now() - ctx.startedAt)}`,
      'x-content-type-options': 'nosniff',
    };
  }

  /** Google's JSON answers are pretty-printed. */
  send(ctx: RequestContext, status: number, body: unknown): void {
    sendJson(ctx.res, status, wire.prettyJson(body), this.headers(ctx));
  }

  /** Wrong key: 400 API_KEY_INVALID; no key: 403 PERMISSION_DENIED (Google's answers). */
  guard(ctx: RequestContext): boolean {
    if (this.apiKey === undefined || !this.owns(ctx.path)) return false;
    const header = ctx.req.headers['x-goog-api-key'];
    const key = (typeof header === 'string' ? header : undefined) ?? ctx.query.get('key') ?? undefined;
    if (key === this.apiKey) return false;
    if (key === undefined || key === '') this.send(ctx, 403, wire.errors.missingApiKey());
    else this.send(ctx, 400, wire.errors.invalidApiKey());
    return true;
  }

  notFound(ctx: RequestContext): void {
    this.send(ctx, 404, wire.errors.notFound(ctx.path));
  }

  /** Unknown models get Google's NOT_FOUND; returns true when it answered. */
  rejectModel(ctx: RequestContext, model: string, method: string): boolean {
    if (!this.models || this.models.includes(model)) return false;
    this.send(ctx, 404, wire.errors.modelNotFound(model, method));
    return true;
  }

  routes(): Route[] {
    return [
      {
        method: 'POST',
        path: METHOD_PATH,
        handler: (ctx, [model, method]) => {
          if (method === 'generateContent') return handleGenerate(ctx, this, model, false);
          if (method === 'streamGenerateContent') return handleGenerate(ctx, this, model, true);
          if (method === 'countTokens') return handleCountTokens(ctx, this, model);
          if (method === 'embedContent') return handleEmbed(ctx, this, model);
          if (method === 'batchEmbedContents') return handleBatchEmbed(ctx, this, model);
          return this.notFound(ctx);
        },
      },
    ];
  }
}
