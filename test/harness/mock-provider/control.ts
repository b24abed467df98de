// /__mock/* control endpoints, for tests that drive the mock from another process.
// Not recorded and never behind the provider's auth.

import type { ScriptQueue } from './script';
import type { Route } from './server';
import { sendJson } from './server';
import type { RecordedRequest } from './types';

export function controlRoutes(state: { queue: ScriptQueue; requests: RecordedRequest[]; reset(): void }): Route[] {
  return [
    {
      method: 'POST',
      path: '/__mock/enqueue',
      record: false,
      handler: (ctx) => {
        try {
          if (ctx.jsonError) throw new Error('body is not JSON');
          const scripts = Array.isArray(ctx.body) ? ctx.body : [ctx.body];
          state.queue.push(...scripts);
          sendJson(ctx.res, 200, { queued: state.queue.length });
        } catch (e) {
          sendJson(ctx.res, 400, { error: { message: (e as Error).message, type: 'invalid_request_error', param: null, code: null } });
        }
      },
    },
    { method: 'GET', path: '/__mock/requests', record: false, handler: (ctx) => sendJson(ctx.res, 200, state.requests) },
    {
      method: 'POST',
      path: '/__mock/reset',
      record: false,
      handler: (ctx) => {
        state.reset();
        sendJson(ctx.res, 200, { ok: true });
      },
    },
  ];
}
