/** Reading bodies and writing JSON answers on node:http. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_MAX_BODY_BYTES } from '../../lib/admin-identity';
import { BodyTooLarge, readBody, sendJson as sendJsonTo } from '../../lib/http';
import { ApiError } from './api-error';
import { SECURITY_HEADERS } from './console/security-headers';

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

/** Every answer: never cached (answers carry raw keys once), and the console's security headers. */
const API_HEADERS = { ...SECURITY_HEADERS, 'cache-control': 'no-store' };

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204) {
    if (res.headersSent) return;
    res.writeHead(204, { ...API_HEADERS, ...headers });
    res.end();
    return;
  }
  sendJsonTo(res, status, JSON.stringify(body), { ...API_HEADERS, ...headers });
}
