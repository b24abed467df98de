/**
 * The inverse of structured's compact JSON, written apart from the encoder so the tests check the
 * format, not the encoder against itself: tables back to arrays of objects, repeats back to runs.
 */
import { ITEM_KEY, REPEAT_KEY, ROWS_KEY, TABLE_KEY } from '../../../../lib/compression/structured/json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isMarker(value: { [key: string]: Json }, marker: string, second: string): boolean {
  const keys = Object.keys(value);
  return keys.length === 2 && keys[0] === marker && keys[1] === second;
}

function decodeArray(items: Json[]): Json[] {
  const out: Json[] = [];
  for (const item of items) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && isMarker(item, REPEAT_KEY, ITEM_KEY)) {
      const decoded = decodeValue(item[ITEM_KEY]);
      for (let count = item[REPEAT_KEY] as number; count > 0; count--) out.push(structuredClone(decoded));
    } else out.push(decodeValue(item));
  }
  return out;
}

export function decodeValue(value: Json): Json {
  if (Array.isArray(value)) return decodeArray(value);
  if (value === null || typeof value !== 'object') return value;
  if (isMarker(value, TABLE_KEY, ROWS_KEY)) {
    const keys = value[TABLE_KEY] as string[];
    return (value[ROWS_KEY] as Json[][]).map((row) => Object.fromEntries(keys.map((key, index) => [key, decodeValue(row[index])])));
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decodeValue(item)]));
}

/** The data a compact JSON text stands for. */
export function decodeCompactJson(text: string): unknown {
  return decodeValue(JSON.parse(text) as Json);
}
