/** Reading bodies and writing JSON answers on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_MAX_BODY_BYTES } from '../../lib/admin-identity';
import { BodyTooLarge, readBody, sendJson as sendJsonTo } from '../../lib/http';
import { ApiError } from './api-error';

/** The whole body (the admin identity pins its hash), at most ADMIN_MAX_BODY_BYTES. */
export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  try {
    return await readBody(req, ADMIN_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new ApiError(413, `Request body larger than ${ADMIN_MAX_BODY_BYTES} bytes`, 'request_too_large');
    throw error;
  }
}

/** The body as JSON; an empty body is {}. */
export function parseJson(body: Buffer): unknown {
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
