// Values valid for a JSON Schema, or for Gemini's OpenAPI subset of one, drawn from a seeded PRNG:
// the arguments of forced tool calls and the JSON of structured answers. Equal seeds give equal
// values.
//
// Honoured: type (also Gemini's upper-case names and [T, "null"]), enum, const, nullable,
// properties / required / additionalProperties / propertyOrdering, min/maxProperties, items /
// prefixItems (and draft-7 tuple items with additionalItems), min/maxItems, uniqueItems,
// min/maxLength, minimum / maximum and exclusive bounds (numeric and draft-4 boolean), multipleOf,
// formats (date-time, date, time, email, uri, hostname, ipv4, uuid), local $ref (any JSON pointer:
// $defs, definitions), anyOf / oneOf (one branch), allOf (merged).
// Not honoured: pattern, not, if/then/else, contains, dependent*, patternProperties, remote $refs.
// A hostile schema cannot make it loop or grow: nesting, $ref hops and sizes are bounded.

import { hash32, prng, randomWord } from './tokenizer';

type Schema = Record<string, unknown>;
type Rand = () => number;

/** From this depth on only what the schema requires is generated (no optional properties, fewest items). */
const OPTIONAL_DEPTH = 4;
/** Past this depth a value is null whatever the schema says (it would need endless nesting). */
const MAX_DEPTH = 32;
/** Schema nodes visited per value; past it, generation turns lean as past OPTIONAL_DEPTH. */
const LEAN_AFTER_NODES = 2_000;
/** Hard stop for schemas built to explode ($refs and allOfs that multiply). */
const MAX_NODES = 20_000;
/** $ref / allOf / anyOf hops without descending into a value. */
const MAX_HOPS = 32;
/** Sizes a schema may demand are capped (minItems: 1e9 must not hang the mock). */
const MAX_ITEMS = 64;
const MAX_STRING = 4_096;
/** Redraws of an item that repeats an earlier one under uniqueItems. */
const UNIQUE_TRIES = 32;

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

interface Walk {
  root: unknown;
  rand: Rand;
  nodes: number;
}

/** A value valid for `schema`, the same for the same seed. */
export function valueForSchema(schema: unknown, seed: string): unknown {
  return generate(schema, { root: schema, rand: prng(hash32(seed)), nodes: 0 }, 0, 0);
}

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const pick = <T>(items: T[], rand: Rand): T => items[Math.floor(rand() * items.length)];
const size = (v: unknown): number | undefined => (typeof v === 'number' && v >= 0 ? Math.floor(v) : undefined);

function generate(raw: unknown, w: Walk, depth: number, hops: number): unknown {
  if (depth > MAX_DEPTH || hops > MAX_HOPS || ++w.nodes > MAX_NODES) return null;
  const s = flatten(raw, w, hops);
  const lean = depth >= OPTIONAL_DEPTH || w.nodes > LEAN_AFTER_NODES;
  if (Object.hasOwn(s, 'const')) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return pick(s.enum, w.rand);
  const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (branches && branches.length > 0) {
    const { anyOf: _a, oneOf: _o, ...shared } = s;
    const branch = lean ? leanest(branches, w, hops) : pick(branches, w.rand);
    return generate(merge(shared, flatten(branch, w, hops + 1)), w, depth, hops + 1);
  }
  switch (chooseType(s, lean, w.rand)) {
    case 'null':
      return null;
    case 'boolean':
      return w.rand() < 0.5;
    case 'integer':
      return stepped(bounds(s), integerStep(s.multipleOf), w.rand);
    case 'number':
      return numberIn(s, w.rand);
    case 'array':
      return arrayFor(s, w, depth, lean);
    case 'object':
      return objectFor(s, w, depth, lean);
    default:
      return stringFor(s, w.rand);
  }
}

/** The schema with its $refs resolved (siblings kept) and its allOf merged in. */
function flatten(raw: unknown, w: Walk, hops: number): Schema {
  if (hops > MAX_HOPS || ++w.nodes > MAX_NODES) return {};
  let s: Schema = isSchema(raw) ? raw : {};
  for (let i = 0; typeof s.$ref === 'string' && i < MAX_HOPS; i++) {
    const { $ref, ...siblings } = s;
    const target = resolvePointer(w.root, $ref as string);
    s = merge(isSchema(target) ? target : {}, siblings);
  }
  if (typeof s.$ref === 'string') s = { ...s, $ref: undefined };
  if (Array.isArray(s.allOf)) {
    const { allOf, ...rest } = s;
    s = (allOf as unknown[]).reduce<Schema>((acc, part) => merge(acc, flatten(part, w, hops + 1)), rest);
  }
  return s;
}

/** b over a; properties and required are combined, as allOf means. */
function merge(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (isSchema(a.properties) && isSchema(b.properties)) out.properties = { ...a.properties, ...b.properties };
  if (Array.isArray(a.required) && Array.isArray(b.required)) out.required = [...new Set([...a.required, ...b.required])];
  return out;
}

/** A local JSON pointer ("#", "#/$defs/x", "#/definitions/a~1b"); anything else resolves to nothing. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node = root;
  for (const part of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (!isSchema(node) && !Array.isArray(node)) return undefined;
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function declaredTypes(s: Schema): string[] {
  return (Array.isArray(s.type) ? s.type : [s.type])
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.toLowerCase())
    .filter((t) => TYPES.has(t));
}

/** What a schema without `type` most plausibly means. */
function inferredType(s: Schema): string {
  const has = (...keys: string[]) => keys.some((k) => Object.hasOwn(s, k));
  if (has('properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties', 'propertyOrdering')) return 'object';
  if (has('items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems')) return 'array';
  if (has('minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf')) return 'number';
  return 'string';
}

/** One declared type; null when lean and allowed, so recursive schemas end. */
function chooseType(s: Schema, lean: boolean, rand: Rand): string {
  const declared = declaredTypes(s);
  if (declared.length === 0) return lean && s.nullable === true ? 'null' : inferredType(s);
  const real = declared.filter((t) => t !== 'null');
  if (real.length === 0 || (lean && real.length < declared.length)) return 'null';
  return pick(real, rand);
}

/** The branch least likely to nest further: null first, then scalars, then the rest. */
function leanest(branches: unknown[], w: Walk, hops: number): unknown {
  const cost = (b: unknown) => {
    const f = flatten(b, w, hops + 1);
    const types = declaredTypes(f);
    if (types.includes('null')) return 0;
    const kinds = types.length > 0 ? types : [inferredType(f)];
    return kinds.some((t) => t === 'object' || t === 'array') || Array.isArray(f.anyOf) || Array.isArray(f.oneOf) ? 2 : 1;
  };
  let best = branches[0];
  let bestCost = cost(best);
  for (const b of branches.slice(1)) {
    const c = cost(b);
    if (c < bestCost) [best, bestCost] = [b, c];
  }
  return best;
}

// ---------------------------------------------------------------- numbers

interface Bounds {
  lo: number;
  hi: number;
  loOpen: boolean;
  hiOpen: boolean;
}

/** The allowed range; an unbounded side lies 100 from the other (0..100 when neither is set). */
function bounds(s: Schema): Bounds {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  let lo = num(s.minimum);
  let hi = num(s.maximum);
  let loOpen = s.exclusiveMinimum === true && lo !== undefined;
  let hiOpen = s.exclusiveMaximum === true && hi !== undefined;
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  if (exMin !== undefined && (lo === undefined || exMin >= lo)) [lo, loOpen] = [exMin, true];
  if (exMax !== undefined && (hi === undefined || exMax <= hi)) [hi, hiOpen] = [exMax, true];
  if (lo === undefined && hi === undefined) return { lo: 0, hi: 100, loOpen, hiOpen };
  if (lo === undefined) return { lo: hi! - 100, hi: hi!, loOpen, hiOpen };
  return { lo, hi: hi ?? lo + 100, loOpen, hiOpen };
}

/** Integers step by multipleOf when it is a whole number, else by 1. */
const integerStep = (m: unknown) => (typeof m === 'number' && Number.isInteger(m) && m > 0 ? m : 1);

function decimalsOf(step: number): number {
  const [mantissa, exponent] = step.toExponential().split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(20, Math.max(0, fraction - Number(exponent)));
}

/** k·step for a k drawn so the value lies within the bounds. */
function stepped(b: Bounds, step: number, rand: Rand): number {
  const kLo = b.loOpen ? Math.floor(b.lo / step) + 1 : Math.ceil(b.lo / step);
  const kHi = b.hiOpen ? Math.ceil(b.hi / step) - 1 : Math.floor(b.hi / step);
  const k = kHi >= kLo ? kLo + Math.floor(rand() * (kHi - kLo + 1)) : kLo;
  return Number((k * step).toFixed(decimalsOf(step)));
}

function numberIn(s: Schema, rand: Rand): number {
  const b = bounds(s);
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) return stepped(b, s.multipleOf, rand);
  const v = Math.round((b.lo + (0.05 + 0.9 * rand()) * (b.hi - b.lo)) * 100) / 100;
  const inside = (b.loOpen ? v > b.lo : v >= b.lo) && (b.hiOpen ? v < b.hi : v <= b.hi);
  return inside ? v : b.lo + (b.hi - b.lo) / 2;
}

// ---------------------------------------------------------------- strings

/** A fixed instant in 2025 plus a seeded offset, so dates are plausible and repeatable. */
const instant = (rand: Rand) => new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 365 * 86_400) * 1000).toISOString();

const FORMATS: Record<string, (rand: Rand) => string> = {
  'date-time': (r) => instant(r).replace(/\.\d{3}Z$/, 'Z'),
  date: (r) => instant(r).slice(0, 10),
  time: (r) => `${instant(r).slice(11, 19)}Z`,
  email: (r) => `${randomWord(r)}@example.com`,
  uri: (r) => `https://example.com/${randomWord(r)}`,
  url: (r) => `https://example.com/${randomWord(r)}`,
  hostname: (r) => `${randomWord(r)}.example.com`,
  ipv4: (r) => `192.0.2.${1 + Math.floor(r() * 254)}`,
  uuid: (r) => {
    const hex = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(r() * 4)];
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
};

function stringFor(s: Schema, rand: Rand): string {
  const min = Math.min(size(s.minLength) ?? 0, MAX_STRING);
  const max = size(s.maxLength);
  const format = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
  let text = format ? format(rand) : Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomWord(rand)).join(' ');
  while (text.length < min) text += ` ${randomWord(rand)}`;
  return max !== undefined && text.length > max ? text.slice(0, max) : text;
}

// ---------------------------------------------------------------- arrays and objects

function arrayFor(s: Schema, w: Walk, depth: number, lean: boolean): unknown[] {
  const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
  const rest = Array.isArray(s.prefixItems) ? s.items : Array.isArray(s.items) ? s.additionalItems : s.items;
  const min = Math.min(size(s.minItems) ?? 0, MAX_ITEMS);
  const max = Math.min(size(s.maxItems) ?? MAX_ITEMS, MAX_ITEMS, rest === false ? tuple.length : MAX_ITEMS);
  const wanted = lean ? min : Math.max(min, tuple.length > 0 ? tuple.length : 1 + Math.floor(w.rand() * 2));
  const n = Math.max(0, Math.min(wanted, Math.max(max, min)));
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const item = i < tuple.length ? tuple[i] : rest;
    let value = generate(item, w, depth + 1, 0);
    if (s.uniqueItems === true) {
      for (let tries = 0; tries < UNIQUE_TRIES && seen.has(JSON.stringify(value)); tries++) value = generate(item, w, depth + 1, 0);
      if (seen.has(JSON.stringify(value))) break;
      seen.add(JSON.stringify(value));
    }
    out.push(value);
  }
  return out;
}

/** Property names in Gemini's propertyOrdering first, then as declared (own keys only). */
function propertyNames(props: Schema, ordering: unknown): string[] {
  const first = Array.isArray(ordering) ? ordering.filter((n): n is string => typeof n === 'string' && Object.hasOwn(props, n)) : [];
  return [...new Set([...first, ...Object.keys(props)])];
}

function objectFor(s: Schema, w: Walk, depth: number, lean: boolean): Record<string, unknown> {
  const props = isSchema(s.properties) ? s.properties : {};
  const names = propertyNames(props, s.propertyOrdering);
  const required = new Set(Array.isArray(s.required) ? s.required.filter((n): n is string => typeof n === 'string') : []);
  const minProps = Math.min(size(s.minProperties) ?? 0, MAX_ITEMS);
  const maxProps = size(s.maxProperties) ?? Infinity;
  const extra = s.additionalProperties;

  const include = new Set(required);
  let room = maxProps - required.size;
  for (const n of names) {
    if (include.has(n) || lean || room <= 0 || w.rand() >= 0.6) continue;
    include.add(n);
    room--;
  }
  for (const n of names) if (include.size < minProps) include.add(n);
  // Declared order, then required names the schema never declared.
  const chosen = [...names.filter((n) => include.has(n)), ...[...required].filter((n) => !Object.hasOwn(props, n))];

  // An open object without declared properties (JSON mode's {"type":"object"}) gets a few fields of its own.
  const free = extra === false ? 0 : Math.max(minProps - chosen.length, names.length === 0 && required.size === 0 && !lean ? 1 + Math.floor(w.rand() * 3) : 0);
  const freeNames: string[] = [];
  for (let i = 0; i < free && chosen.length + freeNames.length < Math.max(maxProps, minProps); i++) {
    let name = randomWord(w.rand);
    while (chosen.includes(name) || freeNames.includes(name)) name += '_';
    freeNames.push(name);
  }
  const freeSchema = isSchema(extra) ? extra : { type: 'string' };
  // fromEntries defines own properties: a "__proto__" property stays a property.
  return Object.fromEntries([
    ...chosen.map((n) => [n, generate(Object.hasOwn(props, n) ? props[n] : freeSchema, w, depth + 1, 0)]),
    ...freeNames.map((n) => [n, generate(freeSchema, w, depth + 1, 0)]),
  ]);
}
