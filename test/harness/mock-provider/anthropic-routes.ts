// The Anthropic dialect: /v1/messages (+ count_tokens), API-key auth, the required
// anthropic-version header, and the headers Anthropic puts on every answer.

import * as wire from './anthropic';
import { handleCountTokens, handleMessages } from './anthropic-messages';
import type { Dialect, DialectOptions } from './dialect';
import type { RequestContext, Route } from './server';
import { sendJson } from './server';

export class AnthropicDialect implements Dialect {
  readonly queue: DialectOptions['queue'];
  readonly defaults: DialectOptions['defaults'];
  readonly models?: string[];
  private readonly apiKey?: string;
  /** Stable per server, like an account's organization id. */
  private readonly orgId = '7f3c2a10-5d4e-4b8a-9c61-0e2f4a6b8d01';

  constructor(opts: DialectOptions) {
    this.queue = opts.queue;
    this.defaults = opts.defaults;
    this.models = opts.models;
    this.apiKey = opts.apiKey;
  }

  owns(path: string): boolean {
    return path === '/v1/messages' || path.startsWith('/v1/messages/');
  }

  /** request-id (the SDK exposes it as _request_id) and rate-limit headers on every answer. */
  headers(requestId: string, rateLimited = false, retryAfterSeconds = 1): Record<string, string> {
    return {
      'request-id': requestId,
      'anthropic-organization-id': this.orgId,
      ...wire.rateLimitHeaders(rateLimited, retryAfterSeconds),
    };
  }

  /** Auth first (401), then the version header (400), as the API checks them. */
  guard(ctx: RequestContext): boolean {
    if (!this.owns(ctx.path)) return false;
    const rid = wire.newRequestId();
    // x-api-key, or `Authorization: Bearer <key>` as @anthropic-ai/sdk v1 sends an API key.
    const auth = ctx.req.headers.authorization;
    const key = ctx.req.headers['x-api-key'] ?? (auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined);
    if (this.apiKey !== undefined && key !== this.apiKey) {
      const body = key === undefined || key === '' ? wire.errors.missingApiKey(rid) : wire.errors.invalidApiKey(rid);
      sendJson(ctx.res, 401, body, this.headers(rid));
      return true;
    }
    if (!ctx.req.headers['anthropic-version']) {
      sendJson(ctx.res, 400, wire.errors.missingVersion(rid), this.headers(rid));
      return true;
    }
    return false;
  }

  notFound(ctx: RequestContext): void {
    const rid = wire.newRequestId();
    sendJson(ctx.res, 404, wire.errors.notFound(rid), this.headers(rid));
  }

  routes(): Route[] {
    return [
      { method: 'POST', path: '/v1/messages', handler: (ctx) => handleMessages(ctx, this) },
      { method: 'POST', path: '/v1/messages/count_tokens', handler: (ctx) => handleCountTokens(ctx, this) },
    ];
  }
}
