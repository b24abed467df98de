/**
 * Signed envelopes between our components: a JSON payload, base64url-encoded, with an
 * HMAC-SHA256 over the encoding and the Kong request id it belongs to. The route plan (to the
 * relay) and the admin identity (to the control API) both travel this way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedEnvelope {
  payload: string;
  signature: string;
}

function hmac(secret: string, encoded: string, requestId: string): string {
  return createHmac('sha256', secret).update(encoded).update('.').update(requestId).digest('hex');
}

export function signEnvelope(payload: unknown, requestId: string, secret: string): SignedEnvelope {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { payload: encoded, signature: hmac(secret, encoded, requestId) };
}

/** An HMAC-SHA256 as hmac() writes it. Buffer.from(hex) would accept upper case and skip trailing garbage. */
const SIGNATURE_FORMAT = /^[0-9a-f]{64}$/;

export type EnvelopeCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Checks the signature only; callers check what the payload says (expiry, request id, ...). */
export function openEnvelope<T>(envelope: Partial<SignedEnvelope>, requestId: string | undefined, secret: string): EnvelopeCheck<T> {
  if (!envelope.payload || !envelope.signature || !requestId) return { ok: false, reason: 'missing' };
  if (!SIGNATURE_FORMAT.test(envelope.signature)) return { ok: false, reason: 'invalid signature' };
  const expected = Buffer.from(hmac(secret, envelope.payload, requestId), 'hex');
  const given = Buffer.from(envelope.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid signature' };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as T };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
