/**
 * The client side of one request as nginx sees it: whether the client is still there, and writes
 * that settle when it is not. Node never calls res.end()'s callback, nor emits 'drain', on a
 * connection that closed, so every wait here also ends on 'close'.
 */
import type { ServerResponse } from 'node:http';

/** The client closed its connection before the response was complete (nginx: "client prematurely closed connection"). */
export class ClientClosedError extends Error {
  constructor(what: string) {
    super(`client prematurely closed connection while ${what}`);
  }
}

export interface ClientWatch {
  /** aborted when the connection closes before the response finished */
  readonly signal: AbortSignal;
  gone(): boolean;
  dispose(): void;
}

export function watchClient(res: ServerResponse): ClientWatch {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(new ClientClosedError('sending the response'));
  };
  res.once('close', onClose);
  if (res.destroyed) onClose();
  return {
    signal: controller.signal,
    gone: () => controller.signal.aborted,
    dispose: () => res.off('close', onClose),
  };
}

/** Resolves when the first of `events` fires on `res` (or at once when it is closed), then removes every listener it added. */
function firstOf(res: ServerResponse, events: string[]): Promise<void> {
  if (res.destroyed || res.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      for (const e of events) res.off(e, done);
      resolve();
    };
    for (const e of events) res.once(e, done);
  });
}

/** Backpressure: waits until the client drained the socket buffer or went away. */
export function drained(res: ServerResponse): Promise<void> {
  return firstOf(res, ['drain', 'close']);
}

/** res.end(body) that settles when the response is flushed or the client has gone. */
export function endResponse(res: ServerResponse, body?: Buffer): Promise<void> {
  const settled = firstOf(res, ['finish', 'close']);
  if (!res.destroyed) res.end(body);
  return settled;
}
