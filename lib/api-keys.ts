/**
 * Virtual key secrets: generated from crypto randomness, stored only as a SHA-256 hash plus a
 * short visible prefix. The raw key leaves the control API once, in the create/rotate answer.
 */
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'sk-aigw-';
export const KEY_BODY_LENGTH = 40;
/** How many characters of the random body the visible prefix shows (about 24 bits). */
export const KEY_PREFIX_VISIBLE = 4;
export const KEY_PATTERN = /^sk-aigw-[0-9A-Za-z]{40}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `sk-aigw-` + 40 base62 characters (~238 bits); rejection sampling keeps every character uniform. */
export function generateKey(): string {
  let body = '';
  while (body.length < KEY_BODY_LENGTH) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 * 62: bytes above it would favour the first characters.
      if (byte < 248) body += BASE62[byte % 62];
      if (body.length === KEY_BODY_LENGTH) break;
    }
  }
  return KEY_PREFIX + body;
}

/** Lower-case hex SHA-256 of the raw key: what the database and the caches are keyed by. */
export function hashKey(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

/** The part of a key that may be shown and logged, e.g. "sk-aigw-3f9a". */
export function keyPrefix(raw: string): string {
  return raw.slice(0, KEY_PREFIX.length + KEY_PREFIX_VISIBLE);
}

export function isSha256Hex(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
