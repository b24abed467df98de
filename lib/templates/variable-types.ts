/**
 * A variable's declared type against a value. Strings that spell a number or a boolean are
 * accepted for those types: OpenAI's `prompt.variables` and Kong's `properties` carry strings
 * only, so a client of either can still fill a typed variable.
 */

import { isObject } from '../validate/checks';
import type { JsonValue, VariableType } from './model';

/** JSON's number grammar, for numbers sent as strings (bounded length; no nested quantifiers). */
const NUMBER_STRING = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** The value as the declared type wants it, or undefined when it is not of that type. */
export function coerceVariable(type: VariableType | undefined, value: JsonValue): JsonValue | undefined {
  switch (type) {
    case undefined:
    case 'json':
      return value;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
      return typeof value === 'string' && value.length <= 64 && NUMBER_STRING.test(value) ? Number(value) : undefined;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : undefined;
    case 'array':
      return Array.isArray(value) ? value : undefined;
    case 'object':
      return isObject(value) ? value : undefined;
  }
}

/** "a number", "an object": what a type wants, in error messages. */
export function expectedKind(type: VariableType | undefined): string {
  if (type === undefined || type === 'json') return 'a JSON value';
  return type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
}

/** "a string", "null": what a value is, in error messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
