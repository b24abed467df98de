/**
 * A miss's embedding and question on their way to the relay's fill, outside the identity and the
 * signed plan: every plugin after the cache re-reads the identity over the PDK socket and the
 * plan crosses the ingress as a header, and neither needs the 2 KB vector. The cache plugin
 * writes them under a key bound to the scope and the request id; the plan pins their digest, so
 * the relay stores only the bytes this request's lookup wrote (another request's, or bytes written
 * by anyone else, never match).
 *
 * Value: u16 dimensions (LE), the vector as little-endian float32, then the question in UTF-8.
 */
import { createHash } from 'node:crypto';
import { TARGET_TIMEOUTS_DEFAULT } from '../gateway-defaults';
import { MAX_SEMANTIC_QUERY_CHARS } from './scope';

/**
 * How long the pair waits for the fill: the fill comes after the whole answer, so as long as a
 * request may last by default (the relay takes it back when it fills; an answer that never fills
 * leaves it to expire).
 */
export const PENDING_FILL_TTL_SECONDS = TARGET_TIMEOUTS_DEFAULT.totalMs / 1000;

const MAX_DIMENSIONS = 4096;

export interface PendingFill {
  vector: Float32Array;
  query: string;
}

export function encodePendingFill({ vector, query }: PendingFill): Buffer {
  if (vector.length === 0 || vector.length > MAX_DIMENSIONS) throw new Error(`vector must have 1-${MAX_DIMENSIONS} dimensions`);
  const head = Buffer.alloc(2);
  head.writeUInt16LE(vector.length);
  return Buffer.concat([head, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength), Buffer.from(query, 'utf8')]);
}

/** The pair, or null for bytes that are not one (the fill is then skipped). */
export function decodePendingFill(bytes: Buffer): PendingFill | null {
  if (bytes.length < 2) return null;
  const dimensions = bytes.readUInt16LE(0);
  const queryAt = 2 + dimensions * 4;
  if (dimensions === 0 || dimensions > MAX_DIMENSIONS || bytes.length <= queryAt) return null;
  const vector = new Float32Array(dimensions);
  new Uint8Array(vector.buffer).set(bytes.subarray(2, queryAt));
  const query = bytes.subarray(queryAt).toString('utf8');
  return query.length <= MAX_SEMANTIC_QUERY_CHARS ? { vector, query } : null;
}

/** What the plan pins: SHA-256 of the value, base64url (43 characters). */
export const pendingFillDigest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64url');

export const PENDING_FILL_DIGEST = /^[A-Za-z0-9_-]{43}$/;
