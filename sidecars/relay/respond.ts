import type { ServerResponse } from 'node:http';
import { JSON_CONTENT_TYPE, openAIError } from '../../lib/openai-error';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

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
