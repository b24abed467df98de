/**
 * A small, bounded JSON Schema validator for a cascade's `json_schema` check: the request's own
 * response schema, common keywords only (type, enum, const, properties, required,
 * additionalProperties, items, prefixItems, min/maxItems, min/maxLength, minimum, maximum,
 * exclusiveMinimum/Maximum, multipleOf, anyOf, oneOf, allOf, not, local $ref). `pattern` and
 * `format` are ignored: no client regular expression is ever run. Work is bounded (MAX_STEPS
 * schema visits, MAX_DEPTH nesting), and running out of either fails the check.
 */
const MAX_DEPTH = 64;
const MAX_STEPS = 100_000;

type Schema = Record<string, unknown> | boolean;

export function validatesAgainst(value: unknown, schema: unknown): boolean {
  const state = { steps: 0, root: schema };
  try {
    return check(value, schema as Schema, 0, state);
  } catch (error) {
    if (error instanceof TooMuchWork) return false;
    throw error;
  }
}

class TooMuchWork extends Error {}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: unknown): boolean {
  const actual = typeOf(value);
  const matches = (t: unknown): boolean => t === actual || (t === 'number' && actual === 'integer');
  return Array.isArray(type) ? type.some(matches) : matches(type);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A local reference (#/$defs/x, #/definitions/x, #): followed in the root schema; anything else fails. */
function resolveRef(ref: string, root: unknown): Schema | null {
  if (!ref.startsWith('#')) return null;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, key)) return null;
    node = (node as Record<string, unknown>)[key];
  }
  return node as Schema;
}

function check(value: unknown, schema: Schema, depth: number, state: { steps: number; root: unknown }): boolean {
  if (++state.steps > MAX_STEPS || depth > MAX_DEPTH) throw new TooMuchWork();
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  if (typeof schema !== 'object' || schema === null) return true;
  const s = schema as Record<string, unknown>;
  const sub = (v: unknown, sch: unknown): boolean => check(v, sch as Schema, depth + 1, state);
  if (typeof s.$ref === 'string') {
    const target = resolveRef(s.$ref, state.root);
    if (target === null || !sub(value, target)) return false;
  }
  if (s.type !== undefined && !typeMatches(value, s.type)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((option) => equal(option, value))) return false;
  if ('const' in s && !equal(s.const, value)) return false;
  if (Array.isArray(s.allOf) && !s.allOf.every((part) => sub(value, part))) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((part) => sub(value, part))) return false;
  if (Array.isArray(s.oneOf) && s.oneOf.filter((part) => sub(value, part)).length !== 1) return false;
  if (s.not !== undefined && sub(value, s.not)) return false;
  if (typeof value === 'string') return checkString(value, s);
  if (typeof value === 'number') return checkNumber(value, s);
  if (Array.isArray(value)) return checkArray(value, s, sub);
  if (value && typeof value === 'object') return checkObject(value as Record<string, unknown>, s, sub);
  return true;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function checkString(value: string, s: Record<string, unknown>): boolean {
  const length = [...value].length;
  const min = num(s.minLength);
  const max = num(s.maxLength);
  return (min === null || length >= min) && (max === null || length <= max);
}

function checkNumber(value: number, s: Record<string, unknown>): boolean {
  const [min, max, xmin, xmax, multiple] = [num(s.minimum), num(s.maximum), num(s.exclusiveMinimum), num(s.exclusiveMaximum), num(s.multipleOf)];
  if (min !== null && value < min) return false;
  if (max !== null && value > max) return false;
  if (xmin !== null && value <= xmin) return false;
  if (xmax !== null && value >= xmax) return false;
  return multiple === null || multiple <= 0 || Math.abs(value / multiple - Math.round(value / multiple)) < 1e-9;
}

function checkArray(value: unknown[], s: Record<string, unknown>, sub: (v: unknown, sch: unknown) => boolean): boolean {
  const min = num(s.minItems);
  const max = num(s.maxItems);
  if ((min !== null && value.length < min) || (max !== null && value.length > max)) return false;
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
  for (const [i, item] of value.entries()) {
    const schema = i < prefix.length ? prefix[i] : s.items;
    if (schema !== undefined && !sub(item, schema)) return false;
  }
  return true;
}

function checkObject(value: Record<string, unknown>, s: Record<string, unknown>, sub: (v: unknown, sch: unknown) => boolean): boolean {
  const properties = s.properties && typeof s.properties === 'object' ? (s.properties as Record<string, unknown>) : {};
  if (Array.isArray(s.required) && !s.required.every((name) => typeof name !== 'string' || Object.hasOwn(value, name))) return false;
  for (const [name, field] of Object.entries(value)) {
    if (Object.hasOwn(properties, name)) {
      if (!sub(field, properties[name])) return false;
    } else if (s.additionalProperties !== undefined && !sub(field, s.additionalProperties)) {
      return false;
    }
  }
  return true;
}
