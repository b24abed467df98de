import type { ServerResponse } from 'node:http';
import { sendJson } from '../../lib/http';
import { openAIError } from '../../lib/openai-error';

export { sendJson };

export function sendError(res: ServerResponse, status: number, message: string, code: string | null, headers: Record<string, string> = {}): void {
  sendJson(res, status, openAIError(status, message, code), headers);
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
