/**
 * Structures a provider renders from JSON (tool schemas, tool-call inputs, response formats):
 * bounded as their compact JSON with every string escaped or normalised at its worst, plus a
 * per-value slack for renderers that pretty-print or restyle. Iterative (an explicit stack), so a
 * deeply nested body cannot overflow the call stack; one visit per value: linear in the body.
 */
import { JSON_VALUE_SLACK, jsonStringBound, numberBound } from './string-bound';

export function jsonValueBound(value: unknown): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    total += JSON_VALUE_SLACK;
    if (typeof next === 'string') total += jsonStringBound(next);
    else if (typeof next === 'number') total += numberBound(next);
    else if (typeof next === 'boolean') total += 5;
    else if (next === null || typeof next !== 'object') total += 4;
    else if (Array.isArray(next)) {
      // Brackets and a comma per element.
      total += 2 + next.length;
      for (const element of next) stack.push(element);
    } else {
      total += 2;
      const record = next as Record<string, unknown>;
      for (const key in record) {
        // Key, colon and comma.
        total += jsonStringBound(key) + 2;
        stack.push(record[key]);
      }
    }
  }
  return total;
}

/**
 * Calls `visit` with every key and string of a JSON value and returns how many values it holds:
 * what a realistic estimate tokenizes (strings) and counts (about one token of punctuation each).
 */
export function forEachJsonString(value: unknown, visit: (text: string) => void): number {
  let values = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    values++;
    if (typeof next === 'string') visit(next);
    else if (Array.isArray(next)) for (const element of next) stack.push(element);
    else if (typeof next === 'object' && next !== null) {
      const record = next as Record<string, unknown>;
      for (const key in record) {
        visit(key);
        stack.push(record[key]);
      }
    }
  }
  return values;
}
