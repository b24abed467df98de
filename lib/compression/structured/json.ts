/**
 * JSON made compact and still JSON: minified, an array of two or more objects with the same keys
 * becomes a table ({"#table": keys, "rows": [[values]...]}, one row per line), and a run of three
 * or more identical array items becomes {"#repeat": count, "item": item}. Lossless: decoding the
 * markers gives data equal to JSON.parse of the input. The markers are only used when no object in
 * the input has a key "#table" or "#repeat", so a decoder cannot mistake data for a marker.
 * The one lossy rule: a string value holding a long base64 run (an embedded image or file) has
 * the run replaced by a marker (blobs.ts).
 */
import { MIN_BLOB_LENGTH, shortenBlobs } from './blobs';

export const TABLE_KEY = '#table';
export const ROWS_KEY = 'rows';
export const REPEAT_KEY = '#repeat';
export const ITEM_KEY = 'item';

const MIN_TABLE_ROWS = 2;
const MIN_REPEAT = 3;
/** Deeper than this the encoder (recursive) gives up and the input stays as it was. */
const MAX_DEPTH = 200;
/** A number literal this long may lose digits in a double: such inputs are only re-spaced. */
const UNSAFE_DIGITS = /\d{16}/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function usesMarkerKeys(value: Json, depth: number): boolean {
  if (depth > MAX_DEPTH) throw new RangeError('JSON too deep to encode');
  if (Array.isArray(value)) return value.some((item) => usesMarkerKeys(item, depth + 1));
  if (!isObject(value)) return false;
  if (Object.hasOwn(value, TABLE_KEY) || Object.hasOwn(value, REPEAT_KEY)) return true;
  return Object.values(value).some((item) => usesMarkerKeys(item, depth + 1));
}

/** The shared keys of an array of objects, in order, when it can be a table. */
function tableKeys(items: readonly Json[]): string[] | undefined {
  if (items.length < MIN_TABLE_ROWS || !isObject(items[0])) return undefined;
  const keys = Object.keys(items[0]);
  if (keys.length < 2) return undefined;
  for (const item of items) {
    if (!isObject(item)) return undefined;
    const itemKeys = Object.keys(item);
    if (itemKeys.length !== keys.length || itemKeys.some((key, index) => key !== keys[index])) return undefined;
  }
  return keys;
}

function encodeArray(items: readonly Json[], depth: number): string {
  const keys = tableKeys(items);
  if (keys) {
    const rows = items.map((item) => `[${keys.map((key) => encode((item as { [key: string]: Json })[key], depth + 1)).join(',')}]`);
    return `{"${TABLE_KEY}":${JSON.stringify(keys)},"${ROWS_KEY}":[\n${rows.join(',\n')}]}`;
  }
  const encoded = items.map((item) => encode(item, depth + 1));
  const runs: string[] = [];
  for (let start = 0; start < encoded.length; ) {
    let end = start + 1;
    while (end < encoded.length && encoded[end] === encoded[start]) end++;
    const count = end - start;
    if (count >= MIN_REPEAT) runs.push(`{"${REPEAT_KEY}":${count},"${ITEM_KEY}":${encoded[start]}}`);
    else for (let index = start; index < end; index++) runs.push(encoded[index]);
    start = end;
  }
  return `[${runs.join(',')}]`;
}

function encode(value: Json, depth: number): string {
  if (depth > MAX_DEPTH) throw new RangeError('JSON too deep to encode');
  if (Array.isArray(value)) return encodeArray(value, depth);
  if (isObject(value)) {
    const fields = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${encode(item, depth + 1)}`);
    return `{${fields.join(',')}}`;
  }
  if (typeof value === 'string' && value.length >= MIN_BLOB_LENGTH) return JSON.stringify(shortenBlobs(value));
  return JSON.stringify(value);
}

/** Whitespace outside strings removed, nothing else touched: linear, never reparses numbers. */
export function minifyJsonText(text: string): string {
  let out = '';
  let chunkStart = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === ' ' || char === '\n' || char === '\r' || char === '\t') {
      out += text.slice(chunkStart, index);
      chunkStart = index + 1;
    }
  }
  return out + text.slice(chunkStart);
}

/** Cheap test before parsing: JSON text starts with { or [ and ends with } or ]. */
export function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  const first = trimmed[0];
  const last = trimmed[trimmed.length - 1];
  return (first === '{' && last === '}') || (first === '[' && last === ']');
}

/** The compact form of a JSON text, or undefined when the text is not JSON. */
export function compactJson(text: string): string | undefined {
  if (!looksLikeJson(text)) return undefined;
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  if (UNSAFE_DIGITS.test(text)) return minifyJsonText(text.trim());
  try {
    return usesMarkerKeys(value, 0) ? JSON.stringify(value) : encode(value, 0);
  } catch {
    // Too deep for the recursive encoder: whitespace is all that goes.
    return minifyJsonText(text.trim());
  }
}
