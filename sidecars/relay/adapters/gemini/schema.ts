/**
 * JSON Schema (what OpenAI tools and json_schema response formats carry) → the subset of
 * OpenAPI 3.0 that Gemini's `Schema` accepts (tool parameters, generationConfig.responseSchema).
 *
 * Kept: type (upper-cased), format (only the values the Gemini API accepts, see FORMATS), title,
 * description, nullable, enum (as strings), properties, required, items, anyOf, minItems,
 * maxItems, minProperties, maxProperties, minLength, maxLength, pattern, minimum, maximum,
 * default, example, propertyOrdering.
 * Rewritten: `type: [T, "null"]` → type T + nullable; several types → anyOf; `oneOf` → anyOf;
 * `const` → a one-value enum; local `$ref` (#/$defs/…, #/definitions/…) inlined; `allOf`
 * merged; an empty `properties` map is left out (Gemini rejects an OBJECT with empty properties).
 * Dropped (reported as `schema:<keyword>`): everything else, e.g. $schema, $id, $defs,
 * additionalProperties, unevaluatedProperties, patternProperties, not, if/then/else,
 * exclusiveMinimum/Maximum, multipleOf, uniqueItems, prefixItems, contains, examples, strict.
 * Recursive `$ref`s cannot be inlined and are refused; so are schemas whose inlined `$ref`s
 * would grow past SCHEMA_NODE_BUDGET nodes per request or nest deeper than MAX_JSON_DEPTH (a
 * few hundred bytes of `$defs` that reference each other twice over expand exponentially).
 * Property names and `$defs` names are the client's: read as own properties only.
 */
import { MAX_JSON_DEPTH } from '../../../../lib/validate';

type JsonSchema = Record<string, unknown>;

const KEEP_AS_IS = new Set([
  'title',
  'description',
  'nullable',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'default',
  'example',
  'propertyOrdering',
]);

/** Handled explicitly below, so never reported as dropped. */
const HANDLED = new Set(['type', 'format', 'enum', 'const', 'properties', 'required', 'items', 'anyOf', 'oneOf', 'allOf', '$ref', '$defs', 'definitions']);

/** The Gemini API (unlike Vertex) rejects other `format` values. */
const FORMATS: Record<string, Set<string>> = {
  STRING: new Set(['enum', 'date-time']),
  INTEGER: new Set(['int32', 'int64']),
  NUMBER: new Set(['float', 'double']),
};

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

export class SchemaError extends Error {}

/**
 * Schema nodes one request may produce after $refs are inlined, across all its schemas. OpenAI's
 * structured outputs allow 5,000 properties per schema; real tool sets stay far below this.
 */
export const SCHEMA_NODE_BUDGET = 100_000;

/** How many more nodes this request's schemas may produce (shared by its tools and response format). */
export interface SchemaBudget {
  nodes: number;
}

export function schemaBudget(): SchemaBudget {
  return { nodes: SCHEMA_NODE_BUDGET };
}

interface Walk {
  root: JsonSchema;
  dropped: Set<string>;
  /** $refs being inlined on the current path: a repeat means recursion. */
  refs: string[];
  budget: SchemaBudget;
  depth: number;
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(ref: string, walk: Walk): JsonSchema {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = match && Object.hasOwn(walk.root, match[1]) ? walk.root[match[1]] : undefined;
  const name = match ? match[2].replace(/~1/g, '/').replace(/~0/g, '~') : '';
  const target = isObject(defs) && Object.hasOwn(defs, name) ? defs[name] : undefined;
  if (!isObject(target)) throw new SchemaError(`unsupported or unresolvable $ref "${ref}" (only local #/$defs and #/definitions references can be inlined)`);
  return target;
}

/** allOf members merged into one object schema (properties and required united). */
function mergeAllOf(schema: JsonSchema, walk: Walk): JsonSchema {
  const { allOf, ...rest } = schema;
  let merged: JsonSchema = { ...rest };
  for (const member of Array.isArray(allOf) ? allOf : []) {
    const part = isObject(member) && typeof member.$ref === 'string' ? resolveRef(member.$ref, walk) : member;
    if (!isObject(part)) continue;
    const props = { ...(isObject(merged.properties) ? merged.properties : {}), ...(isObject(part.properties) ? part.properties : {}) };
    const required = [...(Array.isArray(merged.required) ? merged.required : []), ...(Array.isArray(part.required) ? part.required : [])];
    merged = { ...part, ...merged, properties: props, required: [...new Set(required)] };
    if (Object.keys(props).length === 0) delete merged.properties;
    if (required.length === 0) delete merged.required;
  }
  return merged;
}

/** Every node converted is counted against the request's budget, and nesting is bounded. */
function convert(input: unknown, walk: Walk): JsonSchema {
  if (--walk.budget.nodes < 0) throw new SchemaError(`the schemas grow past ${SCHEMA_NODE_BUDGET} nodes once their $refs are inlined`);
  if (walk.depth >= MAX_JSON_DEPTH) throw new SchemaError(`the schema nests more than ${MAX_JSON_DEPTH} levels deep once its $refs are inlined`);
  walk.depth++;
  try {
    return convertNode(input, walk);
  } finally {
    walk.depth--;
  }
}

function convertNode(input: unknown, walk: Walk): JsonSchema {
  if (!isObject(input)) return {};
  let schema = input;
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (walk.refs.includes(ref)) throw new SchemaError(`recursive schema reference "${ref}" cannot be expressed in Gemini's schema format`);
    walk.refs.push(ref);
    try {
      // Sibling keywords (e.g. a description next to the $ref) win over the referenced schema's.
      const { $ref: _ref, ...siblings } = schema;
      void _ref;
      return convert({ ...resolveRef(ref, walk), ...siblings }, walk);
    } finally {
      walk.refs.pop();
    }
  }
  if (Array.isArray(schema.allOf)) schema = mergeAllOf(schema, walk);

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (KEEP_AS_IS.has(key)) out[key] = value;
    else if (!HANDLED.has(key)) walk.dropped.add(`schema:${key}`);
  }

  const types = (Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type]).filter(
    (t): t is string => typeof t === 'string' && TYPES.has(t),
  );
  const nonNull = types.filter((t) => t !== 'null');
  if (types.includes('null')) out.nullable = true;
  if (nonNull.length === 1) out.type = nonNull[0].toUpperCase();
  else if (nonNull.length > 1) {
    // Several types: each becomes an anyOf branch carrying the type-specific keywords.
    const { type: _t, nullable: _n, ...shared } = schema;
    void _t;
    void _n;
    out.anyOf = nonNull.map((t) => convert({ ...shared, type: t }, walk));
    return out.nullable ? { anyOf: out.anyOf, nullable: true } : { anyOf: out.anyOf };
  } else if (types.length === 1) {
    // Only "null": Gemini has a NULL type, but nullable on an untyped schema is the portable form.
    out.nullable = true;
  }

  const type = out.type as string | undefined;
  if (typeof schema.format === 'string') {
    if (type && FORMATS[type]?.has(schema.format)) out.format = schema.format;
    else walk.dropped.add('schema:format');
  }
  if (schema.const !== undefined) out.enum = [String(schema.const)];
  if (Array.isArray(schema.enum)) out.enum = schema.enum.filter((v) => v !== null).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (out.enum && !out.type) out.type = 'STRING';
  if (out.enum && out.type === 'STRING' && !out.format) out.format = 'enum';

  if (isObject(schema.properties)) {
    // No prototype: a property named "__proto__" stays a property.
    const props: JsonSchema = Object.create(null) as JsonSchema;
    for (const [name, sub] of Object.entries(schema.properties)) props[name] = convert(sub, walk);
    if (Object.keys(props).length > 0) {
      out.properties = props;
      if (Array.isArray(schema.required)) {
        const required = schema.required.filter((r): r is string => typeof r === 'string' && Object.hasOwn(props, r));
        if (required.length > 0) out.required = required;
      }
    }
  }
  if (schema.items !== undefined) {
    if (isObject(schema.items)) out.items = convert(schema.items, walk);
    else walk.dropped.add('schema:items');
  }
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  if (alternatives) {
    // Pydantic's Optional[X] is anyOf [X, {type: null}]: fold the null branch into nullable.
    const branches = alternatives.filter((b) => !(isObject(b) && b.type === 'null'));
    if (branches.length < alternatives.length) out.nullable = true;
    if (branches.length === 1) return { ...convert(branches[0], walk), ...out };
    out.anyOf = branches.map((b) => convert(b, walk));
  }
  return out;
}

/**
 * Convert a JSON schema for Gemini. Returns the converted schema (undefined for a schema that
 * says nothing, such as an object without properties: Gemini rejects those as tool parameters)
 * and the keywords it had to drop.
 */
export function toGeminiSchema(schema: unknown, dropped: Set<string>, budget: SchemaBudget = schemaBudget()): JsonSchema | undefined {
  if (!isObject(schema)) return undefined;
  const out = convert(schema, { root: schema, dropped, refs: [], budget, depth: 0 });
  if (out.type === 'OBJECT' && out.properties === undefined && out.anyOf === undefined) return undefined;
  return out;
}
