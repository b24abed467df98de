// What a provider dialect gives the shared server: its routes, the auth/header checks it runs
// before routing, its 404 body, and which paths are its own (so several dialects share one port).

import type { ScriptQueue } from './script';
import type { RequestContext, Route } from './server';
import type { MockScript } from './types';

export interface Dialect {
  owns(path: string): boolean;
  /** Returns true when it answered (auth or header failure). */
  guard(ctx: RequestContext): boolean;
  notFound(ctx: RequestContext): void;
  routes(): Route[];
}

/** What every dialect is built from; the queue is shared, so one enqueue serves any dialect. */
export interface DialectOptions {
  queue: ScriptQueue;
  defaults: MockScript;
  models?: string[];
  apiKey?: string;
}
