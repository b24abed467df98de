/**
 * The building blocks every format's validator is made of: a Check looks at one value at one
 * path and rejects it (issue.ts) or returns. Fields are read as own properties only, so a
 * client's key never reaches an inherited one (`constructor`, `__proto__`); discriminators
 * are looked up in Maps for the same reason.
 */
import { MAX_KEYWORD_LENGTH } from './bounds';
import { type JsonKind, type Path, type PathSegment, reject } from './issue';

export type JsonObject = Record<string, unknown>;
export type Check = (value: unknown, path: Path) => void;
/** Checks the fields of an object already known to be one. */
export type FieldsCheck = (object: JsonObject, path: Path) => void;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property, never an inherited one. */
export function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function at(path: Path, segment: PathSegment): Path {
  return [...path, segment];
}

/** A field that must be there; null counts as there (and fails its check as the wrong type). */
export function required(object: JsonObject, key: string, path: Path, check: Check): void {
  const value = own(object, key);
  if (value === undefined) reject({ kind: 'missing', path: at(path, key) });
  check(value, at(path, key));
}

/** A field that may be absent or null (OpenAI and Anthropic both treat null as not given). */
export function optional(object: JsonObject, key: string, path: Path, check: Check): void {
  const value = own(object, key);
  if (value !== undefined && value !== null) check(value, at(path, key));
}

function wrongType(value: unknown, path: Path, ...expected: JsonKind[]): never {
  return reject({ kind: 'type', path, expected, got: value });
}

export function string(bounds: { min?: number; max?: number } = {}): Check {
  const { min = 0, max = Infinity } = bounds;
  return (value, path) => {
    if (typeof value !== 'string') wrongType(value, path, 'string');
    if (value.length < min) reject({ kind: 'too_short', path, what: 'string', limit: min, got: value.length });
    if (value.length > max) reject({ kind: 'too_long', path, what: 'string', limit: max, got: value.length });
  };
}

export const boolean: Check = (value, path) => {
  if (typeof value !== 'boolean') wrongType(value, path, 'boolean');
};

/** A finite number within [min, max]; JSON's 1e400 parses to Infinity and is refused here. */
export function number(min: number, max: number): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) wrongType(value, path, 'number');
    if (value < min) reject({ kind: 'below', path, limit: min, got: value, integer: false });
    if (value > max) reject({ kind: 'above', path, limit: max, got: value, integer: false });
  };
}

export function integer(min: number, max: number): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) wrongType(value, path, 'integer');
    if (value < min) reject({ kind: 'below', path, limit: min, got: value, integer: true });
    if (value > max) reject({ kind: 'above', path, limit: max, got: value, integer: true });
  };
}

export function oneOf(allowed: readonly string[]): Check {
  const set: ReadonlySet<string> = new Set(allowed);
  return (value, path) => {
    if (typeof value !== 'string') wrongType(value, path, 'string');
    if (!set.has(value)) reject({ kind: 'enum', path, allowed, got: value });
  };
}

export function object(fields: FieldsCheck): Check {
  return (value, path) => {
    if (!isObject(value)) wrongType(value, path, 'object');
    fields(value, path);
  };
}

/** Any object: its contents are the provider's business (a JSON schema, a tool's input). */
export const anyObject: Check = object(() => undefined);

export function arrayOf(item: Check, bounds: { min?: number; max: number }): Check {
  const { min = 0, max } = bounds;
  return (value, path) => {
    if (!Array.isArray(value)) wrongType(value, path, 'array');
    if (value.length < min) reject({ kind: 'too_short', path, what: 'array', limit: min, got: value.length });
    if (value.length > max) reject({ kind: 'too_long', path, what: 'array', limit: max, got: value.length });
    for (let i = 0; i < value.length; i++) item(value[i], at(path, i));
  };
}

/** An object keyed by the client (metadata, logit_bias): own keys only, each key and value checked. */
export function mapOf(key: Check, entry: Check, maxEntries: number): Check {
  return (value, path) => {
    if (!isObject(value)) wrongType(value, path, 'object');
    const entries = Object.entries(value);
    if (entries.length > maxEntries) reject({ kind: 'too_long', path, what: 'object', limit: maxEntries, got: entries.length });
    for (const [name, item] of entries) {
      key(name, at(path, name));
      entry(item, at(path, name));
    }
  };
}

/** A value that may take several JSON kinds, each with its own check (content: a string or parts). */
export function either(branches: { string?: Check; array?: Check; object?: Check }): Check {
  const expected = Object.keys(branches) as JsonKind[];
  return (value, path) => {
    const branch = typeof value === 'string' ? branches.string : Array.isArray(value) ? branches.array : isObject(value) ? branches.object : undefined;
    if (!branch) wrongType(value, path, ...expected);
    branch(value, path);
  };
}

/**
 * An object whose `type` picks its shape. Types not in `shapes` are refused, unless `otherwise`
 * is given: then it checks them (shapes the gateway passes through without reading).
 */
export function tagged(shapes: ReadonlyArray<readonly [string, FieldsCheck]>, otherwise?: FieldsCheck): Check {
  const byTag: ReadonlyMap<string, FieldsCheck> = new Map(shapes);
  const allowed = shapes.map(([tag]) => tag);
  return object((value, path) => {
    required(value, 'type', path, keyword);
    const tag = value.type as string;
    const fields = byTag.get(tag) ?? otherwise;
    if (!fields) reject({ kind: 'tag', path: at(path, 'type'), allowed, got: tag });
    fields(value, path);
  });
}

/** A short enum-like string the gateway does not interpret (an unknown part's type, service_tier). */
export const keyword: Check = string({ min: 1, max: MAX_KEYWORD_LENGTH });

/** No fields beyond the tag. */
export const noFields: FieldsCheck = () => undefined;
