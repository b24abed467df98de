/** Identifiers: stable uuid v5 ids for decK entities without an `id`, and Kong-style request ids. */
import { createHash, randomBytes } from 'node:crypto';

/** Namespace for the ids this test double derives; any fixed uuid works, it only has to be stable. */
const INGRESS_NAMESPACE = '6f1c3c1e-4a7b-5b8e-9d21-0c4f6a2b7e10';

function uuidToBytes(u: string): Buffer {
  return Buffer.from(u.replace(/-/g, ''), 'hex');
}

function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 4122 uuid v5 (SHA-1). Stable across restarts, so instance keys and ids in logs are too. */
export function uuidV5(name: string, namespace: string = INGRESS_NAMESPACE): string {
  const hash = createHash('sha1').update(uuidToBytes(namespace)).update(name, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return bytesToUuid(b);
}

export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** 32 lowercase hex chars, the shape of Kong's $kong_request_id (kong/templates/nginx_kong.lua). */
export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

/** Kong's node id is a uuid generated once per node (kong/pdk/node.lua); one per ingress here. */
export function newNodeId(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return bytesToUuid(b);
}
