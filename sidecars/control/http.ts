/** Reading JSON bodies and writing JSON answers on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, readBody, sendJson as sendJsonTo } from '../../lib/http';
import { ApiError } from './api-error';

export const MAX_BODY_BYTES = 1024 * 1024;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new ApiError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`, 'request_too_large');
    throw error;
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'Request body is not valid JSON', 'invalid_json');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // Answers carry raw keys once: never cached.
  sendJsonTo(res, status, JSON.stringify(body), { 'cache-control': 'no-store' });
}
