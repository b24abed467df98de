/**
 * The control API trusts no network position: only an admin identity that aigw-virtual-key
 * signed for this very Kong request id, and that has not expired, gets through.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { REQUEST_ID_HEADER } from '../../lib/headers';
import { IDENTITY_HEADER, IDENTITY_SIGNATURE_HEADER, type AdminIdentity } from '../../lib/identity';
import { openEnvelope } from '../../lib/signing';
import { ApiError } from './api-error';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The verified admin identity, or an ApiError (401, or 403 for a valid non-admin identity). */
export function verifyAdmin(headers: IncomingHttpHeaders, secret: string, now: number = Date.now()): AdminIdentity {
  const payload = header(headers, IDENTITY_HEADER);
  const signature = header(headers, IDENTITY_SIGNATURE_HEADER);
  if (!payload || !signature) {
    throw new ApiError(401, 'Missing admin identity: call the control API through Kong with an admin key', 'missing_identity');
  }
  const opened = openEnvelope<Partial<AdminIdentity>>({ payload, signature }, header(headers, REQUEST_ID_HEADER), secret);
  if (!opened.ok) throw new ApiError(401, 'Invalid admin identity signature', 'invalid_identity');
  const id = opened.value;
  if (!id || typeof id.keyId !== 'string' || typeof id.expiresAt !== 'number' || (id.role !== 'admin' && id.role !== 'user')) {
    throw new ApiError(401, 'Malformed admin identity', 'invalid_identity');
  }
  if (id.expiresAt <= now) throw new ApiError(401, 'Admin identity expired', 'expired_identity');
  if (id.role !== 'admin') throw new ApiError(403, 'This key is not an admin key', 'admin_required');
  return { keyId: id.keyId, role: id.role, expiresAt: id.expiresAt };
}
