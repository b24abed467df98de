import type { ServerResponse } from 'node:http';
import { type ClientFormatName, errorBody, type GatewayError } from '../../lib/errors';
import { sendJson } from '../../lib/http';

export { sendJson };

/** The one place the relay answers an error: the GatewayError in the client's own format. */
export function sendError(res: ServerResponse, format: ClientFormatName, error: GatewayError): void {
  sendJson(res, error.status, errorBody(format, error), error.headers);
}

/** Wait until the client socket can take more; a slow reader must not make the relay buffer a whole answer. */
export function writeWithBackpressure(res: ServerResponse, data: string): Promise<void> | undefined {
  if (res.write(data)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
