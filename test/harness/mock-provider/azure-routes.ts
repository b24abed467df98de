// The Azure OpenAI dialect: deployment URLs under /openai, `api-key` auth, `api-version`, Azure's
// headers and error bodies. Generation, scripts, timing and faults are the OpenAI dialect's
// (openai-chat.ts, openai-embeddings.ts), dressed by azure.ts.

import { randomUUID } from 'node:crypto';
import * as wire from './azure';
import type { Dialect, DialectOptions } from './dialect';
import * as openai from './openai';
import { type ChatFlavour, type ChatHost, handleChatCompletion } from './openai-chat';
import { handleEmbeddings } from './openai-embeddings';
import type { RateLimitHeaders } from './ratelimit';
import type { ScriptQueue } from './script';
import type { RequestContext, Route } from './server';
import { sendJson } from './server';
import type { MockScript } from './types';

const ROUTE = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

export class AzureDialect implements Dialect {
  private readonly queue: ScriptQueue;
  private readonly defaults: MockScript;
  /** Deployment names; unset = every deployment exists. */
  private readonly deployments?: string[];
  private readonly apiKey?: string;
  private readonly fingerprint = openai.newFingerprint();

  constructor(
    opts: DialectOptions,
    private readonly rate: RateLimitHeaders,
  ) {
    this.queue = opts.queue;
    this.defaults = opts.defaults;
    this.deployments = opts.models;
    this.apiKey = opts.apiKey;
  }

  owns(path: string): boolean {
    return path === '/openai' || path.startsWith('/openai/');
  }

  /** Azure's headers: request ids, region, and the remaining-quota pair Azure reports. */
  headers(ctx: RequestContext, tokens: number, rateLimited: boolean, deployment?: string): Record<string, string> {
    const id = randomUUID();
    const rl = this.rate.take(tokens, rateLimited);
    return {
      'apim-request-id': id,
      'x-request-id': id,
      'x-ms-region': 'East US',
      'x-content-type-options': 'nosniff',
      'strict-transport-security': 'max-age=31536000; includeSubDomains; preload',
      'x-ratelimit-remaining-requests': rl['x-ratelimit-remaining-requests'],
      'x-ratelimit-remaining-tokens': rl['x-ratelimit-remaining-tokens'],
      ...(deployment ? { 'x-ms-deployment-name': deployment } : {}),
      'x-ms-client-request-id': ctx.req.headers['x-ms-client-request-id']?.toString() ?? 'Not-Set',
    };
  }

  /** api-key first (401), then api-version: missing → 404 Resource not found, unknown → 400. */
  guard(ctx: RequestContext): boolean {
    const answer = (status: number, body: unknown) => {
      sendJson(ctx.res, status, body, this.headers(ctx, 0, false));
      return true;
    };
    if (this.apiKey !== undefined && ctx.req.headers['api-key'] !== this.apiKey) return answer(401, wire.errors.accessDenied());
    const version = ctx.query.get('api-version');
    if (version === null || version === '') return answer(404, wire.errors.resourceNotFound());
    if (!wire.isSupportedApiVersion(version)) return answer(400, wire.errors.apiVersionNotSupported());
    return false;
  }

  notFound(ctx: RequestContext): void {
    sendJson(ctx.res, 404, wire.errors.resourceNotFound(), this.headers(ctx, 0, false));
  }

  routes(): Route[] {
    return [
      {
        method: 'POST',
        path: ROUTE,
        handler: async (ctx, [deployment, op]) => {
          if (this.deployments && !this.deployments.includes(deployment)) {
            return sendJson(ctx.res, 404, wire.errors.deploymentNotFound(), this.headers(ctx, 0, false));
          }
          // The deployment picks the model; Azure ignores (and needs no) `model` in the body.
          if (!ctx.jsonError && typeof ctx.body === 'object' && ctx.body !== null && !Array.isArray(ctx.body)) {
            ctx.body = { ...(ctx.body as Record<string, unknown>), model: deployment };
          }
          const host = this.host(ctx.query.get('api-version') ?? '', deployment);
          if (op === 'embeddings') return handleEmbeddings(ctx, host);
          return handleChatCompletion(ctx, host);
        },
      },
    ];
  }

  private host(apiVersion: string, deployment: string): ChatHost {
    const flavour: ChatFlavour = {
      errorForStatus: (status, c) =>
        wire.errorForStatus(status, { apiVersion, retryAfterSeconds: c.retryAfterSeconds, contentFilter: c.script.finishReason === 'content_filter' }, () =>
          openai.errorForStatus(status, c),
        ),
      completion: (obj, plans) => wire.chatCompletion(obj, plans),
      chunk: (obj, plans) => wire.chunk(obj, plans),
      streamPrologue: () => [wire.promptFilterChunk()],
    };
    return {
      queue: this.queue,
      defaults: this.defaults,
      fingerprint: this.fingerprint,
      headers: (ctx, _requestId, tokens, rateLimited) => this.headers(ctx, tokens, rateLimited, deployment),
      flavour,
    };
  }
}
